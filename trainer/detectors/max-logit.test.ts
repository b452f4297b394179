import { describe, expect, it } from 'vitest';
import { DetectorArgumentError } from './errors.js';
import { MaxLogit } from './max-logit.js';

const f32 = (...x: number[]) => Float32Array.from(x);

describe('MaxLogit.score', () => {
  it('is −max logit (hand-computed), also at ±1000', () => {
    expect(Array.from(MaxLogit.score(f32(1, 3, 2, -5, -4, -6, 1000, -1000, 0), 3))).toEqual([-3, 4, -1000]);
    expect(Array.from(MaxLogit.score(f32(-1000, -1000), 2))).toEqual([1000]);
  });

  it('scores a confident ID sample lower (less OOD) than a uniform one', () => {
    const [confident, uniform] = MaxLogit.score(f32(10, 0, 0, 1, 1, 1), 3);
    expect(confident).toBeLessThan(uniform);
  });

  it('rejects a class count that does not fit the logits', () => {
    expect(() => MaxLogit.score(f32(1, 2, 3), 2)).toThrow(DetectorArgumentError);
    expect(() => MaxLogit.score(f32(1, 2, 3), 2)).toThrow(
      'logits length 3 is not a multiple of numClasses 2',
    );
    expect(() => MaxLogit.score(f32(1, 2), 0)).toThrow(/numClasses must be a whole number ≥ 1/);
    expect(MaxLogit.score(f32(), 10).length).toBe(0);
  });
});
