/**
 * Outlier mixtures: one OE run whose every outlier batch holds rows of several sources in fixed
 * proportions (`--outliers generated:sigma2=5,generated:sigma2=50,noise:0.5`). The sources' pools are
 * concatenated; {@link mixOrder} hands out each step's indices, a fixed quota per source, each source
 * cycled by its own seeded shuffle, so the run depends only on the seed.
 */
import { concatSets, type ImageSet } from './datasets/image-set.js';
import { type TextSet, textSetOf } from './datasets/text/text-set.js';
import { permutation } from './fit.js';
import type { OutlierSpec } from './outliers.js';

/** One source of a mixture and its share of each batch (weights are normalised over the parts). */
export interface MixPart {
  /** The part as written (error messages, provenance). */
  text: string;
  source: string;
  sigma2?: number;
  temperature?: number;
  generator?: string;
  weight: number;
}

/** Keys a part may set, `key=value` after the source. */
const KEYS = ['sigma2', 'temperature', 'generator', 'weight'] as const;
const ALIASES: Record<string, (typeof KEYS)[number]> = { t: 'temperature', T: 'temperature', w: 'weight' };

/** True when `text` names several sources or sets options on one (`a,b` or `generated:sigma2=5`). */
export function isMixture(text: string): boolean {
  return text.includes(',') || /^(generated|noise|natural):/.test(text);
}

/**
 * Parses `PART[,PART…]`, PART = `SOURCE[:key=value…][:WEIGHT]` with SOURCE generated | noise | natural
 * | PATH and keys sigma2, temperature (T), generator, weight (w). Weights default to 1.
 *
 * @throws {Error} one line naming the bad part: empty part, unknown key, a value that is not a
 *   non-negative number (sigma2, temperature > 0, weight > 0), `none` in a mixture
 */
export function parseOutlierMix(text: string, flag = '--outliers'): MixPart[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((part) => {
    const bad = (why: string) => new Error(`${flag} part "${part}": ${why}`);
    if (!part) throw bad('empty (two commas, or a comma at an end)');
    const [source, ...fields] = part.split(':');
    if (!source) throw bad('no source (generated, noise, natural or a PATH)');
    if (source === 'none') throw bad('none cannot be mixed (it is the no-outlier control)');
    const p: MixPart = { text: part, source, weight: 1 };
    for (const field of fields) {
      const eq = field.indexOf('=');
      const rawKey = eq < 0 ? 'weight' : field.slice(0, eq);
      const value = eq < 0 ? field : field.slice(eq + 1);
      const key = ALIASES[rawKey] ?? rawKey;
      if (!(KEYS as readonly string[]).includes(key))
        throw bad(`unknown key "${rawKey}" (use ${KEYS.join(', ')} or a bare weight)`);
      if (key === 'generator') {
        if (!value) throw bad('generator= needs an id or folder');
        p.generator = value;
        continue;
      }
      const x = value.trim() === '' ? Number.NaN : Number(value);
      const positive = key !== 'sigma2';
      if (!Number.isFinite(x) || x < 0 || (positive && x === 0))
        throw bad(`${key} must be a ${positive ? 'positive' : 'non-negative'} number, not "${value}"`);
      p[key as 'sigma2' | 'temperature' | 'weight'] = x;
    }
    if (source !== 'generated' && (p.sigma2 !== undefined || p.temperature !== undefined || p.generator))
      throw bad('sigma2, temperature and generator belong to generated outliers');
    return p;
  });
}

/**
 * Per-batch quota of each part: `batch` split in proportion to the weights by largest remainder (ties
 * to the earlier part), so the quotas sum to `batch` exactly and never change between steps.
 *
 * @throws {Error} when a part would get no row of a batch (its weight is below 1/batch of the total)
 */
export function mixQuotas(parts: readonly Pick<MixPart, 'text' | 'weight'>[], batch: number): number[] {
  const total = parts.reduce((s, p) => s + p.weight, 0);
  const exact = parts.map((p) => (batch * p.weight) / total);
  const quotas = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0, left = batch - quotas.reduce((s, q) => s + q, 0); k < left; k++) quotas[order[k].i]++;
  const starved = parts.findIndex((_, i) => quotas[i] === 0);
  if (starved >= 0) {
    throw new Error(
      `--outliers part "${parts[starved].text}": weight too small for an outlier batch of ${batch} (it would get no row)`,
    );
  }
  return quotas;
}

