/**
 * Mixtures of outlier streams: batches holding rows of several sources (e.g. the same generator at
 * σ² = 5 and σ² = 50, and noise) in fixed proportions, for one Outlier Exposure loop — the SDK side of
 * `goe finetune --outliers generated:sigma2=5,generated:sigma2=50,noise`.
 */
import type { ImageOutlierBatch, OutlierBatch, TextOutlierBatch } from './batch.js';

/** One source of a mixture: a stream of batches (any batch size) and its weight (default 1). */
export interface MixSource {
  stream: AsyncIterable<OutlierBatch>;
  weight?: number;
}

export interface MixOptions {
  /** Rows per mixed batch. */
  batchSize: number;
  /** Seed of the row order inside each mixed batch (default 0); the quotas never depend on it. */
  seed?: number;
}

/**
 * Per-batch quota of each source: `batchSize` split in proportion to the weights by largest remainder
 * (ties to the earlier source), so every batch holds exactly these counts (the trainer's rule too).
 *
 * @throws {RangeError} for no sources, a weight that is not a finite number > 0, or a source whose
 *   share would round to no row
 */
export function mixQuotas(weights: readonly number[], batchSize: number): number[] {
  if (weights.length === 0) throw new RangeError('a mixture needs at least one source');
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w <= 0) throw new RangeError(`source ${i}: weight must be > 0, got ${w}`);
  });
  const total = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (batchSize * w) / total);
  const quotas = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0, left = batchSize - quotas.reduce((s, q) => s + q, 0); k < left; k++) quotas[order[k].i]++;
  const starved = quotas.indexOf(0);
  if (starved >= 0) throw new RangeError(`source ${starved}: weight too small for batches of ${batchSize}`);
  return quotas;
}

/** Rows of one source not yet handed out: the current batch and the next row in it. */
interface Cursor {
  it: AsyncIterator<OutlierBatch>;
  batch?: OutlierBatch;
  row: number;
}

/**
 * Mixes outlier streams into batches of `batchSize` rows: each batch takes the next `quota[k]` rows of
 * source k (see {@link mixQuotas}) and orders them by a shuffle seeded by (`seed`, batch number), so
 * sources are interleaved. Deterministic: the same streams and seed give the same batches. Ends when a
 * source runs out before filling its quota (the partial batch is dropped); stopping early (or an error)
 * also stops every source stream. Feed the result to `oeBatches` of `@goe/sdk/tfjs`.
 *
 * @throws {RangeError} as {@link mixQuotas}; {@link TypeError} when sources mix images and text, or
 *   images of different shapes or dtypes
 */
export async function* mixOutliers(
  sources: readonly MixSource[],
  options: MixOptions,
): AsyncGenerator<OutlierBatch> {
  const quotas = mixQuotas(
    sources.map((s) => s.weight ?? 1),
    options.batchSize,
  );
  const cursors: Cursor[] = sources.map((s) => ({ it: s.stream[Symbol.asyncIterator](), row: 0 }));
  try {
    for (let b = 0; ; b++) {
      const picked: { batch: OutlierBatch; row: number }[] = [];
      for (const [k, cur] of cursors.entries()) {
        for (let q = 0; q < quotas[k]; q++) {
          while (!cur.batch || cur.row >= rowCount(cur.batch)) {
            const next = await cur.it.next();
            if (next.done) return;
            cur.batch = next.value;
            cur.row = 0;
          }
          picked.push({ batch: cur.batch, row: cur.row++ });
        }
      }
      yield assemble(shuffled(picked, options.seed ?? 0, b));
    }
  } finally {
    await Promise.all(cursors.map((c) => c.it.return?.()));
  }
}

function rowCount(batch: OutlierBatch): number {
  return batch.classes.length;
}

/**
 * `items` in a seeded order (Fisher–Yates driven by mulberry32 keyed by seed and batch number):
 * hand-written because the SDK carries no RNG dependency and only needs a reproducible interleave.
 */
function shuffled<T>(items: T[], seed: number, batch: number): T[] {
  let state = (seed ^ Math.imul(batch + 1, 0x9e3779b1)) >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** One batch of the picked rows, in order. */
function assemble(picked: { batch: OutlierBatch; row: number }[]): OutlierBatch {
  const first = picked[0].batch;
  const n = picked.length;
  const classes = Int32Array.from(picked, (p) => p.batch.classes[p.row]);
  const labels = picked.map((p) => p.batch.labels[p.row]);
  const indices = Float64Array.from(picked, (p) => p.batch.indices[p.row]);
  if (first.kind === 'text') {
    if (picked.some((p) => p.batch.kind !== 'text'))
      throw new TypeError('cannot mix text and image outliers');
    const rows = picked as { batch: TextOutlierBatch; row: number }[];
    return {
      kind: 'text',
      texts: rows.map((p) => p.batch.texts[p.row]),
      tokens: rows.map((p) => p.batch.tokens[p.row]),
      classes,
      labels,
      indices,
    };
  }
  const [, h, w, c] = first.shape;
  const size = h * w * c;
  for (const p of picked) {
    const b = p.batch;
    if (b.kind !== 'image') throw new TypeError('cannot mix text and image outliers');
    if (b.shape.slice(1).join('x') !== first.shape.slice(1).join('x') || b.dtype !== first.dtype) {
      throw new TypeError(
        `cannot mix ${b.dtype} ${b.shape.slice(1).join('×')} images with ${first.dtype} ${first.shape.slice(1).join('×')} ones`,
      );
    }
  }
  const rows = picked as { batch: ImageOutlierBatch; row: number }[];
  const data = first.dtype === 'float32' ? new Float32Array(n * size) : new Uint8Array(n * size);
  rows.forEach((p, i) => {
    data.set(p.batch.data.subarray(p.row * size, (p.row + 1) * size), i * size);
  });
  const fields = {
    kind: 'image' as const,
    shape: [n, h, w, c] as [number, number, number, number],
    classes,
    labels,
    indices,
  };
  return first.dtype === 'float32'
    ? { ...fields, dtype: 'float32', data: data as Float32Array }
    : { ...fields, dtype: 'uint8', data: data as Uint8Array };
}
