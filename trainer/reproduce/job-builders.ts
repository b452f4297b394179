import { join } from 'node:path';
import type { FinetuneRunOptions, TrainRunOptions } from '../runs.js';
import type { Job } from './jobs.js';

/**
 * The three jobs every reproduction plan is made of, one builder each so the plans (images, text, byo,
 * cifar6, tune) lay out runs the same way: run `run` lives in `dir/run`, a training job is done when
 * `dir/run/manifest.json` exists, an evaluation when `dir/run/eval.json` does.
 */

/** `goe train` into `dir/run` (a seed's baseline); no prerequisites. */
export function trainJob(dir: string, run: string, options: Omit<TrainRunOptions, 'out'>): Job {
  return {
    id: run,
    task: { kind: 'train', options: { ...options, out: join(dir, run) } },
    output: join(dir, run, 'manifest.json'),
  };
}

/**
 * `goe finetune` of the classifier in `dir/base` into `dir/run`, after the job `base` and the jobs in
 * `after` (an outlier pool, a generator).
 */
export function finetuneJob(
  dir: string,
  run: string,
  base: string,
  options: Omit<FinetuneRunOptions, 'from' | 'out'>,
  after: readonly string[] = [],
): Job {
  return {
    id: run,
    task: { kind: 'finetune', options: { from: join(dir, base), ...options, out: join(dir, run) } },
    output: join(dir, run, 'manifest.json'),
    after: [base, ...after],
  };
}

/**
 * `goe eval --json --detector all` of `dir/run` against the OOD sets `ood` (names or paths), on the first
 * `limit` rows of each set (undefined = all), written to `dir/run/eval.json`; job id `eval-RUN`, after `run`.
 */
export function evalJob(dir: string, run: string, ood: readonly string[], limit?: number): Job {
  return {
    id: `eval-${run}`,
    task: {
      kind: 'eval',
      options: { model: join(dir, run), ood: ood.join(','), detector: 'all', limit },
      out: join(dir, run, 'eval.json'),
    },
    output: join(dir, run, 'eval.json'),
    after: [run],
  };
}
