import { type OodLabels, type Scores, type ThresholdGroups, thresholdGroups } from './curve.js';
import { MetricsError } from './errors.js';

/**
 * FPR@95TPR with **OOD as the positive class**, the convention of the OOD toolkits (pytorch-ood's
 * `FPR95TPR`, OpenOOD): the fraction of ID samples flagged as OOD at the first threshold (scanning from the highest
 * score down) where at least 95% of the OOD samples are flagged, as a fraction in [0, 1]. No interpolation.
 * The OOD-detection metric of Liang et al. (ODIN, ICLR 2018) and Hendrycks et al. (Outlier Exposure, ICLR 2019).
 *
 * Equals scikit-learn's `fpr[argmax(tpr >= 0.95)]` of `roc_curve(is_ood, scores, drop_intermediate=False)`.
 * With the default `drop_intermediate=True` scikit-learn can skip that first threshold and report a larger
 * value: it drops the ROC point of a score when the next lower score holds exactly as many OOD and as many
 * ID samples (the point lies mid-segment), so when the score where TPR reaches 95% is a tie that includes ID
 * samples and the next score is a tie of the same make-up (two consecutive scores each held by one OOD and
 * one ID sample, say), `fpr[argmax(tpr >= 0.95)]` lands one score too low. Without ties the two agree (the
 * skipped point and the next one have the same FPR). `fpr-at-tpr.test.ts` shows both.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function fpr95tpr(scores: Scores, isOod: OodLabels): number {
  return fprAtTprOf(thresholdGroups(scores, isOod), 0.95);
}

/**
 * FPR@95TPR with **in-distribution as the positive class**, the convention of the energy-score and ODIN line
 * of papers (Liang et al., ICLR 2018, Table 2 "FPR at 95% TPR"; Liu et al., "Energy-based Out-of-distribution
 * Detection", NeurIPS 2020): the fraction of OOD samples still accepted as in-distribution (score at or below
 * the threshold) at the first threshold, scanning from the lowest score up, where at least 95% of the ID
 * samples are accepted. A fraction in [0, 1]; no interpolation. {@link fpr95tpr} is the other convention
 * (OOD positive: the fraction of ID samples flagged when 95% of the OOD samples are flagged); the two differ
 * whenever the tails of the two score distributions differ.
 *
 * Equals scikit-learn's `fpr[argmax(tpr >= 0.95)]` of `roc_curve(1 - is_ood, -scores, drop_intermediate=False)`.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function fpr95tprIdPositive(scores: Scores, isOod: OodLabels): number {
  return fprAtTprIdPositiveOf(thresholdGroups(scores, isOod), 0.95);
}

/** {@link fpr95tprIdPositive} at any `tpr` (share of ID samples accepted) of already grouped samples. */
export function fprAtTprIdPositiveOf(g: ThresholdGroups, tpr: number): number {
  checkTpr(tpr);
  if (tpr <= 0) return 0;
  let tp = 0;
  let fp = 0;
  // Lowest score first: negated scores in descending order, as roc_curve sees -scores.
  for (let k = g.thresholds.length - 1; k >= 0; k--) {
    tp += g.id[k];
    fp += g.ood[k];
    if (tp / g.numId >= tpr) return fp / g.numOod;
  }
  return 1; // unreachable: the last threshold has TPR = 1
}

/**
 * The false-positive rate at the first threshold whose true-positive rate (OOD flagged) is ≥ `tpr`, as in
 * {@link fpr95tpr} (which is `fprAtTpr(scores, isOod, 0.95)`). `tpr = 0` gives 0 (scikit-learn's
 * prepended (0, 0) point).
 *
 * @throws {MetricsError} when `tpr` is outside [0, 1], and as {@link fpr95tpr}.
 */
export function fprAtTpr(scores: Scores, isOod: OodLabels, tpr: number): number {
  checkTpr(tpr);
  return fprAtTprOf(thresholdGroups(scores, isOod), tpr);
}

/** {@link fprAtTpr} of already grouped samples. */
export function fprAtTprOf(g: ThresholdGroups, tpr: number): number {
  checkTpr(tpr);
  if (tpr <= 0) return 0;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.thresholds.length; k++) {
    tp += g.ood[k];
    fp += g.id[k];
    // The same float64 divisions as scikit-learn (tps / tps[-1] >= 0.95, fps / fps[-1]), so a TPR that lands
    // exactly on 0.95 (19 of 20) compares the same way.
    if (tp / g.numOod >= tpr) return fp / g.numId;
  }
  return 1; // unreachable: the last threshold has TPR = 1
}

function checkTpr(tpr: number): void {
  if (!(tpr >= 0 && tpr <= 1)) {
    throw new MetricsError('bad-argument', `tpr must be in [0, 1], got ${String(tpr)}`);
  }
}
