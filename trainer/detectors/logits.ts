import type * as tf from '../../runtime/tf.js';
import { DetectorArgumentError } from './errors.js';

/** Checks a row-major `[n, numClasses]` logits matrix and returns `n`. */
export function logitRows(logits: ArrayLike<number>, numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new DetectorArgumentError(
      'numClasses',
      numClasses,
      `numClasses must be a whole number ≥ 1, got ${numClasses}`,
    );
  }
  if (logits.length % numClasses !== 0) {
    throw new DetectorArgumentError(
      'logits',
      logits,
      `logits length ${logits.length} is not a multiple of numClasses ${numClasses}`,
    );
  }
  return logits.length / numClasses;
}

/** Checks that a logits tensor is a `[n, numClasses]` matrix with at least one class. */
export function checkLogitTensor(logits: tf.Tensor): void {
  if (logits.rank !== 2 || logits.shape[1] === 0) {
    throw new DetectorArgumentError(
      'logits',
      logits.shape,
      `logits must be a [n, numClasses] tensor with numClasses ≥ 1, got shape [${logits.shape.join(', ')}]`,
    );
  }
}

/** The largest of `logits[start .. start + count)`. */
export function rowMax(logits: ArrayLike<number>, start: number, count: number): number {
  let m = logits[start];
  for (let c = 1; c < count; c++) if (logits[start + c] > m) m = logits[start + c];
  return m;
}
