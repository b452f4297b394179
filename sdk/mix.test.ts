import { describe, expect, it } from 'vitest';
import type { ImageOutlierBatch, OutlierBatch } from './batch.js';
import { mixOutliers, mixQuotas } from './mix.js';

/** A stream of `batches` uint8 1×1×1 image batches of `size` rows whose pixel is `tag`·10 + row number. */
function stream(
  tag: number,
  batches: number,
  size: number,
  closed: { count: number },
): AsyncIterable<OutlierBatch> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let b = 0; b < batches; b++) {
          const data = Uint8Array.from({ length: size }, (_, i) => tag * 100 + b * size + i);
          yield {
            kind: 'image',
            dtype: 'uint8',
            data,
            shape: [size, 1, 1, 1],
            classes: new Int32Array(size).fill(tag),
            labels: Array(size).fill(`s${tag}`),
            indices: Float64Array.from(data),
          } satisfies ImageOutlierBatch;
        }
      } finally {
        closed.count++;
      }
    },
  };
}

async function collect(seed: number, closed = { count: 0 }) {
  const out: number[][] = [];
  const mixed = mixOutliers(
    [{ stream: stream(1, 10, 7, closed) }, { stream: stream(2, 10, 5, closed), weight: 3 }],
    { batchSize: 8, seed },
  );
  for await (const b of mixed) {
    out.push(Array.from((b as ImageOutlierBatch).data));
    if (out.length === 5) break;
  }
  return out;
}

describe('mixOutliers', () => {
  it('fills every batch with the fixed quota of each source, rows in stream order per source', async () => {
    const batches = await collect(0);
    expect(batches).toHaveLength(5);
    const fromSource = (b: number[], tag: number) => b.filter((x) => Math.floor(x / 100) === tag);
    for (const b of batches) {
      expect(b).toHaveLength(8);
      expect(fromSource(b, 1)).toHaveLength(2);
      expect(fromSource(b, 2)).toHaveLength(6);
    }
    const s1 = batches.flatMap((b) => fromSource(b, 1)).sort((a, b) => a - b);
    expect(s1).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });

  it('is deterministic per seed: the same seed repeats the batches, another seed reorders rows', async () => {
    expect(await collect(1)).toEqual(await collect(1));
    expect(await collect(2)).not.toEqual(await collect(1));
  });

  it('stops every source when the loop leaves early', async () => {
    const closed = { count: 0 };
    await collect(0, closed);
    expect(closed.count).toBe(2);
  });

  it('ends when a source runs out', async () => {
    const closed = { count: 0 };
    const mixed = mixOutliers([{ stream: stream(1, 1, 3, closed) }, { stream: stream(2, 9, 9, closed) }], {
      batchSize: 4,
    });
    let n = 0;
    for await (const _ of mixed) n++;
    expect(n).toBe(1); // source 1 has 3 rows: one batch of 2 + 2, the second cannot be filled
    expect(closed.count).toBe(2);
  });

  it('refuses bad weights and batch sizes', () => {
    expect(() => mixQuotas([], 8)).toThrow(RangeError);
    expect(() => mixQuotas([1, 0], 8)).toThrow(/source 1: weight must be > 0/);
    expect(() => mixQuotas([1000, 1], 8)).toThrow(/source 1: weight too small/);
    expect(() => mixQuotas([1], 0)).toThrow(/batchSize/);
  });
});
