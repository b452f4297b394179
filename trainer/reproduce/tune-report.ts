import type { TuneResult } from '../tune/index.js';
import type { Stat } from './aggregate.js';
import type { ReportHeader } from './report-header.js';
import type { TuneLoss, TunePlanConfig } from './tune-plan.js';

/** A candidate's evaluation with its loss's detector: MNIST AUROC, mean AUROC over the OOD sets, per set. */
export interface TunePoint {
  run: string;
  mnist: number;
  mean: number;
  perSet: Record<string, number>;
  accuracy: number;
}

/** One method of the comparison (per loss), over seeds. */
export interface TuneRow {
  method: string;
  /** Per seed: the σ² or mixture the method used. */
  choice: string[];
  runs: string[];
  mnist: Stat;
  mean: Stat;
  perSet: Record<string, Stat>;
  accuracy: Stat;
}

/** Everything `reports/tune.json` holds. */
export interface TuneReport extends ReportHeader {
  config: TunePlanConfig;
  /** Seed-0 sweep per loss: every grid point and mixture. */
  sweep: Record<TuneLoss, ({ x: string } & TunePoint)[]>;
  /** Per loss: the oracle σ² (best seed-0 MNIST AUROC over the grid). */
  oracle: Record<TuneLoss, number>;
  /** `goe tune` per seed. */
  tune: TuneResult[];
  /** Per loss: baseline, default, oracle, tuned, mixtures and their single sources, over seeds. */
  table: Record<TuneLoss, TuneRow[]>;
  targets: {
    loss: TuneLoss;
    tunedMinusOracleMnist: number;
    tunedMinusDefaultMnist: number;
    withinOnePointOfOracle: boolean;
    notBelowDefault: boolean;
    mixtures: {
      mixture: string;
      mean: number;
      bestSingle: string;
      bestSingleMean: number;
      beatsEverySource: boolean;
    }[];
  }[];
  zoo: string[];
}
