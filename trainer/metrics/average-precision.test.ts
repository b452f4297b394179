import { describe, expect, it } from 'vitest';
import { auprIn, auprOut } from './average-precision.js';

describe('auprOut / auprIn (hand-computed; scikit-learn comparisons in ood-metrics.test.ts)', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
  const isOod = [1, 0, 1, 0, 0];

  it('AUPR-OUT: OOD positive, from the highest score down', () => {
    // OOD at ranks 1 and 3: precision 1/1 and 2/3, each at a recall step of ½.
    expect(auprOut(scores, isOod)).toBeCloseTo((1 + 2 / 3) / 2, 15);
  });

  it('AUPR-IN: ID positive on negated scores, from the lowest score up', () => {
    // ID at ranks 1, 2 and 4 from the bottom: precision 1, 1, 3/4, each at a recall step of ⅓.
    expect(auprIn(scores, isOod)).toBeCloseTo((1 + 1 + 3 / 4) / 3, 15);
  });

  it('AUPR-IN and AUPR-OUT are not swapped (pytorch-ood had them swapped for two years)', () => {
    // 1 OOD among 9 ID, ranked first: AUPR-OUT 1; ID are then all below it: AUPR-IN 1 as well.
    // Ranked last instead: AUPR-OUT is 1/10 (the OOD sample's precision), AUPR-IN stays high.
    const s = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const lastIsOod = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const firstIsOod = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(auprOut(s, lastIsOod)).toBe(1);
    expect(auprOut(s, firstIsOod)).toBeCloseTo(0.1, 15);
    expect(auprIn(s, firstIsOod)).toBeCloseTo(
      (1 / 2 + 2 / 3 + 3 / 4 + 4 / 5 + 5 / 6 + 6 / 7 + 7 / 8 + 8 / 9 + 9 / 10) / 9,
      15,
    );
  });

  it('a tie between an OOD and an ID sample is one threshold', () => {
    expect(auprOut([1, 1, 0, 0], [1, 0, 1, 0])).toBe(0.5);
    expect(auprIn([1, 1, 0, 0], [1, 0, 1, 0])).toBe(0.5);
  });
});
