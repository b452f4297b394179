import type * as tf from '../../runtime/tf.js';

/** The detectors goe evaluates, by the name the CLI and reports use. */
export const detectorNames = ['msp', 'energy', 'maxlogit'] as const;

/** One of {@link detectorNames}. */
export type DetectorName = (typeof detectorNames)[number];

/**
 * A post-hoc OOD detector on a classifier's logits. Convention for every detector: a higher score means more
 * likely out-of-distribution (DESIGN.md, "Evaluation protocol"), so scores feed `oodMetrics` directly.
 */
export interface Detector {
  readonly name: DetectorName;
  /**
   * Scores a row-major `[n, numClasses]` logits matrix, one score per row, computed in float64.
   * @throws {DetectorArgumentError} when `numClasses` is not a whole number ≥ 1 or does not divide the length.
   */
  score(logits: ArrayLike<number>, numClasses: number): Float32Array;
  /** The same on a `[n, numClasses]` tensor, in the tensor's precision (float32); the caller disposes the result. */
  scoreTensor(logits: tf.Tensor2D): tf.Tensor1D;
}
