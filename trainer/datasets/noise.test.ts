import { describe, expect, it } from 'vitest';
import { gaussianNoise, uniformNoise } from './noise.js';

function mean(a: Uint8Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

describe.each([
  ['gaussian', gaussianNoise],
  ['uniform', uniformNoise],
] as const)('%s noise', (name, draw) => {
  it('is a named 28×28×1 uint8 set', () => {
    const s = draw(3, 1);
    expect(s.name).toBe(name);
    expect(s.shape).toEqual([3, 28, 28, 1]);
    expect(s.images.length).toBe(3 * 784);
    expect(s.labels).toBeUndefined();
  });

  it('is the same bytes for the same seed and different for another', () => {
    expect(draw(20, 42).images).toEqual(draw(20, 42).images);
    expect(draw(20, 43).images).not.toEqual(draw(20, 42).images);
    expect(draw(2, 0).images).not.toEqual(draw(2, 1).images); // seed 0 is a real seed
  });

  it('makes a slice [k, k + m) equal to those rows of a bigger draw', () => {
    const big = draw(50, 7);
    const slice = draw(13, 7, { start: 21 });
    expect(slice.images).toEqual(big.images.subarray(21 * 784, 34 * 784));
  });

  it('makes different images within one draw', () => {
    const s = draw(2, 5);
    expect(s.images.subarray(0, 784)).not.toEqual(s.images.subarray(784));
  });

  it('rejects a bad count, start or seed', () => {
    expect(() => draw(-1, 1)).toThrow(/count must be an integer ≥ 0, got -1/);
    expect(() => draw(1.5, 1)).toThrow(/count/);
    expect(() => draw(1, 1, { start: -2 })).toThrow(/start must be an integer ≥ 0, got -2/);
    expect(() => draw(1, 2 ** 32)).toThrow(/seed must be an integer in \[0, 2\^32 - 1\], got 4294967296/);
    expect(draw(0, 1).images.length).toBe(0);
  });
});

describe('gaussianNoise statistics', () => {
  it('is clip(N(0.5, 0.5²), 0, 1) in [0, 1] pixel space', () => {
    const { images } = gaussianNoise(200, 123); // 156800 pixels
    const n = images.length;
    let zeros = 0;
    let full = 0;
    let sq = 0;
    for (const v of images) {
      if (v === 0) zeros++;
      if (v === 255) full++;
      sq += (v / 255 - 0.5) ** 2;
    }
    // P(round(255·x) = 0) = Φ((1/510 − 0.5) / 0.5) = Φ(−0.99608) ≈ 0.15961; same at 255 by symmetry.
    expect(zeros / n).toBeCloseTo(0.1596, 2);
    expect(full / n).toBeCloseTo(0.1596, 2);
    expect(mean(images) / 255).toBeCloseTo(0.5, 2);
    // Var of clip(N(0.5, 0.25), 0, 1): E[min(|Z|·0.5, 0.5)²] = 0.25·(E[min(Z², 1)]) ≈ 0.25·0.5161 = 0.1290.
    expect(sq / n).toBeCloseTo(0.129, 2);
  });
});

describe('uniformNoise statistics', () => {
  it('hits the 256 levels about equally', () => {
    const { images } = uniformNoise(200, 321);
    const counts = new Array(256).fill(0);
    for (const v of images) counts[v]++;
    const expected = images.length / 256;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: mean 255, sd ≈ 22.6; 370 is beyond the 99.99th percentile.
    expect(chi2).toBeLessThan(370);
    expect(mean(images)).toBeCloseTo(127.5, 0);
  });
});
