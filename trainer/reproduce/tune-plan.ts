import { join } from 'node:path';
import type { LossName } from '../fit.js';
import { evalJob, finetuneJob, trainJob } from './job-builders.js';
import type { Job } from './jobs.js';
import { runName } from './plan.js';

/**
 * The sizes of `goe reproduce tune`. The σ² sweep is what the oracle is read from, so every grid point
 * is fine-tuned for every seed and loss; to fit the machine the fine-tunes use a seeded subset of the
 * training rows (`finetuneLimit`) and evaluation the first `evalLimit` rows of each set — the same
 * reduced protocol for every row of the report (tuned, oracle, default, mixtures, noise).
 */
export interface TunePlanConfig {
  seeds: number[];
  /** Baselines as in `goe reproduce images` (5 epochs of all 60,000 images for the full run). */
  baselineEpochs: number;
  baselineLimit?: number;
  finetuneLimit: number;
  evalLimit: number;
  outlierCount: number;
  grid: number[];
  defaultSigma2: number;
  /** Mixtures fine-tuned for every seed and loss (`--outliers` syntax). */
  mixtures: string[];
  ood: string[];
  generator: string;
  /** `goe tune` per seed and loss: its budget in minutes and the sizes of its held-out-class proxy. */
  tune: { budgetMinutes: number; quick: boolean };
}

export const tuneFullConfig: TunePlanConfig = {
  seeds: [0, 1, 2],
  baselineEpochs: 5,
  finetuneLimit: 4000,
  evalLimit: 2000,
  outlierCount: 4000,
  grid: [1, 2, 5, 20, 50, 100],
  defaultSigma2: 50,
  mixtures: ['generated:sigma2=5,generated:sigma2=50'],
  ood: ['mnist', 'gaussian', 'uniform'],
  generator: 'fashion-mnist-cgan',
  tune: { budgetMinutes: 20, quick: false },
};

export const tuneQuickConfig: TunePlanConfig = {
  seeds: [0],
  baselineEpochs: 1,
  baselineLimit: 1024,
  finetuneLimit: 512,
  evalLimit: 300,
  outlierCount: 512,
  grid: [1, 50],
  defaultSigma2: 50,
  mixtures: ['generated:sigma2=1,generated:sigma2=50'],
  ood: ['mnist', 'gaussian', 'uniform'],
  generator: 'fashion-mnist-cgan',
  tune: { budgetMinutes: 5, quick: true },
};

export const tuneLosses = ['oe', 'energy'] as const satisfies readonly Exclude<LossName, 'ce'>[];
export type TuneLoss = (typeof tuneLosses)[number];

/** Run folder names of the sweep, the noise source and the mixtures. */
export const tuneRuns = {
  sigma2: (loss: TuneLoss, sigma2: number, seed: number) => runName(`sigma2-${sigma2}-${loss}`, seed),
  noise: (loss: TuneLoss, seed: number) => runName(`noise-${loss}`, seed),
  mix: (loss: TuneLoss, k: number, seed: number) => runName(`mix${k}-${loss}`, seed),
};

/** Where a `goe tune --json` result of the plan is written. */
export function tuneOutput(dir: string, seed: number): string {
  return join(dir, runName('tune', seed), 'tune.json');
}

/** A fine-tune of `run` from `seed`'s baseline with `outliers`, and its `goe eval --json`. */
function finetuneJobs(
  c: TunePlanConfig,
  dir: string,
  run: string,
  seed: number,
  loss: TuneLoss,
  outliers: string,
  sigma2?: number,
): Job[] {
  return [
    finetuneJob(dir, run, runName('baseline', seed), {
      outliers,
      loss,
      ...(sigma2 === undefined ? {} : { sigma2 }),
      generator: c.generator,
      outlierCount: c.outlierCount,
      epochs: 1,
      batch: 128,
      outlierBatch: 128,
      seed,
      limit: c.finetuneLimit,
    }),
    evalJob(dir, run, c.ood, c.evalLimit),
  ];
}

/** Per seed: the baseline as `goe reproduce images` trains it, and its evaluation. */
export function baselineJobs(c: TunePlanConfig, dir: string): Job[] {
  return c.seeds.flatMap((seed) => {
    const base = runName('baseline', seed);
    return [
      trainJob(dir, base, {
        data: 'fashion-mnist',
        arch: 'small-cnn',
        epochs: c.baselineEpochs,
        batch: 128,
        lr: 0.02,
        seed,
        limit: c.baselineLimit,
      }),
      evalJob(dir, base, c.ood, c.evalLimit),
    ];
  });
}

/**
 * The runs of one seed and loss: generated outliers at each of `values` (σ²) and the mixtures whose
 * indices are in `mixtures`.
 */
export function runsFor(
  c: TunePlanConfig,
  dir: string,
  seed: number,
  loss: TuneLoss,
  values: readonly number[],
  mixtures: readonly number[],
): Job[] {
  return [
    ...values.flatMap((v) =>
      finetuneJobs(c, dir, tuneRuns.sigma2(loss, v, seed), seed, loss, 'generated', v),
    ),
    ...mixtures.flatMap((k) => finetuneJobs(c, dir, tuneRuns.mix(loss, k, seed), seed, loss, c.mixtures[k])),
  ];
}

/**
 * Phase 1: baselines, `goe tune` per seed (first: phase 2 needs its choices), and on the first seed the
 * whole sweep — every grid point and mixture, both losses — which the oracle is read from.
 */
export function tunePhase1(c: TunePlanConfig, dir: string): Job[] {
  const s0 = c.seeds[0];
  return [
    ...baselineJobs(c, dir),
    ...tuneJobs(c, dir),
    ...tuneLosses.flatMap((loss) =>
      runsFor(
        c,
        dir,
        s0,
        loss,
        c.grid,
        c.mixtures.map((_, k) => k),
      ),
    ),
  ];
}
/** `goe tune --json` per seed (both losses in one run: they share the proxy classifier). */
export function tuneJobs(c: TunePlanConfig, dir: string): Job[] {
  return c.seeds.map((seed) => ({
    id: runName('tune', seed),
    task: {
      kind: 'tune',
      options: {
        from: join(dir, runName('baseline', seed)),
        generator: c.generator,
        grid: c.grid,
        budgetMinutes: c.tune.budgetMinutes,
        quick: c.tune.quick,
        mixtures: c.mixtures,
        seed,
      },
      out: tuneOutput(dir, seed),
    },
    output: tuneOutput(dir, seed),
    after: [runName('baseline', seed)],
  }));
}
