import { type OodLabels, type Scores, thresholdGroups } from './curve.js';

/** Points of a ROC curve (OOD positive), in order of falling threshold, starting at (0, 0). */
export interface RocCurve {
  /** False-positive rates: the share of ID samples with score ≥ threshold. */
  fpr: Float64Array;
  /** True-positive rates: the share of OOD samples with score ≥ threshold. */
  tpr: Float64Array;
}

/**
 * The ROC curve with OOD as the positive class and higher score = more OOD: one point per distinct score
 * plus (0, 0), as scikit-learn's `roc_curve(is_ood, scores, drop_intermediate=False)` (whose first point
 * is (0, 0) at threshold +∞). For plots; the metrics are computed from the same groups.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function rocCurve(scores: Scores, isOod: OodLabels): RocCurve {
  const g = thresholdGroups(scores, isOod);
  const n = g.thresholds.length;
  const fpr = new Float64Array(n + 1);
  const tpr = new Float64Array(n + 1);
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    tp += g.ood[k];
    fp += g.id[k];
    tpr[k + 1] = tp / g.numOod;
    fpr[k + 1] = fp / g.numId;
  }
  return { fpr, tpr };
}
