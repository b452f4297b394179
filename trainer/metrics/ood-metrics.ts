import { aurocOf } from './auroc.js';
import { auprInOf, auprOutOf } from './average-precision.js';
import { type OodLabels, type Scores, thresholdGroups } from './curve.js';
import { fprAtTprOf } from './fpr-at-tpr.js';

/**
 * The four OOD detection metrics of goe's evaluation protocol, in percent (0–100) at full precision; round
 * to two decimals only when presenting (the paper's tables).
 */
export interface OodMetrics {
  /** AUROC, see {@link auroc}. Higher is better. */
  auroc: number;
  /** AUPR-IN (ID positive, negated scores), see {@link auprIn}. Higher is better. */
  auprIn: number;
  /** AUPR-OUT (OOD positive), see {@link auprOut}. Higher is better. */
  auprOut: number;
  /** FPR@95TPR, see {@link fpr95tpr}. Lower is better. */
  fpr95: number;
}

/**
 * AUROC, AUPR-IN, AUPR-OUT and FPR@95TPR of `scores` (higher = more OOD) against `isOod` (OOD = positive
 * class), in percent, from one O(n log n) sort. Definitions and papers: {@link auroc}, {@link auprIn},
 * {@link auprOut}, {@link fpr95tpr}.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function oodMetrics(scores: Scores, isOod: OodLabels): OodMetrics {
  const g = thresholdGroups(scores, isOod);
  return {
    auroc: 100 * aurocOf(g),
    auprIn: 100 * auprInOf(g),
    auprOut: 100 * auprOutOf(g),
    fpr95: 100 * fprAtTprOf(g, 0.95),
  };
}