/** The pool count of each part: `count` split by weight (at least one row each). */
export function mixCounts(parts: readonly MixPart[], count: number): number[] {
  const total = parts.reduce((s, p) => s + p.weight, 0);
  return parts.map((p) => Math.max(1, Math.round((count * p.weight) / total)));
}

/**
 * The {@link OutlierSpec} of each part: `base` (count, seed, default generator, σ², T) overridden by the
 * part. Each part draws with its own seed (`seed + k·0x9E3779B1`, the golden-ratio step), so two
 * generated parts at different σ² do not share their latent noise.
 */
export function partSpecs(parts: readonly MixPart[], base: OutlierSpec): OutlierSpec[] {
  const counts = mixCounts(parts, base.count);
  return parts.map((p, k) => ({
    ...base,
    source: p.source,
    count: counts[k],
    seed: (base.seed + k * 0x9e3779b1) >>> 0,
    generator: p.generator ?? base.generator,
    sigma2: p.sigma2 ?? base.sigma2,
    temperature: p.temperature ?? base.temperature,
  }));
}

/** The Philox purpose of part k's shuffle: apart from the single-pool shuffle (TRAIN_CLASS). */
const MIX_PURPOSE = 0x6d69_7800;

/**
 * Index source for `FitOptions.outlierOrder`: each call returns one outlier batch, `quotas[k]` rows of
 * part k (its rows sit at `offsets[k]…` of the concatenated pool), in part order. Part k is cycled by
 * a seeded permutation per pass, like the single pool is.
 */
export function mixOrder(
  sizes: readonly number[],
  quotas: readonly number[],
  seed: number,
): () => Int32Array {
  const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((s, n) => s + n, 0));
  const pos = sizes.map(() => 0);
  const pass = sizes.map(() => 0);
  const perms = sizes.map((n, k) => permutation(n, seed, 0, MIX_PURPOSE + k));
  const batch = quotas.reduce((s, q) => s + q, 0);
  return () => {
    const out = new Int32Array(batch);
    let j = 0;
    for (let k = 0; k < sizes.length; k++) {
      for (let q = 0; q < quotas[k]; q++) {
        if (pos[k] === sizes[k]) {
          perms[k] = permutation(sizes[k], seed, ++pass[k], MIX_PURPOSE + k);
          pos[k] = 0;
        }
        out[j++] = offsets[k] + perms[k][pos[k]++];
      }
    }
    return out;
  };
}

/**
 * The pools of a mixture's parts, concatenated (images or text windows of one shape), with each part's
 * size and per-batch quota.
 *
 * @throws {Error} naming the part whose pool is empty, or from {@link mixQuotas}
 */
export async function mixturePool(
  parts: MixPart[],
  base: OutlierSpec,
  outlierBatch: number,
  load: (spec: OutlierSpec) => Promise<ImageSet | TextSet | undefined>,
): Promise<{ pool: ImageSet | TextSet; sizes: number[]; quotas: number[] }> {
  const quotas = mixQuotas(parts, outlierBatch);
  const pools: (ImageSet | TextSet)[] = [];
  for (const [k, spec] of partSpecs(parts, base).entries()) {
    const p = await load(spec);
    if (!p || p.shape[0] === 0) throw new Error(`--outliers part "${parts[k].text}": no outliers`);
    pools.push(p);
  }
  const name = `mix(${pools.map((p, k) => `${quotas[k]}/${outlierBatch} ${p.name}`).join(', ')})`;
  const sizes = pools.map((p) => p.shape[0]);
  if ('tokens' in pools[0]) {
    const length = pools[0].shape[1];
    const rows = (pools as TextSet[]).flatMap((p) =>
      Array.from({ length: p.shape[0] }, (_, i) => p.tokens.subarray(i * length, (i + 1) * length)),
    );
    return { pool: textSetOf(name, rows, length), sizes, quotas };
  }
  return { pool: concatSets(pools as ImageSet[], name), sizes, quotas };
}
