import * as tf from '../../runtime/tf.js';
import type { CganConfig } from './config.js';

/**
 * The discriminator's loss from its logits on real and fake rows: hinge (Lim & Ye 2017)
 * mean(relu(1 − D(x))) + mean(relu(1 + D(G(z)))), or the non-saturating GAN loss (Goodfellow et al. 2014)
 * mean(softplus(−D(x))) + mean(softplus(D(G(z)))). Logits [B] → scalar.
 */
export function discriminatorLoss(c: CganConfig, dReal: tf.Tensor1D, dFake: tf.Tensor1D): tf.Scalar {
  return (
    c.loss === 'hinge'
      ? tf.add(tf.mean(tf.relu(tf.sub(1, dReal))), tf.mean(tf.relu(tf.add(1, dFake))))
      : tf.add(tf.mean(tf.softplus(tf.neg(dReal))), tf.mean(tf.softplus(dFake)))
  ) as tf.Scalar;
}

/** The generator's loss from D's logits on its rows: −mean(D(G(z))) (hinge) or mean(softplus(−D(G(z)))). */
export function generatorLoss(c: CganConfig, dFake: tf.Tensor1D): tf.Scalar {
  return (c.loss === 'hinge' ? tf.neg(tf.mean(dFake)) : tf.mean(tf.softplus(tf.neg(dFake)))) as tf.Scalar;
}
