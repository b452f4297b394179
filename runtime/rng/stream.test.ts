import { describe, expect, it } from 'vitest';
import { RngArgumentError } from './errors.js';
import { Purpose } from './purpose.js';
import { SampleStream, sampleStream } from './stream.js';

const draw = (seed: number, index: number, purpose: number, n = 8) => {
  const s = sampleStream(seed, index, purpose);
  return Array.from({ length: n }, () => s.nextUint32());
};

/** Runs `fn` and returns the RngArgumentError it throws (failing the test if it throws anything else). */
const thrown = (fn: () => unknown): RngArgumentError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RngArgumentError);
    expect(e).toBeInstanceOf(RangeError);
    return e as RngArgumentError;
  }
  throw new Error('expected an RngArgumentError');
};

describe('sampleStream', () => {
  it('gives the same values for the same (seed, index, purpose)', () => {
    expect(draw(7, 123, Purpose.LATENT, 20)).toEqual(draw(7, 123, Purpose.LATENT, 20));
    const a = sampleStream(7, 123, Purpose.LATENT);
    const b = sampleStream(7, 123, Purpose.LATENT);
    expect([a.uniform(), a.normal(1, 3), a.uniformInt(10), a.categorical([0, 1, 2], 0.7)]).toEqual([
      b.uniform(),
      b.normal(1, 3),
      b.uniformInt(10),
      b.categorical([0, 1, 2], 0.7),
    ]);
  });

  it('is the first Philox block for counter (index, 0, 0, 0) and key (seed, purpose)', () => {
    // Ties the stream to the Random123 all-zero known-answer vector.
    expect(draw(0, 0, 0, 4).map((w) => w.toString(16))).toEqual([
      '6627e8d5',
      'e169c58d',
      'bc57ac4c',
      '9b00dbd8',
    ]);
  });

  it('accepts seed 0 as an ordinary seed', () => {
    const zero = draw(0, 5, Purpose.LATENT);
    expect(zero).toEqual(draw(0, 5, Purpose.LATENT));
    expect(zero).not.toEqual(draw(1, 5, Purpose.LATENT));
    expect(sampleStream(0, 0, Purpose.LATENT).seed).toBe(0);
  });

  it('gives different values for different seeds, indices and purposes', () => {
    const base = draw(42, 1000, Purpose.LATENT);
    expect(draw(43, 1000, Purpose.LATENT)).not.toEqual(base);
    expect(draw(42, 1001, Purpose.LATENT)).not.toEqual(base);
    expect(draw(42, 1000, Purpose.CLASS)).not.toEqual(base);
    expect(draw(42, 1000, Purpose.TOKEN)).not.toEqual(draw(42, 1000, Purpose.CLASS));
    // The high word of the index is used: index 2^32 is not index 0.
    expect(draw(42, 2 ** 32, Purpose.LATENT)).not.toEqual(draw(42, 0, Purpose.LATENT));
  });

  it('accepts the largest seed, purpose and safe index', () => {
    const s = sampleStream(2 ** 32 - 1, Number.MAX_SAFE_INTEGER, 2 ** 32 - 1);
    expect(s.uniform()).toBeGreaterThan(0);
  });

  it('does not depend on other streams drawn in between', () => {
    const alone = draw(9, 3, Purpose.LATENT, 12);
    const a = sampleStream(9, 3, Purpose.LATENT);
    const other = sampleStream(9, 4, Purpose.LATENT);
    const interleaved: number[] = [];
    for (let i = 0; i < 12; i++) {
      interleaved.push(a.nextUint32());
      other.nextUint32();
      other.normal();
    }
    expect(interleaved).toEqual(alone);
  });

  it('continues across Philox blocks without repeating', () => {
    const xs = draw(1, 2, Purpose.TOKEN, 4000);
    expect(new Set(xs).size).toBe(xs.length);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects seed %s with a typed error naming the parameter',
    (seed) => {
      const e = thrown(() => sampleStream(seed, 0, Purpose.LATENT));
      expect(e.param).toBe('seed');
      expect(e.value).toBe(seed);
      expect(e.message).toContain('seed');
    },
  );

  it.each([-1, 2 ** 53, 0.5, Number.NaN])('rejects index %s', (index) => {
    const e = thrown(() => new SampleStream(1, index, Purpose.LATENT));
    expect(e.param).toBe('index');
    expect(e.value).toBe(index);
  });

  it.each([-1, 2 ** 32, 2.5])('rejects purpose %s', (purpose) => {
    expect(thrown(() => sampleStream(1, 0, purpose)).param).toBe('purpose');
  });
});

describe('SampleStream draws', () => {
  it('uniform() stays inside the open interval (0, 1)', () => {
    const s = sampleStream(3, 0, Purpose.LATENT);
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = s.uniform();
      if (!(u > 0 && u < 1)) outside++;
    }
    expect(outside).toBe(0);
  });

  it('normal() with variance 0 returns the mean exactly', () => {
    expect(sampleStream(3, 0, Purpose.LATENT).normal(2.5, 0)).toBe(2.5);
  });

  it('normal() scales one standard deviate by the square root of the variance', () => {
    const a = sampleStream(3, 1, Purpose.LATENT).normal(0, 1);
    const b = sampleStream(3, 1, Purpose.LATENT).normal(10, 50);
    expect(b).toBeCloseTo(10 + Math.sqrt(50) * a, 12);
  });

  it('fillNormal() equals successive normal(0, variance) calls, rounded to the array type', () => {
    const a = sampleStream(5, 6, Purpose.LATENT);
    const expected = Array.from({ length: 7 }, () => a.normal(0, 50));
    const f64 = sampleStream(5, 6, Purpose.LATENT).fillNormal(new Float64Array(7), 50);
    const f32 = sampleStream(5, 6, Purpose.LATENT).fillNormal(new Float32Array(7), 50);
    expect(Array.from(f64)).toEqual(expected);
    expect(Array.from(f32)).toEqual(expected.map(Math.fround));
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects variance %s', (variance) => {
    const s = sampleStream(1, 0, Purpose.LATENT);
    expect(thrown(() => s.normal(0, variance)).param).toBe('variance');
    expect(thrown(() => s.fillNormal(new Float32Array(2), variance)).param).toBe('variance');
  });

  it('rejects a non-finite mean', () => {
    expect(thrown(() => sampleStream(1, 0, 1).normal(Number.NaN)).param).toBe('mean');
  });

  it('uniformInt(n) stays in [0, n) and accepts n = 1 and n = 2^32', () => {
    const s = sampleStream(8, 0, Purpose.CLASS);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(s.uniformInt(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.uniformInt(1)).toBe(0);
    const big = s.uniformInt(2 ** 32);
    expect(big >= 0 && big < 2 ** 32).toBe(true);
  });

  it.each([0, -3, 2.5, 2 ** 32 + 1, Number.NaN])('uniformInt rejects n = %s', (n) => {
    const e = thrown(() => sampleStream(1, 0, Purpose.CLASS).uniformInt(n));
    expect(e.param).toBe('n');
    expect(e.value).toBe(n);
  });

  it('categorical() with temperature 0 is the argmax and still consumes one uniform', () => {
    const a = sampleStream(4, 4, Purpose.TOKEN);
    const b = sampleStream(4, 4, Purpose.TOKEN);
    expect(a.categorical([0.1, 3, -2, 3], 0)).toBe(1); // first of tied maxima
    b.uniform();
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('categorical() never picks a class masked with -Infinity', () => {
    const s = sampleStream(4, 5, Purpose.TOKEN);
    const counts = [0, 0, 0];
    for (let i = 0; i < 2000; i++) counts[s.categorical([0, Number.NEGATIVE_INFINITY, 0], 1)]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] + counts[2]).toBe(2000);
  });
});
