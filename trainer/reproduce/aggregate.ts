import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectorName } from '../detectors/index.js';
import type { EvalReport } from '../evaluate.js';
import { type ImagesPlanConfig, runName } from './plan.js';

/**
 * The metrics the reports aggregate; `fpr95` is FPR95 with OOD positive, `fpr95IdPositive` with ID positive
 * (trainer/metrics). Runs evaluated before the ID-positive one existed lack it: its {@link Stat} is NaN.
 */
export type Metric = 'auroc' | 'auprIn' | 'auprOut' | 'fpr95' | 'fpr95IdPositive';
export const metrics: readonly Metric[] = ['auroc', 'auprIn', 'auprOut', 'fpr95', 'fpr95IdPositive'];

/** mean ± sample standard deviation over seeds (std 0 for one seed). */
export interface Stat {
  mean: number;
  std: number;
  n: number;
}

export function stat(values: readonly (number | undefined)[]): Stat {
  if (values.some((v) => v === undefined)) return { mean: Number.NaN, std: Number.NaN, n: values.length };
  const n = values.length;
  const mean = values.reduce((s: number, v) => s + (v as number), 0) / n;
  const std =
    n > 1 ? Math.sqrt(values.reduce((s: number, v) => s + ((v as number) - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** One row of Table 1: a training method evaluated with one detector, averaged over OOD sets and seeds. */
export interface TableRow {
  method: string;
  loss: string;
  detector: DetectorName;
  runs: string[];
  mean: Record<Metric, Stat>;
  perSet: Record<string, Record<Metric, Stat>>;
  accuracy: Stat;
}

/** The rows: which run folder and detector make each (the control has no outliers, so one run serves both). */
export const tableRows: { method: string; run: string; loss: string; detector: DetectorName }[] = [
  { method: 'baseline', run: 'baseline', loss: 'ce', detector: 'msp' },
  { method: 'control (no outliers)', run: 'control', loss: 'ce', detector: 'msp' },
  { method: 'noise-OE', run: 'noise-oe', loss: 'oe', detector: 'msp' },
  { method: 'GOE (generated)', run: 'generated-oe', loss: 'oe', detector: 'msp' },
  { method: 'natural-OE', run: 'natural-oe', loss: 'oe', detector: 'msp' },
  { method: 'baseline', run: 'baseline', loss: 'ce', detector: 'energy' },
  { method: 'control (no outliers)', run: 'control', loss: 'ce', detector: 'energy' },
  { method: 'noise-OE', run: 'noise-energy', loss: 'energy', detector: 'energy' },
  { method: 'GOE (generated)', run: 'generated-energy', loss: 'energy', detector: 'energy' },
  { method: 'natural-OE', run: 'natural-energy', loss: 'energy', detector: 'energy' },
];

export function readEval(dir: string, run: string): EvalReport {
  const path = join(dir, run, 'eval.json');
  if (!existsSync(path)) throw new Error(`missing ${path}: the reproduction has not finished`);
  return JSON.parse(readFileSync(path, 'utf8')) as EvalReport;
}

/**
 * Each metric of `detector` on the OOD set `set` over the seeds' `reports`; a report without that result
 * or metric (an older eval) makes the {@link Stat} NaN.
 */
export function setStats(
  reports: readonly EvalReport[],
  detector: DetectorName,
  set: string,
): Record<Metric, Stat> {
  return Object.fromEntries(
    metrics.map((m) => [
      m,
      stat(reports.map((r) => r.results.find((x) => x.detector === detector && x.ood === set)?.[m])),
    ]),
  ) as Record<Metric, Stat>;
}

/** Builds Table 1 from the runs' eval.json files. */
export function table(dir: string, c: Pick<ImagesPlanConfig, 'seeds' | 'ood'>): TableRow[] {
  return tableRows.map((row) => {
    const reports = c.seeds.map((s) => readEval(dir, runName(row.run, s)));
    const mean = Object.fromEntries(
      metrics.map((m) => [m, stat(reports.map((r) => r.mean[row.detector][m]))]),
    ) as Record<Metric, Stat>;
    const perSet: TableRow['perSet'] = {};
    for (const set of c.ood) perSet[set] = setStats(reports, row.detector, set);
    return {
      method: row.method,
      loss: row.loss,
      detector: row.detector,
      runs: c.seeds.map((s) => runName(row.run, s)),
      mean,
      perSet,
      accuracy: stat(reports.map((r) => r.accuracy)),
    };
  });
}

/**
 * A run's evaluation read with one detector (all in %): AUROC per OOD set, AUROC and FPR95 (OOD positive)
 * averaged over the sets as `goe eval` reports them, and the test accuracy.
 */
export interface EvalPoint {
  run: string;
  meanAuroc: number;
  meanFpr95: number;
  perSet: Record<string, number>;
  accuracy: number;
}

/**
 * `dir/run/eval.json` read with `detector`, AUROC per set of `ood`.
 * @throws when the run has no eval.json, or no `detector` result on a set of `ood`
 */
export function evalPoint(
  dir: string,
  run: string,
  detector: DetectorName,
  ood: readonly string[],
): EvalPoint {
  const r = readEval(dir, run);
  const perSet: Record<string, number> = {};
  for (const set of ood) {
    const x = r.results.find((e) => e.detector === detector && e.ood === set);
    if (!x) throw new Error(`${run}/eval.json has no ${detector} result on ${set}`);
    perSet[set] = x.auroc;
  }
  return {
    run,
    meanAuroc: r.mean[detector].auroc,
    meanFpr95: r.mean[detector].fpr95,
    perSet,
    accuracy: r.accuracy,
  };
}

/** One point of a sweep (σ² or number of outliers): MSP after OE fine-tuning on the first seed. */
export interface SweepPoint {
  x: number;
  run: string;
  mnistAuroc: number;
  meanAuroc: number;
  meanFpr95: number;
  accuracy: number;
}

export function sweep(dir: string, c: ImagesPlanConfig, kind: 'sigma2' | 'count'): SweepPoint[] {
  const s0 = c.seeds[0];
  const xs = kind === 'sigma2' ? c.sigma2Sweep : c.countSweep;
  const main = kind === 'sigma2' ? c.sigma2 : c.outlierCount;
  const point = (x: number, run: string): SweepPoint => {
    const p = evalPoint(dir, run, 'msp', c.ood);
    const { meanAuroc, meanFpr95, accuracy } = p;
    return { x, run, mnistAuroc: p.perSet.mnist ?? Number.NaN, meanAuroc, meanFpr95, accuracy };
  };
  const points = xs.map((x) => point(x, runName(x === main ? 'generated-oe' : `${kind}-${x}`, s0)));
  // The main GOE run is the count sweep's point at the plan's outlier count even when the sweep omits it.
  if (kind === 'count' && !xs.includes(main)) points.push(point(main, runName('generated-oe', s0)));
  return points.sort((a, b) => a.x - b.x);
}
