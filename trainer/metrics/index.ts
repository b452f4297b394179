/**
 * OOD detection metrics, one definition used everywhere (DESIGN.md, "Evaluation protocol"):
 * score higher = more likely OOD; OOD is the positive class; AUROC with ties counting half; AUPR-OUT and
 * AUPR-IN as scikit-learn's `average_precision_score` (AUPR-IN with ID positive on negated scores);
 * FPR@95TPR at the first threshold with TPR ≥ 95%, no interpolation, in both conventions (OOD positive, the
 * toolkits'; ID positive, the energy/ODIN papers'). Each is checked against scikit-learn.
 *
 * The single metrics return fractions in [0, 1] (like scikit-learn); {@link oodMetrics} returns all four in
 * percent (like the paper's tables). A one-class input, a NaN score or a bad label throws
 * {@link MetricsError}, never a NaN. Labels may be booleans or 0/1.
 *
 * @module
 */
export { auroc } from './auroc.js';
export { auprIn, auprOut } from './average-precision.js';
export type { OodLabels, Scores } from './curve.js';
export { MetricsError, type MetricsErrorCode } from './errors.js';
export { fpr95tpr, fpr95tprIdPositive, fprAtTpr } from './fpr-at-tpr.js';
export { frechetDistance, type GaussianFit, gaussianFit } from './frechet.js';
export { OOD_METRIC_KEYS, type OodMetrics, oodMetrics } from './ood-metrics.js';
export { type RocCurve, rocCurve } from './roc-curve.js';
export { parseScoresCsv, SCORES_CSV_HEADER, ScoresCsvError, type ScoresTable } from './scores-csv.js';
