import { type OodLabels, type Scores, type ThresholdGroups, thresholdGroups } from './curve.js';

/**
 * Area under the ROC curve with OOD as the positive class and higher score = more OOD, as a fraction in
 * [0, 1]; ties count half, exactly as scikit-learn's `roc_auc_score`.
 *
 * The trapezoidal area under the ROC curve (Fawcett, "An introduction to ROC analysis", Pattern Recognition
 * Letters 2006) equals the Mann–Whitney statistic (Hanley & McNeil, Radiology 1982):
 * `AUROC = (#{(o, i): s_o > s_i} + ½·#{(o, i): s_o = s_i}) / (n_OOD · n_ID)` over OOD samples o and ID
 * samples i. It is counted here in integers (exact up to n ≈ 10⁸), then divided once.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function auroc(scores: Scores, isOod: OodLabels): number {
  return aurocOf(thresholdGroups(scores, isOod));
}

/** {@link auroc} of already grouped samples. */
export function aurocOf(g: ThresholdGroups): number {
  // Twice the Mann–Whitney count, so that the half-counted ties stay integers.
  let twiceU = 0;
  let oodAbove = 0;
  for (let k = 0; k < g.thresholds.length; k++) {
    twiceU += g.id[k] * (2 * oodAbove + g.ood[k]);
    oodAbove += g.ood[k];
  }
  return twiceU / (2 * g.numOod * g.numId);
}
