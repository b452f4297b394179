import { MetricsError } from './errors.js';

/** OOD detection scores, one per sample; higher = more likely OOD. */
export type Scores = ArrayLike<number>;

/** Ground truth per sample: `true`/`1` = OOD (the positive class), `false`/`0` = in-distribution. */
export type OodLabels = ArrayLike<boolean | number>;

/**
 * The counts behind every threshold metric: the distinct scores in descending order and, for each, how many
 * OOD and ID samples have exactly that score. Walking the groups in order and accumulating gives
 * scikit-learn's `_binary_clf_curve` (`tps`, `fps`, `thresholds`) with `drop_intermediate=False`.
 */
export interface ThresholdGroups {
  /** Distinct scores, descending (−0 and +0 are one score). */
  readonly thresholds: Float64Array;
  /** OOD samples per distinct score. */
  readonly ood: Float64Array;
  /** ID samples per distinct score. */
  readonly id: Float64Array;
  readonly numOod: number;
  readonly numId: number;
}

/**
 * Validates `(scores, isOod)` and groups the samples by distinct score, in O(n log n): the OOD and ID scores
 * are sorted separately (native typed-array sort) and merged from the top.
 *
 * @throws {MetricsError} on different lengths, a NaN score, a label other than a boolean or 0/1, or a
 * one-class input (no OOD or no ID sample).
 */
export function thresholdGroups(scores: Scores, isOod: OodLabels): ThresholdGroups {
  const n = scores.length;
  if (isOod.length !== n) {
    throw new MetricsError(
      'length-mismatch',
      `scores and labels differ in length: ${n} scores, ${isOod.length} labels`,
    );
  }
  let numOod = 0;
  for (let i = 0; i < n; i++) {
    const label = isOod[i];
    if (label === true || label === 1) numOod++;
    else if (label !== false && label !== 0) {
      throw new MetricsError(
        'bad-label',
        `label ${i} is ${JSON.stringify(label) ?? String(label)}; expected true/false or 1/0 (1 = OOD)`,
        i,
      );
    }
    const score = scores[i];
    if (typeof score !== 'number' || Number.isNaN(score)) {
      throw new MetricsError('nan-score', `score ${i} is ${String(score)}; expected a number`, i);
    }
  }
  const numId = n - numOod;
  if (numOod === 0 || numId === 0) {
    throw new MetricsError(
      'one-class',
      `OOD metrics need both ID and OOD samples, got ${numOod} OOD and ${numId} ID`,
    );
  }

  const pos = new Float64Array(numOod);
  const neg = new Float64Array(numId);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    // `+ 0` turns −0 into +0: typed-array sort orders −0 before +0, but they are one score (as in numpy).
    const s = scores[i] + 0;
    if (isOod[i] === true || isOod[i] === 1) pos[p++] = s;
    else neg[q++] = s;
  }
  pos.sort();
  neg.sort();

  const thresholds = new Float64Array(n);
  const ood = new Float64Array(n);
  const id = new Float64Array(n);
  let k = 0;
  let i = numOod - 1;
  let j = numId - 1;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    let dOod = 0;
    let dId = 0;
    while (i >= 0 && pos[i] === t) {
      i--;
      dOod++;
    }
    while (j >= 0 && neg[j] === t) {
      j--;
      dId++;
    }
    thresholds[k] = t;
    ood[k] = dOod;
    id[k] = dId;
    k++;
  }
  return {
    thresholds: thresholds.subarray(0, k),
    ood: ood.subarray(0, k),
    id: id.subarray(0, k),
    numOod,
    numId,
  };
}
