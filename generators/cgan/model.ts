import * as tf from '../../runtime/tf.js';
import type { CganConfig } from './config.js';

/** Generator variables, by the names they have in the weight file. */
export type GeneratorVars = Record<string, tf.Variable>;
export type DiscriminatorVars = Record<string, tf.Variable>;

const BN_EPS = 1e-5;

function glorot(shape: number[], fanIn: number, fanOut: number, seed: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed));
}

/** Fresh generator variables (seeded, so the same seed gives the same start). */
export function initGenerator(c: CganConfig, seed: number): GeneratorVars {
  const c0 = 2 * c.gWidth;
  const c1 = c.gWidth;
  const h0 = c.height / 4;
  const w0 = c.width / 4;
  const bn = (name: string, ch: number): GeneratorVars => ({
    [`${name}.gamma`]: tf.variable(tf.ones([c.numClasses, ch])),
    [`${name}.beta`]: tf.variable(tf.zeros([c.numClasses, ch])),
    [`${name}.mean`]: tf.variable(tf.zeros([ch]), false),
    [`${name}.var`]: tf.variable(tf.ones([ch]), false),
  });
  return {
    // The first layer sees [z, one-hot(y)]: BigGAN's shared class embedding next to z, which conditions
    // from the first step (class-conditional batch-norm gains start equal for every class).
    'fc.w': glorot(
      [c.latentDim + c.numClasses, h0 * w0 * c0],
      c.latentDim + c.numClasses,
      h0 * w0 * c0,
      seed,
    ),
    'fc.b': tf.variable(tf.zeros([h0 * w0 * c0])),
    ...bn('bn0', c0),
    // conv2dTranspose filters are [kh, kw, outChannels, inChannels].
    'up1.w': glorot([4, 4, c1, c0], 16 * c0, 16 * c1, seed + 1),
    'up1.b': tf.variable(tf.zeros([c1])),
    ...bn('bn1', c1),
    'up2.w': glorot([4, 4, c.channels, c1], 16 * c1, 16 * c.channels, seed + 2),
    'up2.b': tf.variable(tf.zeros([c.channels])),
  };
}

/** Fresh discriminator variables. */
export function initDiscriminator(c: CganConfig, seed: number): DiscriminatorVars {
  const d0 = c.dWidth;
  const d1 = 2 * c.dWidth;
  const feat = 4 * c.dWidth;
  const flat = (c.height / 4) * (c.width / 4) * d1;
  const inCh = c.channels + c.numClasses;
  return {
    'conv1.w': glorot([4, 4, inCh, d0], 16 * inCh, 16 * d0, seed + 10),
    'conv1.b': tf.variable(tf.zeros([d0])),
    'conv2.w': glorot([4, 4, d0, d1], 16 * d0, 16 * d1, seed + 11),
    'conv2.b': tf.variable(tf.zeros([d1])),
    'fc.w': glorot([flat, feat], flat, feat, seed + 12),
    'fc.b': tf.variable(tf.zeros([feat])),
    'out.w': glorot([feat, 1], feat, 1, seed + 13),
    'out.b': tf.variable(tf.zeros([1])),
    embed: glorot([c.numClasses, feat], c.numClasses, feat, seed + 14),
  };
}

/**
 * Class-conditional batch norm (de Vries et al. 2017; BigGAN): normalise with batch statistics while
 * training (and fold them into the running ones), with the stored running statistics otherwise — which
 * is what makes σ² matter at sampling time (DESIGN.md: with batch statistics the first normalisation
 * cancels the scale of z). Per-class gain and bias come from tables indexed by the one-hot label.
 */
function condBatchNorm(
  v: GeneratorVars,
  name: string,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  training: boolean,
  momentum: number,
): tf.Tensor4D {
  const ch = x.shape[3];
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (training) {
    const m = tf.moments(x, [0, 1, 2]);
    mean = m.mean;
    variance = m.variance;
    const runMean = v[`${name}.mean`];
    const runVar = v[`${name}.var`];
    // The running statistics are state, not parameters: assign() records no gradient.
    tf.tidy(() => {
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
      runMean.assign(tf.add(tf.mul(runMean, 1 - momentum), tf.mul(mean, momentum)));
      runVar.assign(tf.add(tf.mul(runVar, 1 - momentum), tf.mul(unbiased, momentum)));
    });
  } else {
    mean = v[`${name}.mean`];
    variance = v[`${name}.var`];
  }
  const gamma = tf.matMul(y, v[`${name}.gamma`]).reshape([-1, 1, 1, ch]);
  const beta = tf.matMul(y, v[`${name}.beta`]).reshape([-1, 1, 1, ch]);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));
  return tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
}

/** G(z, y) → images in [−1, 1], NHWC. `y` is one-hot [B, classes]. */
export function generate(
  v: GeneratorVars,
  c: CganConfig,
  z: tf.Tensor2D,
  y: tf.Tensor2D,
  training: boolean,
): tf.Tensor4D {
  const b = z.shape[0];
  const c0 = 2 * c.gWidth;
  const h0 = c.height / 4;
  const w0 = c.width / 4;
  let h = tf
    .add(tf.matMul(tf.concat([z, y], 1), v['fc.w']), v['fc.b'])
    .reshape([b, h0, w0, c0]) as tf.Tensor4D;
  h = tf.relu(condBatchNorm(v, 'bn0', h, y, training, c.bnMomentum));
  h = tf.add(
    tf.conv2dTranspose(h, v['up1.w'] as tf.Tensor4D, [b, 2 * h0, 2 * w0, c.gWidth], 2, 'same'),
    v['up1.b'],
  ) as tf.Tensor4D;
  h = tf.relu(condBatchNorm(v, 'bn1', h, y, training, c.bnMomentum));
  h = tf.add(
    tf.conv2dTranspose(h, v['up2.w'] as tf.Tensor4D, [b, c.height, c.width, c.channels], 2, 'same'),
    v['up2.b'],
  ) as tf.Tensor4D;
  return tf.tanh(h);
}

/** D(x, y) → logits [B]: real/fake from the image with label planes, plus the projection term ⟨embed(y), φ⟩. */
export function discriminate(
  v: DiscriminatorVars,
  c: CganConfig,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
): tf.Tensor1D {
  const b = x.shape[0];
  const planes = tf.tile(y.reshape([b, 1, 1, c.numClasses]), [1, c.height, c.width, 1]);
  let h = tf.concat([x, planes], 3) as tf.Tensor4D;
  h = tf.leakyRelu(
    tf.add(tf.conv2d(h, v['conv1.w'] as tf.Tensor4D, 2, 'same'), v['conv1.b']),
    0.2,
  ) as tf.Tensor4D;
  h = tf.leakyRelu(
    tf.add(tf.conv2d(h, v['conv2.w'] as tf.Tensor4D, 2, 'same'), v['conv2.b']),
    0.2,
  ) as tf.Tensor4D;
  const phi = tf.leakyRelu(tf.add(tf.matMul(h.reshape([b, -1]), v['fc.w']), v['fc.b']), 0.2);
  const out = tf.add(tf.matMul(phi, v['out.w']), v['out.b']).reshape([b]);
  const proj = tf.sum(tf.mul(tf.matMul(y, v.embed), phi), 1);
  return tf.add(out, proj) as tf.Tensor1D;
}

/** Trainable generator variables (everything but the running statistics). */
export function trainable(v: Record<string, tf.Variable>): tf.Variable[] {
  return Object.entries(v)
    .filter(([name]) => !name.endsWith('.mean') && !name.endsWith('.var'))
    .map(([, t]) => t);
}
