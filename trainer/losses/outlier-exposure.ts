import * as tf from '../../runtime/tf.js';
import { crossEntropy } from './cross-entropy.js';

/**
 * Outlier Exposure loss (Hendrycks, Mazeika & Dietterich, "Deep Anomaly Detection with Outlier
 * Exposure", ICLR 2019): L = CE(f(x), y) + λ · mean_out(logsumexp f(x') − mean_c f_c(x')), the
 * cross-entropy from the outliers' softmax to the uniform distribution (up to the constant log C).
 * λ = 0.5 as in the paper's vision experiments.
 */
export class OutlierExposureLoss {
  constructor(readonly lambda = 0.5) {}

  /** The outlier term alone: mean over outliers of logsumexp(f) − mean_c f_c (≥ log C, = log C iff uniform). */
  static outlierTerm(outLogits: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.sub(tf.logSumExp(outLogits, 1), tf.mean(outLogits, 1))) as tf.Scalar);
  }

  loss(inLogits: tf.Tensor2D, labels: tf.Tensor1D, outLogits?: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const ce = crossEntropy(inLogits, labels);
      if (!outLogits || outLogits.shape[0] === 0) return ce;
      return tf.add(ce, tf.mul(this.lambda, OutlierExposureLoss.outlierTerm(outLogits))) as tf.Scalar;
    });
  }
}
