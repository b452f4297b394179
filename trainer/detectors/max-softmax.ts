import * as tf from '../../runtime/tf.js';
import type { Detector } from './detector.js';
import { checkLogitTensor, logitRows, rowMax } from './logits.js';

/**
 * Maximum softmax probability (MSP): Hendrycks & Gimpel, "A Baseline for Detecting Misclassified and
 * Out-of-Distribution Examples in Neural Networks", ICLR 2017.
 *
 * `score(x) = −max_c softmax(f(x))_c`, so higher = more OOD. With `m = max_c f_c` the maximum softmax is
 * `1 / Σ_c exp(f_c − m)`; subtracting `m` keeps every exponent ≤ 0, so logits of ±1000 do not overflow.
 */
export class MaxSoftmax implements Detector {
  readonly name = 'msp' as const;

  /** MSP scores of a row-major `[n, numClasses]` logits matrix, computed in float64. */
  static score(logits: ArrayLike<number>, numClasses: number): Float32Array {
    const n = logitRows(logits, numClasses);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const start = i * numClasses;
      const m = rowMax(logits, start, numClasses);
      let sum = 0;
      for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[start + c] - m);
      out[i] = -1 / sum;
    }
    return out;
  }

  /** {@link MaxSoftmax.score} on a `[n, numClasses]` tensor (float32 precision); the caller disposes it. */
  static scoreTensor(logits: tf.Tensor2D): tf.Tensor1D {
    checkLogitTensor(logits);
    return tf.tidy(() => {
      const m = tf.max(logits, 1, true);
      return tf.neg(tf.reciprocal(tf.sum(tf.exp(tf.sub(logits, m)), 1))) as tf.Tensor1D;
    });
  }

  score(logits: ArrayLike<number>, numClasses: number): Float32Array {
    return MaxSoftmax.score(logits, numClasses);
  }

  scoreTensor(logits: tf.Tensor2D): tf.Tensor1D {
    return MaxSoftmax.scoreTensor(logits);
  }
}
