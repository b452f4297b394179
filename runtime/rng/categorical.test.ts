import { describe, expect, it } from 'vitest';
import { categoricalFromUniform, softmax } from './categorical.js';
import { RngArgumentError } from './errors.js';

const paramOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RngArgumentError) return e.param;
    throw e;
  }
  return undefined;
};

describe('softmax', () => {
  it('matches the textbook formula exp(l/T) / Σ exp(l/T)', () => {
    const logits = [1, 0.5, 0, -0.5, -1];
    for (const t of [0.5, 1, 2]) {
      const e = logits.map((l) => Math.exp(l / t));
      const z = e.reduce((a, b) => a + b, 0);
      const p = softmax(logits, t);
      e.forEach((ei, i) => {
        expect(p[i]).toBeCloseTo(ei / z, 15);
      });
    }
  });

  it('does not overflow on large logits (max subtraction)', () => {
    const p = softmax([1000, 1000, 999], 1);
    const e = Math.exp(-1);
    expect(Array.from(p)).toEqual([1 / (2 + e), 1 / (2 + e), e / (2 + e)].map((x) => expect.closeTo(x, 15)));
  });

  it('gives a masked (-Infinity) class probability 0', () => {
    expect(Array.from(softmax([0, Number.NEGATIVE_INFINITY], 1))).toEqual([1, 0]);
  });

  it('is one-hot at the first argmax for temperature 0', () => {
    expect(Array.from(softmax([1, 5, 5, -2], 0))).toEqual([0, 1, 0, 0]);
  });

  it('rejects empty, NaN, +Infinity and all-masked logits with the offending entry', () => {
    expect(paramOf(() => softmax([]))).toBe('logits');
    expect(paramOf(() => softmax([0, Number.NaN]))).toBe('logits[1]');
    expect(paramOf(() => softmax([Number.POSITIVE_INFINITY, 0]))).toBe('logits[0]');
    expect(paramOf(() => softmax([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]))).toBe('logits');
  });

  it.each([-0.1, Number.NaN, Number.POSITIVE_INFINITY])('rejects temperature %s', (t) => {
    expect(paramOf(() => softmax([0, 1], t))).toBe('temperature');
    expect(paramOf(() => categoricalFromUniform([0, 1], t, 0.5))).toBe('temperature');
  });
});

describe('categoricalFromUniform', () => {
  it('inverts the cumulative distribution', () => {
    const logits = [Math.log(0.2), Math.log(0.5), Math.log(0.3)];
    expect(categoricalFromUniform(logits, 1, 0.1)).toBe(0);
    expect(categoricalFromUniform(logits, 1, 0.21)).toBe(1);
    expect(categoricalFromUniform(logits, 1, 0.69)).toBe(1);
    expect(categoricalFromUniform(logits, 1, 0.71)).toBe(2);
    expect(categoricalFromUniform(logits, 1, 1 - 2 ** -53)).toBe(2);
  });

  it('skips masked classes even at the ends of the CDF', () => {
    const ninf = Number.NEGATIVE_INFINITY;
    expect(categoricalFromUniform([ninf, 0, ninf], 1, 2 ** -53)).toBe(1);
    expect(categoricalFromUniform([ninf, 0, ninf], 1, 1 - 2 ** -53)).toBe(1);
  });
});
