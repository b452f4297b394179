import * as tf from '../../runtime/tf.js';
import type { Detector } from './detector.js';
import { checkLogitTensor, logitRows, rowMax } from './logits.js';

/**
 * Maximum logit: Hendrycks, Basart, Mazeika, Zou, Kwon, Mostajabi, Steinhardt & Song, "Scaling
 * Out-of-Distribution Detection for Real-World Settings", ICML 2022.
 *
 * `score(x) = −max_c f_c(x)`, so higher = more OOD. Unlike MSP it is not invariant to adding a constant to
 * all logits of a row; no exponentials, so nothing can overflow.
 */
export class MaxLogit implements Detector {
  readonly name = 'maxlogit' as const;

  /** MaxLogit scores of a row-major `[n, numClasses]` logits matrix. */
  static score(logits: ArrayLike<number>, numClasses: number): Float32Array {
    const n = logitRows(logits, numClasses);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = -rowMax(logits, i * numClasses, numClasses);
    return out;
  }

  /** {@link MaxLogit.score} on a `[n, numClasses]` tensor; the caller disposes it. */
  static scoreTensor(logits: tf.Tensor2D): tf.Tensor1D {
    checkLogitTensor(logits);
    return tf.tidy(() => tf.neg(tf.max(logits, 1)) as tf.Tensor1D);
  }

  score(logits: ArrayLike<number>, numClasses: number): Float32Array {
    return MaxLogit.score(logits, numClasses);
  }

  scoreTensor(logits: tf.Tensor2D): tf.Tensor1D {
    return MaxLogit.scoreTensor(logits);
  }
}
