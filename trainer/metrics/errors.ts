/** Why a metric refused its input. */
export type MetricsErrorCode = 'one-class' | 'nan-score' | 'bad-label' | 'length-mismatch' | 'bad-argument';

/**
 * Thrown when a metric's input has no defined answer: a one-class input (no OOD or no ID sample, where
 * scikit-learn warns and returns NaN), a NaN score, a label that is not a boolean or 0/1, score and label
 * arrays of different lengths. Carries a stable `code` and, for per-sample faults, the sample `index`.
 */
export class MetricsError extends RangeError {
  override readonly name = 'MetricsError';

  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    readonly index?: number,
  ) {
    super(message);
  }
}
