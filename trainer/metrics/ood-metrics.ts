import { aurocOf } from './auroc.js';
import { auprInOf, auprOutOf } from './average-precision.js';
import { type OodLabels, type Scores, thresholdGroups } from './curve.js';
import { fprAtTprIdPositiveOf, fprAtTprOf } from './fpr-at-tpr.js';

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
  /**
   * FPR@95TPR, OOD positive (the toolkits' convention), see {@link fpr95tpr}. Lower is better. The same
   * value as {@link fpr95OodPositive}, kept under its first name for existing readers of eval JSON.
   */
  fpr95: number;
  /** FPR@95TPR, OOD positive: % of ID samples flagged when 95% of OOD samples are. Lower is better. */
  fpr95OodPositive: number;
  /**
   * FPR@95TPR, ID positive (the energy/ODIN papers' convention), see {@link fpr95tprIdPositive}: % of OOD
   * samples accepted when 95% of ID samples are. Lower is better.
   */
  fpr95IdPositive: number;
}

/** The metric keys of {@link OodMetrics}, in the order they are printed. */
export const OOD_METRIC_KEYS = [
  'auroc',
  'auprIn',
  'auprOut',
  'fpr95',
  'fpr95OodPositive',
  'fpr95IdPositive',
] as const satisfies readonly (keyof OodMetrics)[];

/**
 * AUROC, AUPR-IN, AUPR-OUT and FPR@95TPR (both conventions) of `scores` (higher = more OOD) against `isOod` (OOD = positive
 * class), in percent, from one O(n log n) sort. Definitions and papers: {@link auroc}, {@link auprIn},
 * {@link auprOut}, {@link fpr95tpr}.
 *
 * @throws {MetricsError} on a one-class input, a NaN score, a bad label or different lengths.
 */
export function oodMetrics(scores: Scores, isOod: OodLabels): OodMetrics {
  const g = thresholdGroups(scores, isOod);
  const fpr95 = 100 * fprAtTprOf(g, 0.95);
  return {
    auroc: 100 * aurocOf(g),
    auprIn: 100 * auprInOf(g),
    auprOut: 100 * auprOutOf(g),
    fpr95,
    fpr95OodPositive: fpr95,
    fpr95IdPositive: 100 * fprAtTprIdPositiveOf(g, 0.95),
  };
}
