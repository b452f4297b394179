import * as tf from '../../runtime/tf.js';
import { EnergyBased } from '../detectors/energy-based.js';
import { crossEntropy } from './cross-entropy.js';

/** Margins and weight of the energy-bounded loss; recorded with every result (DESIGN.md). */
export interface EnergyMargins {
  mIn: number;
  mOut: number;
  lambda: number;
}

/**
 * Energy-bounded learning loss (Liu, Wang, Owens & Li, "Energy-based Out-of-distribution Detection",
 * NeurIPS 2020, Eq. 5): L = CE + λ_E · (mean_in relu(E_in − m_in)² + mean_out relu(m_out − E_out)²),
 * with E(x) = −logsumexp f(x). It pushes in-distribution energies below m_in and outliers' above m_out.
 */
export class EnergyBoundedLoss {
  constructor(readonly margins: EnergyMargins) {}

  /** E(x) = −logsumexp f(x) of `[n, classes]` logits: the energy detector's score at T = 1. */
  static energy(logits: tf.Tensor2D): tf.Tensor1D {
    return EnergyBased.scoreTensor(logits);
  }

  /**
   * Margins from a trained model's own in-distribution training energies (DESIGN.md, reference results):
   * m_in = 20th percentile, m_out = median + 4, λ_E = 0.1. The paper's CIFAR values (−25, −7) assume a
   * WideResNet's energy scale; a small CNN's energies sit elsewhere.
   */
  static marginsFrom(inEnergies: ArrayLike<number>, lambda = 0.1): EnergyMargins {
    const sorted = Float64Array.from(inEnergies).sort();
    if (sorted.length === 0) throw new Error('marginsFrom needs at least one energy');
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
    return { mIn: q(0.2), mOut: q(0.5) + 4, lambda };
  }

  loss(inLogits: tf.Tensor2D, labels: tf.Tensor1D, outLogits?: tf.Tensor2D): tf.Scalar {
    const { mIn, mOut, lambda } = this.margins;
    return tf.tidy(() => {
      const ce = crossEntropy(inLogits, labels);
      const inTerm = tf.mean(tf.square(tf.relu(tf.sub(EnergyBoundedLoss.energy(inLogits), mIn))));
      const outTerm =
        outLogits && outLogits.shape[0] > 0
          ? tf.mean(tf.square(tf.relu(tf.sub(mOut, EnergyBoundedLoss.energy(outLogits)))))
          : tf.scalar(0);
      return tf.add(ce, tf.mul(lambda, tf.add(inTerm, outTerm))) as tf.Scalar;
    });
  }
}
