import { join } from 'node:path';
import { withPlots } from './eval-plots.js';
import type { Job } from './jobs.js';

/** The sizes of an image reproduction; `quick` is the CI smoke test, `full` the README's numbers. */
export interface ImagesPlanConfig {
  seeds: number[];
  baselineEpochs: number;
  finetuneEpochs: number;
  /** Training images used (a seeded subset; undefined = all 60,000). */
  trainLimit?: number;
  /** Images per set at evaluation (in-distribution test and each OOD set; undefined = all 10,000). */
  evalLimit?: number;
  outlierCount: number;
  sigma2: number;
  sigma2Sweep: number[];
  countSweep: number[];
  ood: string[];
  generator: string;
}

export const fullConfig: ImagesPlanConfig = {
  seeds: [0, 1, 2],
  baselineEpochs: 5,
  finetuneEpochs: 1,
  outlierCount: 60_000,
  sigma2: 50,
  sigma2Sweep: [0, 0.5, 1, 2, 5, 10, 20, 50, 100],
  countSweep: [100, 1000, 10_000, 50_000],
  ood: ['mnist', 'gaussian', 'uniform'],
  generator: 'fashion-mnist-cgan',
};

export const quickConfig: ImagesPlanConfig = {
  seeds: [0],
  baselineEpochs: 1,
  finetuneEpochs: 1,
  trainLimit: 1024,
  evalLimit: 500,
  outlierCount: 512,
  sigma2: 50,
  sigma2Sweep: [1, 50],
  countSweep: [100, 512],
  ood: ['mnist', 'gaussian', 'uniform'],
  generator: 'fashion-mnist-cgan',
};

/** The outlier sources of Table 1's rows (the control has none). */
export const sources = ['noise', 'generated', 'natural'] as const;
export const losses = ['oe', 'energy'] as const;

/** Folder name of a run. */
export function runName(kind: string, seed: number): string {
  return `${kind}-s${seed}`;
}

/**
 * The jobs of `goe reproduce images`: per seed a baseline, a control and one fine-tuning per outlier
 * source × loss, each followed by `goe eval --json`; on the first seed the σ² sweep (Fig. 2) and the
 * number-of-outliers ablation (Fig. 5). Runs shared between tables are made once.
 */
export function imagesPlan(c: ImagesPlanConfig, dir: string): Job[] {
  const jobs: Job[] = [];
  const limit = c.trainLimit ? ['--limit', String(c.trainLimit)] : [];
  const evalLimit = c.evalLimit ? ['--limit', String(c.evalLimit)] : [];
  const addEval = (run: string, after: string) =>
    jobs.push(
      withPlots(
        {
          id: `eval-${run}`,
          args: ['eval', '--model', join(dir, run), '--ood', c.ood.join(','), '--json', ...evalLimit],
          output: join(dir, run, 'eval.json'),
          stdoutTo: join(dir, run, 'eval.json'),
          after: [after],
        },
        dir,
        run,
        c.seeds[0],
      ),
    );
  const finetune = (run: string, seed: number, extra: string[]) => {
    jobs.push({
      id: run,
      args: [
        'finetune',
        '--from',
        join(dir, runName('baseline', seed)),
        ...extra,
        '--epochs',
        String(c.finetuneEpochs),
        '--seed',
        String(seed),
        '--generator',
        c.generator,
        '--out',
        join(dir, run),
        ...limit,
      ],
      output: join(dir, run, 'manifest.json'),
      after: [runName('baseline', seed)],
    });
    addEval(run, run);
  };
  for (const seed of c.seeds) {
    const base = runName('baseline', seed);
    jobs.push({
      id: base,
      args: [
        'train',
        '--data',
        'fashion-mnist',
        '--out',
        join(dir, base),
        '--epochs',
        String(c.baselineEpochs),
        '--seed',
        String(seed),
        ...limit,
      ],
      output: join(dir, base, 'manifest.json'),
    });
    addEval(base, base);
    finetune(runName('control', seed), seed, ['--outliers', 'none', '--loss', 'oe']);
    for (const source of sources) {
      for (const loss of losses) {
        const extra = ['--outliers', source, '--loss', loss, '--outlier-count', String(c.outlierCount)];
        if (source === 'generated') extra.push('--sigma2', String(c.sigma2));
        finetune(runName(`${source}-${loss}`, seed), seed, extra);
      }
    }
  }
  const s0 = c.seeds[0];
  for (const sigma2 of c.sigma2Sweep) {
    if (sigma2 === c.sigma2) continue; // the main GOE run of the first seed
    finetune(runName(`sigma2-${sigma2}`, s0), s0, [
      '--outliers',
      'generated',
      '--loss',
      'oe',
      '--sigma2',
      String(sigma2),
      '--outlier-count',
      String(c.outlierCount),
    ]);
  }
  for (const count of c.countSweep) {
    if (count === c.outlierCount) continue;
    finetune(runName(`count-${count}`, s0), s0, [
      '--outliers',
      'generated',
      '--loss',
      'oe',
      '--sigma2',
      String(c.sigma2),
      '--outlier-count',
      String(count),
    ]);
  }
  return jobs;
}
