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

/** Stride-2 stages (manifests before RGB support have none: the 28×28 layout's 2). */
function stagesOf(c: CganConfig): number {
  return c.stages ?? 2;
}

/**
 * Channels of generator stage k = 0 … stages−1 (k = 0 is the dense layer's map at size / 2^stages):
 * gWidth·2^(stages−1−k), so the last hidden stage has gWidth (DCGAN halves channels as it doubles size).
 */
function gChannels(c: CganConfig, k: number): number {
  return c.gWidth * 2 ** (stagesOf(c) - 1 - k);
}

/** Fresh generator variables (seeded, so the same seed gives the same start). */
export function initGenerator(c: CganConfig, seed: number): GeneratorVars {
  const s = stagesOf(c);
  const c0 = gChannels(c, 0);
  const h0 = c.height / 2 ** s;
  const w0 = c.width / 2 ** s;
  const bn = (name: string, ch: number): GeneratorVars => ({
    [`${name}.gamma`]: tf.variable(tf.ones([c.numClasses, ch])),
    [`${name}.beta`]: tf.variable(tf.zeros([c.numClasses, ch])),
    [`${name}.mean`]: tf.variable(tf.zeros([ch]), false),
    [`${name}.var`]: tf.variable(tf.ones([ch]), false),
  });
  const vars: GeneratorVars = {
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
  };
  // up1 … up(s−1) with bn1 … bn(s−1), then up(s) to the image's channels (28×28: up1, bn1, up2).
  for (let k = 1; k <= s; k++) {
    const cin = gChannels(c, k - 1);
    const cout = k === s ? c.channels : gChannels(c, k);
    // conv2dTranspose filters are [kh, kw, outChannels, inChannels].
    vars[`up${k}.w`] = glorot([4, 4, cout, cin], 16 * cin, 16 * cout, seed + k);
    vars[`up${k}.b`] = tf.variable(tf.zeros([cout]));
    if (k < s) Object.assign(vars, bn(`bn${k}`, cout));
  }
  return vars;
}

/** Fresh discriminator variables: conv1 … conv(stages) of dWidth·2^(k−1) channels, fc, out, embed. */
export function initDiscriminator(c: CganConfig, seed: number): DiscriminatorVars {
  const s = stagesOf(c);
  const feat = 4 * c.dWidth;
  const last = c.dWidth * 2 ** (s - 1);
  const flat = (c.height / 2 ** s) * (c.width / 2 ** s) * last;
  const vars: DiscriminatorVars = {};
  for (let k = 1; k <= s; k++) {
    const cin = k === 1 ? c.channels + c.numClasses : c.dWidth * 2 ** (k - 2);
    const cout = c.dWidth * 2 ** (k - 1);
    vars[`conv${k}.w`] = glorot([4, 4, cin, cout], 16 * cin, 16 * cout, seed + 9 + k);
    vars[`conv${k}.b`] = tf.variable(tf.zeros([cout]));
  }
  // Seeds as before RGB support for 2 stages (conv1 10, conv2 11, fc 12, out 13, embed 14).
  const t = seed + 10 + s;
  return {
    ...vars,
    'fc.w': glorot([flat, feat], flat, feat, t),
    'fc.b': tf.variable(tf.zeros([feat])),
    'out.w': glorot([feat, 1], feat, 1, t + 1),
    'out.b': tf.variable(tf.zeros([1])),
    embed: glorot([c.numClasses, feat], c.numClasses, feat, t + 2),
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
  const s = stagesOf(c);
  let hh = c.height / 2 ** s;
  let ww = c.width / 2 ** s;
  let h = tf
    .add(tf.matMul(tf.concat([z, y], 1), v['fc.w']), v['fc.b'])
    .reshape([b, hh, ww, gChannels(c, 0)]) as tf.Tensor4D;
  h = tf.relu(condBatchNorm(v, 'bn0', h, y, training, c.bnMomentum));
  for (let k = 1; k <= s; k++) {
    hh *= 2;
    ww *= 2;
    const cout = k === s ? c.channels : gChannels(c, k);
    h = tf.add(
      tf.conv2dTranspose(h, v[`up${k}.w`] as tf.Tensor4D, [b, hh, ww, cout], 2, 'same'),
      v[`up${k}.b`],
    ) as tf.Tensor4D;
    if (k < s) h = tf.relu(condBatchNorm(v, `bn${k}`, h, y, training, c.bnMomentum));
  }
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
  for (let k = 1; k <= stagesOf(c); k++) {
    h = tf.leakyRelu(
      tf.add(tf.conv2d(h, v[`conv${k}.w`] as tf.Tensor4D, 2, 'same'), v[`conv${k}.b`]),
      0.2,
    ) as tf.Tensor4D;
  }
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
