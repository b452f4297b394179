import { describe, expect, it } from 'vitest';
import { auroc } from './auroc.js';

describe('auroc (hand-computed; scikit-learn comparisons in ood-metrics.test.ts)', () => {
  it('counts the OOD–ID pairs ranked right', () => {
    // OOD 0.9 beats all 3 ID samples, OOD 0.7 beats 0.6 and 0.5: 5 of 6 pairs.
    expect(auroc([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0])).toBeCloseTo(5 / 6, 15);
  });

  it('counts a tie as half a pair', () => {
    // pairs: (1 vs 1) ½, (1 vs 0) 1, (0 vs 1) 0, (0 vs 0) ½ → 2 of 4
    expect(auroc([1, 1, 0, 0], [1, 0, 1, 0])).toBe(0.5);
    expect(auroc([2, 1, 1], [1, 1, 0])).toBe(0.75);
  });

  it('is 1 for perfect separation, 0 inverted, ½ for constant scores; higher score = more OOD', () => {
    expect(auroc([5, 4, 1, 0], [1, 1, 0, 0])).toBe(1);
    expect(auroc([0, 1, 4, 5], [1, 1, 0, 0])).toBe(0);
    expect(auroc([7, 7, 7], [0, 1, 0])).toBe(0.5);
  });
});
