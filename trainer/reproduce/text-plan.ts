import { join } from 'node:path';
import type { FinetuneRunOptions } from '../runs.js';
import { evalJob, finetuneJob, trainJob } from './job-builders.js';
import type { Job } from './jobs.js';
import { losses, runName, sources, withPlots } from './plan.js';

/** The sizes of a text reproduction; `quick` is the CI smoke test, `full` the README's numbers. */
export interface TextPlanConfig {
  seeds: number[];
  baselineEpochs: number;
  finetuneEpochs: number;
  /** Rows per step: in-distribution windows, and as many outliers. */
  batch: number;
  /** Brown training windows used for the baseline and for fine-tuning (seeded subsets; undefined = all). */
  trainLimit?: number;
  finetuneLimit?: number;
  /** Windows per set at evaluation (in-distribution test subset and each OOD set). */
  evalLimit: number;
  outlierCount: number;
  temperature: number;
  temperatureSweep: number[];
  /** Seed of the generated outlier pools (one pool per temperature, shared by the fine-tuning seeds). */
  poolSeed: number;
  ood: string[];
  generator: string;
}

export const fullTextConfig: TextPlanConfig = {
  seeds: [0, 1, 2],
  baselineEpochs: 2,
  finetuneEpochs: 1,
  batch: 128,
  finetuneLimit: 8192,
  evalLimit: 2000,
  outlierCount: 3000,
  temperature: 2,
  temperatureSweep: [0.5, 0.8, 1, 1.5, 2, 3, 5],
  poolSeed: 7,
  ood: ['spam-assassin', 'sotu'],
  generator: 'brown-lm',
};

export const quickTextConfig: TextPlanConfig = {
  seeds: [0],
  baselineEpochs: 1,
  finetuneEpochs: 1,
  batch: 64,
  trainLimit: 512,
  finetuneLimit: 256,
  evalLimit: 200,
  outlierCount: 128,
  temperature: 2,
  temperatureSweep: [1, 2],
  poolSeed: 7,
  ood: ['spam-assassin', 'sotu'],
  generator: 'brown-lm',
};

/** File of the generated outlier pool at temperature T. */
export const poolFile = (dir: string, t: number) => join(dir, `pool-T${t}.ndjson`);

/**
 * The jobs of `goe reproduce text`: per seed a baseline, a control and one fine-tuning per outlier
 * source × loss, each followed by `goe eval --json`; on the first seed the temperature sweep (OE loss,
 * MSP). Generated outliers are drawn once per temperature with `goe sample` and shared by the seeds.
 * Jobs that need the language model come last, so everything else finishes even while it trains.
 */
export function textPlan(c: TextPlanConfig, dir: string): Job[] {
  const jobs: Job[] = [];
  const late: Job[] = [];
  const addEval = (list: Job[], run: string) =>
    list.push(withPlots(evalJob(dir, run, c.ood, c.evalLimit), dir, run, c.seeds[0]));
  const finetune = (
    list: Job[],
    run: string,
    seed: number,
    outliers: Pick<FinetuneRunOptions, 'outliers' | 'loss'>,
    after: string[] = [],
  ) => {
    list.push(
      finetuneJob(
        dir,
        run,
        runName('baseline', seed),
        {
          ...outliers,
          outlierCount: c.outlierCount,
          epochs: c.finetuneEpochs,
          batch: c.batch,
          outlierBatch: c.batch,
          seed,
          limit: c.finetuneLimit,
        },
        after,
      ),
    );
    addEval(list, run);
  };
  for (const t of c.temperatureSweep.includes(c.temperature)
    ? c.temperatureSweep
    : [...c.temperatureSweep, c.temperature]) {
    late.push({
      id: `pool-T${t}`,
      task: {
        kind: 'sample-text',
        model: c.generator,
        temperature: t,
        count: c.outlierCount,
        seed: c.poolSeed,
        out: poolFile(dir, t),
      },
      output: poolFile(dir, t),
    });
  }
  for (const seed of c.seeds) {
    const base = runName('baseline', seed);
    jobs.push(
      trainJob(dir, base, {
        data: 'brown',
        epochs: c.baselineEpochs,
        batch: c.batch,
        seed,
        limit: c.trainLimit,
      }),
    );
    addEval(jobs, base);
    finetune(jobs, runName('control', seed), seed, { outliers: 'none', loss: 'oe' });
    for (const source of sources) {
      for (const loss of losses) {
        const run = runName(`${source}-${loss}`, seed);
        if (source === 'generated') {
          finetune(late, run, seed, { outliers: poolFile(dir, c.temperature), loss }, [
            `pool-T${c.temperature}`,
          ]);
        } else finetune(jobs, run, seed, { outliers: source, loss });
      }
    }
  }
  const s0 = c.seeds[0];
  for (const t of c.temperatureSweep) {
    if (t === c.temperature) continue; // the main GOE run of the first seed
    finetune(late, runName(`temperature-${t}`, s0), s0, { outliers: poolFile(dir, t), loss: 'oe' }, [
      `pool-T${t}`,
    ]);
  }
  return [...jobs, ...late];
}
