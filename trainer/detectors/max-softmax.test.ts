import { describe, expect, it } from 'vitest';
import { MaxSoftmax } from './max-softmax.js';

const f32 = (...x: number[]) => Float32Array.from(x);

describe('MaxSoftmax.score', () => {
  it('is −max softmax (hand-computed)', () => {
    const s = MaxSoftmax.score(f32(0, 0, Math.log(3), 0, 1, 2, 3), 1);
    expect(s.length).toBe(7); // one class: softmax is 1 everywhere
    expect(Array.from(s)).toEqual([-1, -1, -1, -1, -1, -1, -1]);
    const [a, b, c] = MaxSoftmax.score(f32(0, 0, Math.log(3), 0, 1, 2, 3, 0), 2);
    expect(a).toBeCloseTo(-0.5, 7);
    expect(b).toBeCloseTo(-0.75, 7); // softmax(ln 3, 0) = (3/4, 1/4)
    expect(c).toBeCloseTo(-Math.exp(2) / (Math.exp(1) + Math.exp(2)), 7);
  });

  it('stays finite and exact at logits of ±1000 (max-subtraction)', () => {
    const s = MaxSoftmax.score(f32(1000, -1000, 0, 1000, 1000, 1000, -1000, -1000, -1000), 3);
    expect(s[0]).toBe(-1);
    expect(s[1]).toBeCloseTo(-1 / 3, 7);
    expect(s[2]).toBeCloseTo(-1 / 3, 7);
  });

  it('scores a confident ID sample lower (less OOD) than a uniform one', () => {
    const [confident, uniform] = MaxSoftmax.score(f32(10, 0, 0, 1, 1, 1), 3);
    expect(confident).toBeLessThan(uniform);
    expect(uniform).toBeCloseTo(-1 / 3, 7);
  });
});
