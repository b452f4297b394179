import { beforeAll, describe, expect, it } from 'vitest';
import { normalRows, uniformIntRows } from '../../runtime/rng/index.js';
import { auroc } from './auroc.js';
import { auprIn, auprOut } from './average-precision.js';
import { fpr95tpr, fpr95tprIdPositive } from './fpr-at-tpr.js';
import { oodMetrics } from './ood-metrics.js';
import { type ReferenceCase, type SklearnMetrics, sklearnReference } from './sklearn-reference.js';

/** `n` samples, `oodFraction` of them OOD, ID ~ N(0, 1) and OOD ~ N(shift, 1), from a fixed seed. */
function gaussianCase(name: string, seed: number, n: number, oodFraction: number, shift = 1): ReferenceCase {
  const z = normalRows(seed, 0, n, 1);
  const u = uniformIntRows(seed, 0, n, 1_000_000);
  const isOod = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    isOod[i] = u[i] < oodFraction * 1_000_000 ? 1 : 0;
    scores[i] = z[i] + (isOod[i] ? shift : 0);
  }
  return { name, scores, isOod };
}

function mapScores(c: ReferenceCase, name: string, f: (s: number, ood: boolean) => number): ReferenceCase {
  return {
    name,
    scores: Float64Array.from(c.scores, (s, i) => f(s, c.isOod[i] === 1)),
    isOod: c.isOod,
  };
}

const random = gaussianCase('random', 1, 2000, 0.3);
const cases: ReferenceCase[] = [
  random,
  // Float32Array input (the detectors' output type), with boolean labels.
  {
    name: 'float32 scores, boolean labels',
    scores: Float32Array.from(random.scores),
    isOod: Array.from(random.isOod, (v) => v === 1),
  },
  mapScores(random, 'heavy ties (1 decimal)', (s) => Math.round(s * 10) / 10),
  mapScores(random, 'heavier ties (integers)', (s) => Math.round(s)),
  gaussianCase('1% OOD', 2, 5000, 0.01),
  gaussianCase('99% OOD', 3, 5000, 0.99),
  mapScores(gaussianCase('1% OOD ties', 4, 5000, 0.01), '1% OOD, ties', (s) => Math.round(s * 10) / 10),
  mapScores(random, 'perfect separation', (s, ood) => (ood ? 10 + s : s - 10)),
  mapScores(random, 'inverted separation', (s, ood) => (ood ? s - 10 : 10 + s)),
  mapScores(random, 'all scores equal', () => 0.5),
  { name: 'n = 2, right order', scores: [0.9, 0.1], isOod: [1, 0] },
  { name: 'n = 2, wrong order', scores: [0.1, 0.9], isOod: [1, 0] },
  { name: 'n = 2, tied', scores: [0.3, 0.3], isOod: [0, 1] },
  gaussianCase('n = 100k', 5, 100_000, 0.5, 0.5),
  // OOD spread three times wider than ID: the two FPR95 conventions part ways.
  mapScores(gaussianCase('wide', 6, 4000, 0.5, 0), 'wide OOD tail', (s, ood) => (ood ? 1.5 + 3 * s : s)),
];

let reference: Record<string, SklearnMetrics>;
beforeAll(() => {
  reference = sklearnReference(cases);
});

/** |a − b| ≤ 1e-9, with the name of the case and metric in the failure message. */
function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs scikit-learn ${expected}`).toBeLessThanOrEqual(
    1e-9,
  );
}

describe('OOD metrics match scikit-learn 1.2 to 1e-9', () => {
  for (const c of cases) {
    it(c.name, () => {
      const ref = reference[c.name];
      expectClose(auroc(c.scores, c.isOod), ref.auroc, 'AUROC');
      expectClose(auprIn(c.scores, c.isOod), ref.auprIn, 'AUPR-IN');
      expectClose(auprOut(c.scores, c.isOod), ref.auprOut, 'AUPR-OUT');
      expectClose(fpr95tpr(c.scores, c.isOod), ref.fpr95, 'FPR@95TPR');
      const all = oodMetrics(c.scores, c.isOod);
      expectClose(all.auroc / 100, ref.auroc, 'oodMetrics AUROC');
      expectClose(all.auprIn / 100, ref.auprIn, 'oodMetrics AUPR-IN');
      expectClose(all.auprOut / 100, ref.auprOut, 'oodMetrics AUPR-OUT');
      expectClose(all.fpr95 / 100, ref.fpr95, 'oodMetrics FPR@95TPR');
      expectClose(all.fpr95OodPositive / 100, ref.fpr95, 'oodMetrics FPR@95TPR OOD positive');
      expectClose(fpr95tprIdPositive(c.scores, c.isOod), ref.fpr95IdPositive, 'FPR@95TPR ID positive');
      expectClose(all.fpr95IdPositive / 100, ref.fpr95IdPositive, 'oodMetrics FPR@95TPR ID positive');
    });
  }

  it('the cases cover what they claim', () => {
    const r = (name: string) => reference[name];
    expect(r('perfect separation')).toMatchObject({ auroc: 1, auprIn: 1, auprOut: 1, fpr95: 0 });
    expect(r('inverted separation').auroc).toBe(0);
    expect(r('inverted separation').fpr95).toBe(1);
    expect(r('perfect separation').fpr95IdPositive).toBe(0);
    expect(r('inverted separation').fpr95IdPositive).toBe(1);
    // With a wide OOD tail the conventions disagree by far more than noise.
    expect(Math.abs(r('wide OOD tail').fpr95IdPositive - r('wide OOD tail').fpr95)).toBeGreaterThan(0.2);
    expect(r('all scores equal').auroc).toBe(0.5);
    expect(r('n = 2, tied').auroc).toBe(0.5);
    const oneDecimal = new Set(cases[2].scores as Float64Array).size;
    expect(oneDecimal).toBeLessThan(100); // 2000 samples on fewer than 100 distinct scores
  });

  it('returns percent at full precision (no rounding)', () => {
    const m = oodMetrics(random.scores, random.isOod);
    expect(m.auroc).toBe(100 * auroc(random.scores, random.isOod));
    expect(m.auroc * 100).not.toBe(Math.round(m.auroc * 100));
    expect(Object.keys(m)).toEqual([
      'auroc',
      'auprIn',
      'auprOut',
      'fpr95',
      'fpr95OodPositive',
      'fpr95IdPositive',
    ]);
  });
});

describe('roc_curve drop_intermediate and FPR@95TPR', () => {
  it('without ties, drop_intermediate=True gives the same FPR@95TPR', () => {
    for (const name of ['random', '1% OOD', '99% OOD', 'n = 100k']) {
      expect(reference[name].fpr95DropIntermediate, name).toBe(reference[name].fpr95);
    }
  });
});
