import { describe, expect, it } from 'vitest';
import { auroc } from './auroc.js';
import { thresholdGroups } from './curve.js';
import { MetricsError } from './errors.js';
import { oodMetrics } from './ood-metrics.js';

function metricsError(f: () => unknown): MetricsError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(MetricsError);
    return err as MetricsError;
  }
  throw new Error('expected a MetricsError');
}

describe('thresholdGroups', () => {
  it('groups samples by distinct score, highest first, counting OOD and ID per score', () => {
    const g = thresholdGroups([0.2, 0.9, 0.2, 0.5, 0.9, 0.2], [1, 0, 0, true, 1, false]);
    expect(Array.from(g.thresholds)).toEqual([0.9, 0.5, 0.2]);
    expect(Array.from(g.ood)).toEqual([1, 1, 1]);
    expect(Array.from(g.id)).toEqual([1, 0, 2]);
    expect(g).toMatchObject({ numOod: 3, numId: 3 });
  });

  it('treats −0 and +0 as one score (as numpy does)', () => {
    expect(thresholdGroups([0, -0], [1, 0]).thresholds.length).toBe(1);
    expect(auroc([0, -0], [1, 0])).toBe(0.5);
    expect(auroc([-0, 0], [1, 0])).toBe(0.5);
  });

  it('ranks ±Infinity as the extreme scores', () => {
    const labels = [1, 0, 1, 0];
    expect(oodMetrics([Infinity, -Infinity, 3, 5], labels)).toEqual(
      oodMetrics([1e300, -1e300, 3, 5], labels),
    );
  });

  it('leaves its inputs untouched', () => {
    const scores = Float32Array.from([3, 1, 2]);
    thresholdGroups(scores, [0, 1, 0]);
    expect(Array.from(scores)).toEqual([3, 1, 2]);
  });

  it('is O(n log n): a million samples in well under the test timeout', () => {
    const n = 1_000_000;
    const scores = Float64Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000003) / 1000003);
    const isOod = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const t0 = performance.now();
    const m = oodMetrics(scores, isOod);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(m.auroc).toBeGreaterThan(40);
    expect(m.auroc).toBeLessThan(60);
  });
});

describe('inputs without an answer throw MetricsError, never NaN', () => {
  it('one class: no OOD sample', () => {
    const e = metricsError(() => oodMetrics([0.1, 0.2], [0, 0]));
    expect(e.code).toBe('one-class');
    expect(e.message).toMatch(/both ID and OOD samples, got 0 OOD and 2 ID/);
  });

  it('one class: no ID sample, and an empty input', () => {
    expect(metricsError(() => auroc([0.1, 0.2], [true, true])).code).toBe('one-class');
    expect(metricsError(() => auroc([], [])).code).toBe('one-class');
  });

  it('a NaN score, naming its index', () => {
    const e = metricsError(() => oodMetrics([0.1, Number.NaN, 0.3], [0, 1, 0]));
    expect(e).toMatchObject({ code: 'nan-score', index: 1 });
    expect(e.message).toBe('score 1 is NaN; expected a number');
  });

  it('a label other than a boolean or 0/1', () => {
    expect(metricsError(() => auroc([1, 2, 3], [0, 2, 1]))).toMatchObject({ code: 'bad-label', index: 1 });
    expect(metricsError(() => auroc([1, 2], [0.5, 1])).code).toBe('bad-label');
    expect(metricsError(() => auroc([1, 2], ['1', 0] as unknown as number[])).code).toBe('bad-label');
  });

  it('scores and labels of different lengths', () => {
    const e = metricsError(() => auroc([1, 2, 3], [0, 1]));
    expect(e.code).toBe('length-mismatch');
    expect(e.message).toMatch(/3 scores, 2 labels/);
  });
});
