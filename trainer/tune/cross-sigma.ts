/**
 * Criterion (b) of `goe tune`, "cross-σ² generalisation": the baseline itself is fine-tuned briefly with
 * each grid candidate's outliers (all classes; criterion (a)'s fine-tune and sizes), then its detector is
 * scored on outliers it was NOT exposed to — the generator's outliers at the other grid levels (drawn with
 * a fresh seed) and noise. A σ² whose exposure teaches the model to reject outliers in general, not only
 * its own kind, scores high. Only in-distribution data, the generator and the baseline are used.
 *
 * Value (per loss) = ½ · mean AUROC over the other levels + ½ · mean AUROC over the noise sets: two equal
 * blocks, so that the grid's size does not set the weight of noise. Levels that criterion (c) rules out as
 * in-distribution for the loss are not targets (no detector should flag data the baseline scores like its
 * own). Rule fixed in reports/tune-criterion-b.md before it was judged.
 */

import type { Vocab } from '../../runtime/text/vocab.js';
import type * as tf from '../../runtime/tf.js';
import { logitsOf } from '../classifier.js';
import type { ImageSet } from '../datasets/image-set.js';
import { gaussianNoise, uniformNoise } from '../datasets/noise.js';
import type { RowShape } from '../datasets/sources/image-source.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { randomTokens } from '../datasets/text/text-sources.js';
import type { EnergyMargins } from '../losses/index.js';
import type { OutlierSpec } from '../outliers.js';
import { type Candidate, candidatePool, type PoolLoader } from './candidates.js';
import { briefFinetune, type HeldOutSizes } from './held-out.js';
import { aurocPercent, DETECTOR_OF, detectorScores, type TuneLoss } from './scores.js';

type Rows = ImageSet | TextSet;

/** Criterion (b)'s value of one candidate and loss, and the AUROCs (%) it averages. */
export interface CrossSigmaValue {
  /** ½ · mean over `levels` + ½ · mean over `noise` (AUROC %, higher = better). */
  value: number;
  /** AUROC against the generator's outliers at each other accepted grid level, by label (`σ²=5`). */
  levels: Record<string, number>;
  /** AUROC against each noise set, by name (`uniform`, `gaussian`; `noise` for text). */
  noise: Record<string, number>;
}

/**
 * The seed of (b)'s target outliers: a fixed offset of the run's seed, so they are never the rows the
 * candidates were fine-tuned on (those use the run's seed) nor placement's.
 */
export function targetSeed(seed: number): number {
  return (seed ^ 0x6372_6f73) >>> 0;
}

/** (b)'s targets: every grid level's outliers (fresh seed) and the noise sets, `count` rows each. */
export interface CrossTargets {
  levels: { label: string; set: Rows }[];
  noise: { name: string; set: Rows }[];
}

/**
 * Draws the target sets: the grid levels through `load` (stops early, returning undefined, when
 * `expired()` says the budget is spent), then the noise — uniform and Gaussian at the row shape for
 * images (the evaluation protocol's two noise sets), uniform random tokens for text.
 */
export async function crossTargets(
  grid: readonly Candidate[],
  base: OutlierSpec,
  knob: 'sigma2' | 'temperature',
  count: number,
  load: PoolLoader,
  noise: { shape: RowShape } | { vocab: Vocab; length: number },
  expired: () => boolean,
): Promise<CrossTargets | undefined> {
  const seed = targetSeed(base.seed);
  const levels: CrossTargets['levels'] = [];
  for (const c of grid) {
    if (expired()) return undefined;
    const { pool } = await candidatePool(c, { ...base, count, seed }, knob, count, load);
    levels.push({ label: c.label, set: pool });
  }
  const sets =
    'shape' in noise
      ? [
          { name: 'uniform', set: uniformNoise(count, seed, { shape: noise.shape }) },
          { name: 'gaussian', set: gaussianNoise(count, seed, { shape: noise.shape }) },
        ]
      : [{ name: 'noise', set: randomTokens(noise.vocab, noise.length, count, seed) }];
  return { levels, noise: sets };
}

/**
 * Fine-tunes `model` (from `weights`) with `candidate`'s outliers and scores (b) for `loss`; undefined
 * when `signal` stopped the fine-tune. `excluded` lists the level labels not to use as targets (ruled
 * out by placement). The model is left fine-tuned: the caller restores `weights`. With no other
 * accepted level (a grid of one) the value is the noise block alone.
 */
export async function crossSigmaValue(
  model: tf.LayersModel,
  weights: tf.Tensor[],
  c: {
    candidate: Candidate;
    finetune: Rows;
    inTest: Rows;
    targets: CrossTargets;
    excluded: ReadonlySet<string>;
    loss: TuneLoss;
    margins?: EnergyMargins;
    base: OutlierSpec;
    knob: 'sigma2' | 'temperature';
    load: PoolLoader;
  },
  o: { sizes: HeldOutSizes; seed: number; text: boolean; signal?: AbortSignal },
): Promise<CrossSigmaValue | undefined> {
  const { candidate, loss } = c;
  const pool = await candidatePool(
    candidate,
    { ...c.base, count: o.sizes.finetuneRows },
    c.knob,
    o.sizes.batch,
    c.load,
  );
  if (!(await briefFinetune(model, weights, c.finetune, pool, loss, c.margins, o))) return undefined;
  const k = (model.outputs[0].shape as number[])[1];
  const d = DETECTOR_OF[loss];
  const inScores = detectorScores(d, logitsOf(model, c.inTest), k);
  const score = (set: Rows) => aurocPercent(inScores, detectorScores(d, logitsOf(model, set), k));
  const levels: Record<string, number> = {};
  for (const t of c.targets.levels) {
    if (t.label !== candidate.label && !c.excluded.has(t.label)) levels[t.label] = score(t.set);
  }
  const noise: Record<string, number> = {};
  for (const t of c.targets.noise) noise[t.name] = score(t.set);
  return { value: crossSigmaAggregate(levels, noise), levels, noise };
}

/**
 * ½ · mean(levels) + ½ · mean(noise); a block with no entry is left out (the other block alone).
 *
 * @throws {Error} when both blocks are empty
 */
export function crossSigmaAggregate(
  levels: Readonly<Record<string, number>>,
  noise: Readonly<Record<string, number>>,
): number {
  const mean = (r: Readonly<Record<string, number>>) => {
    const v = Object.values(r);
    return v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length;
  };
  const blocks = [mean(levels), mean(noise)].filter((x): x is number => x !== undefined);
  if (blocks.length === 0) throw new Error('criterion (b) has no target to score');
  return blocks.reduce((a, b) => a + b, 0) / blocks.length;
}
