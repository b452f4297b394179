import { describe, expect, it } from 'vitest';
import { RngArgumentError } from './errors.js';
import { Purpose } from './purpose.js';
import { normalRows, uniformIntRows } from './rows.js';
import { sampleStream } from './stream.js';

const SEED = 20240607;
const DIM = 16;

const row = (batch: Float32Array, r: number) => Array.from(batch.subarray(r * DIM, (r + 1) * DIM));

describe('normalRows', () => {
  const whole = normalRows(SEED, 0, 100, DIM, 50);

  it('gives the same rows whatever the slice start: rows 37..56 of a 100-batch equal a batch starting at 37', () => {
    const slice = normalRows(SEED, 37, 20, DIM, 50);
    expect(slice).toEqual(whole.subarray(37 * DIM, 57 * DIM));
  });

  it('gives the same rows whatever the batch size', () => {
    for (const size of [1, 7, 33]) {
      const parts: number[] = [];
      for (let start = 0; start < 100; start += size) {
        parts.push(...normalRows(SEED, start, Math.min(size, 100 - start), DIM, 50));
      }
      expect(Float32Array.from(parts)).toEqual(whole);
    }
  });

  it('row r equals the per-sample stream, whatever order the streams are made in', () => {
    for (let r = 99; r >= 0; r--) {
      const alone = sampleStream(SEED, r, Purpose.LATENT).fillNormal(new Float32Array(DIM), 50);
      expect(Array.from(alone)).toEqual(row(whole, r));
    }
  });

  it('a row is a prefix of the same sample with a larger dim', () => {
    const wide = normalRows(SEED, 5, 1, DIM * 2, 50);
    expect(Array.from(wide.subarray(0, DIM))).toEqual(row(whole, 5));
  });

  it('differs between seeds, sample indices and purposes', () => {
    expect(normalRows(SEED + 1, 0, 1, DIM, 50)).not.toEqual(whole.subarray(0, DIM));
    expect(row(whole, 0)).not.toEqual(row(whole, 1));
    expect(normalRows(SEED, 0, 1, DIM, 50, Purpose.CLASS)).not.toEqual(whole.subarray(0, DIM));
  });

  it('accepts seed 0, empty batches and a batch ending at the last safe index', () => {
    expect(normalRows(0, Number.MAX_SAFE_INTEGER, 1, 2)).toHaveLength(2);
    expect(normalRows(0, 0, 2, 3)).toHaveLength(6);
    expect(normalRows(0, 0, 0, 3)).toHaveLength(0);
    expect(normalRows(0, 4, 3, 0)).toHaveLength(0);
  });

  it.each([
    ['seed', () => normalRows(-1, 0, 1, 1)],
    ['seed', () => normalRows(2 ** 32, 0, 1, 1)],
    ['start', () => normalRows(1, -1, 1, 1)],
    ['count', () => normalRows(1, 0, 1.5, 1)],
    ['count', () => normalRows(1, Number.MAX_SAFE_INTEGER, 2, 1)],
    ['dim', () => normalRows(1, 0, 1, Number.NaN)],
    ['variance', () => normalRows(1, 0, 1, 1, -2)],
    ['purpose', () => normalRows(1, 0, 1, 1, 1, -1)],
  ] as const)('rejects a bad %s', (param, fn) => {
    expect(fn).toThrow(RngArgumentError);
    expect(fn).toThrow(expect.objectContaining({ param }));
  });
});

describe('uniformIntRows', () => {
  it('entry r equals sampleStream(seed, start + r, CLASS).uniformInt(n), in any batch', () => {
    const whole = uniformIntRows(SEED, 0, 200, 10);
    expect(uniformIntRows(SEED, 37, 20, 10)).toEqual(whole.subarray(37, 57));
    for (let r = 199; r >= 0; r--) {
      expect(sampleStream(SEED, r, Purpose.CLASS).uniformInt(10)).toBe(whole[r]);
    }
  });

  it('is independent of the latent stream of the same sample', () => {
    const classes = uniformIntRows(SEED, 0, 50, 2 ** 31);
    const fromLatent = Array.from({ length: 50 }, (_, r) =>
      sampleStream(SEED, r, Purpose.LATENT).uniformInt(2 ** 31),
    );
    expect(Array.from(classes)).not.toEqual(fromLatent);
  });

  it.each([0, 2 ** 31 + 1, 1.5])('rejects n = %s', (n) => {
    expect(() => uniformIntRows(1, 0, 1, n)).toThrow(expect.objectContaining({ param: 'n', value: n }));
  });
});
