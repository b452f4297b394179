import { beforeAll, describe, expect, it } from 'vitest';
import { MetricsError } from './errors.js';
import { fpr95tpr, fprAtTpr } from './fpr-at-tpr.js';
import { type ReferenceCase, type SklearnMetrics, sklearnReference } from './sklearn-reference.js';

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

// 18 OOD on distinct high scores, then two ties of one OOD and one ID each (0.5 and 0.4), then 8 ID below.
// The first threshold with TPR ≥ 95% is 0.5 (19 of 20 OOD, 1 of 10 ID); its ROC point lies mid-way on the
// straight segment from the point of score 1 to that of 0.4, so roc_curve(drop_intermediate=True) drops it.
const dropped: ReferenceCase = {
  name: 'dropped by drop_intermediate',
  scores: [...range(18, (i) => 2 - i / 17), 0.5, 0.5, 0.4, 0.4, ...range(8, (i) => 0.3 - i / 30)],
  isOod: [...range(18, () => 1), 1, 0, 1, 0, ...range(8, () => 0)],
};
// 20 OOD: TPR is exactly 19/20 = 0.95 at the 19th, which must count as reaching 95%.
const boundary: ReferenceCase = {
  name: '19 of 20',
  scores: [...range(20, (i) => 20 - i), 1.5, 0.5, 19.5],
  isOod: [...range(20, () => 1), 0, 0, 0],
};

let reference: Record<string, SklearnMetrics>;
beforeAll(() => {
  reference = sklearnReference([dropped, boundary]);
});

describe('fpr95tpr', () => {
  it('takes the first threshold where TPR ≥ 95%, like roc_curve(drop_intermediate=False)', () => {
    expect(fpr95tpr(dropped.scores, dropped.isOod)).toBe(0.1);
    expect(reference[dropped.name].fpr95).toBe(0.1);
  });

  it('roc_curve with its default drop_intermediate=True can skip that threshold (reported there as 0.2)', () => {
    expect(reference[dropped.name].fpr95DropIntermediate).toBe(0.2);
  });

  it('counts a TPR of exactly 19/20 as reaching 95%', () => {
    // At the 19th OOD sample (score 2) one ID sample (19.5) is above: FPR 1/3.
    expect(fpr95tpr(boundary.scores, boundary.isOod)).toBe(1 / 3);
    expect(reference[boundary.name].fpr95).toBe(1 / 3);
  });

  it('hand-computed: both OOD samples flagged at 0.7, one of three ID above it', () => {
    expect(fpr95tpr([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0])).toBe(1 / 3);
  });
});

describe('fprAtTpr', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
  const isOod = [1, 0, 1, 0, 0];

  it('works at any TPR level in [0, 1]', () => {
    expect(fprAtTpr(scores, isOod, 0)).toBe(0);
    expect(fprAtTpr(scores, isOod, 0.5)).toBe(0);
    expect(fprAtTpr(scores, isOod, 0.51)).toBe(1 / 3);
    expect(fprAtTpr(scores, isOod, 1)).toBe(1 / 3);
    expect(fprAtTpr(scores, isOod, 0.95)).toBe(fpr95tpr(scores, isOod));
  });

  it('rejects a level outside [0, 1]', () => {
    for (const tpr of [-0.1, 1.01, Number.NaN]) {
      expect(() => fprAtTpr(scores, isOod, tpr)).toThrow(MetricsError);
    }
  });
});
