import type { ImageSet } from '../datasets/image-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { type MixPart, mixOrder, mixturePool, parseOutlierMix } from '../outlier-mix.js';
import type { OutlierSpec } from '../outliers.js';

/** One choice `goe tune` scores: a grid point (σ² or T of `generated`) or a mixture. */
export interface Candidate {
  /** `σ²=5`, `T=1.5` or the mixture as written. */
  label: string;
  /** The grid value (σ² or T); undefined for a mixture. */
  value?: number;
  /** The mixture's parts; undefined for a grid point. */
  mix?: MixPart[];
}

/** Loads a pool of outliers for a spec (images or text windows at the classifier's shape). */
export type PoolLoader = (spec: OutlierSpec) => Promise<ImageSet | TextSet | undefined>;

/** A candidate's outliers: the pool and, for a mixture, the per-batch order of its parts. */
export interface CandidatePool {
  pool: ImageSet | TextSet;
  order?: (seed: number) => () => Int32Array;
}

/** Grid points then mixtures, as candidates; `knob` says whether values are σ² or T. */
export function candidatesOf(
  grid: readonly number[],
  mixtures: readonly string[],
  knob: 'sigma2' | 'temperature',
): Candidate[] {
  const label = (v: number) => `${knob === 'sigma2' ? 'σ²' : 'T'}=${v}`;
  return [
    ...grid.map((value) => ({ label: label(value), value })),
    ...mixtures.map((m) => ({ label: m, mix: parseOutlierMix(m) })),
  ];
}

/**
 * The outliers of `candidate`: `count` generated rows at its σ²/T (conditioned on `classes`), or its
 * mixture's parts (each part's pool loaded the same way) with quotas for `outlierBatch`.
 *
 * @throws {Error} when the pool is empty
 */
export async function candidatePool(
  candidate: Candidate,
  base: OutlierSpec,
  knob: 'sigma2' | 'temperature',
  outlierBatch: number,
  load: PoolLoader,
): Promise<CandidatePool> {
  if (candidate.mix) {
    const m = await mixturePool(candidate.mix, base, outlierBatch, load);
    return { pool: m.pool, order: (seed) => mixOrder(m.sizes, m.quotas, seed) };
  }
  const pool = await load({ ...base, source: 'generated', [knob]: candidate.value });
  if (!pool || pool.shape[0] === 0) throw new Error(`${candidate.label}: the generator gave no outliers`);
  return { pool };
}
