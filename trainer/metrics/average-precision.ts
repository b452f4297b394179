import { type OodLabels, type Scores, type ThresholdGroups, thresholdGroups } from './curve.js';

/**
 * AUPR-OUT: average precision with OOD as the positive class, ranking by score (higher = more OOD), as a
 * fraction in [0, 1]; scikit-learn's `average_precision_score(is_ood, scores)`.
 *
 * Average precision is the step-function area under the precision–recall curve,
 * `AP = Σ_k (R_k − R_{k−1}) · P_k` over the distinct thresholds k in descending order (no interpolation;
 * Zhu, "Recall, precision and average precision", U. Waterloo 2004; Davis & Goadrich, ICML 2006, on why
 * PR curves are not interpolated linearly). AUPR-IN/-OUT as OOD metrics: Hendrycks & Gimpel, ICLR 2017.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function auprOut(scores: Scores, isOod: OodLabels): number {
  return auprOutOf(thresholdGroups(scores, isOod));
}

/**
 * AUPR-IN: average precision with in-distribution as the positive class, ranking by the negated score
 * (higher = more ID), as a fraction in [0, 1]; scikit-learn's `average_precision_score(1 − is_ood, −scores)`.
 * Formula and citations as {@link auprOut}.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function auprIn(scores: Scores, isOod: OodLabels): number {
  return auprInOf(thresholdGroups(scores, isOod));
}

/** {@link auprOut} of already grouped samples: walk the thresholds from the highest score down. */
export function auprOutOf(g: ThresholdGroups): number {
  let sum = 0;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.thresholds.length; k++) {
    tp += g.ood[k];
    fp += g.id[k];
    // R_k − R_{k−1} = ood_k / n_OOD and P_k = tp / (tp + fp); the division by n_OOD is done once at the end.
    if (g.ood[k] > 0) sum += (g.ood[k] * tp) / (tp + fp);
  }
  return sum / g.numOod;
}

/** {@link auprIn} of already grouped samples: negating the scores walks the same groups from the lowest up. */
export function auprInOf(g: ThresholdGroups): number {
  let sum = 0;
  let tp = 0;
  let fp = 0;
  for (let k = g.thresholds.length - 1; k >= 0; k--) {
    tp += g.id[k];
    fp += g.ood[k];
    if (g.id[k] > 0) sum += (g.id[k] * tp) / (tp + fp);
  }
  return sum / g.numId;
}
