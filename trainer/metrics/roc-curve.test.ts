import { describe, expect, it } from 'vitest';
import { runPythonJson } from '../../test/helpers/python.js';
import { MetricsError } from './errors.js';
import { rocCurve } from './roc-curve.js';

describe('rocCurve', () => {
  it("equals scikit-learn's roc_curve(drop_intermediate=False), ties included", () => {
    // Scores on a coarse grid so that many ID and OOD samples tie.
    let state = 12345;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const n = 400;
    const isOod = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const scores = isOod.map((y) => Math.round((rand() + 0.4 * y) * 20) / 20);
    const ours = rocCurve(scores, isOod);
    const ref = runPythonJson<{ fpr: number[]; tpr: number[] }>(
      ['numpy', 'sklearn'],
      'import json, sys\nfrom sklearn.metrics import roc_curve\n' +
        'c = json.loads(sys.argv[1])\n' +
        'fpr, tpr, _ = roc_curve(c["y"], c["s"], drop_intermediate=False)\n' +
        'print(json.dumps({"fpr": fpr.tolist(), "tpr": tpr.tolist()}))',
      [JSON.stringify({ y: isOod, s: scores })],
    );
    expect(Array.from(ours.fpr)).toEqual(ref.fpr.map((v) => expect.closeTo(v, 12)));
    expect(Array.from(ours.tpr)).toEqual(ref.tpr.map((v) => expect.closeTo(v, 12)));
  });

  it('goes from (0, 0) to (1, 1), and rejects one-class input', () => {
    const c = rocCurve([0.1, 0.9, 0.5], [0, 1, 0]);
    expect([c.fpr[0], c.tpr[0]]).toEqual([0, 0]);
    expect([c.fpr.at(-1), c.tpr.at(-1)]).toEqual([1, 1]);
    expect(() => rocCurve([1, 2], [0, 0])).toThrow(MetricsError);
  });
});
