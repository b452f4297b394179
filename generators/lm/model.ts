import * as tf from '../../runtime/tf.js';
import type { LmConfig } from './config.js';

/** Trainable tensors by name (the names are the safetensors keys). */
export type LmVars = Record<string, tf.Variable>;

/**
 * Initial weights: embedding U(−0.1, 0.1) and zero decoder bias as the PyTorch example's `init_weights`;
 * Glorot-uniform projections with zero biases and unit layer norms as `nn.TransformerEncoderLayer`.
 * Seeded with `tf.randomUniform`'s own seed: the initial weights need not match across backends.
 */
export function initLm(c: LmConfig, seed: number): LmVars {
  let k = 0;
  const glorot = (fanIn: number, fanOut: number) => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return tf.variable(tf.randomUniform([fanIn, fanOut], -a, a, 'float32', seed * 1000 + k++));
  };
  const zeros = (n: number) => tf.variable(tf.zeros([n]));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const v: LmVars = {
    embedding: tf.variable(
      tf.randomUniform([c.vocabSize, c.dModel], -0.1, 0.1, 'float32', seed * 1000 + k++),
    ),
    'decoder.weight': tf.variable(
      tf.randomUniform([c.dModel, c.vocabSize], -0.1, 0.1, 'float32', seed * 1000 + k++),
    ),
    'decoder.bias': zeros(c.vocabSize),
  };
  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}.`;
    v[`${p}qkv.weight`] = glorot(c.dModel, 3 * c.dModel);
    v[`${p}qkv.bias`] = zeros(3 * c.dModel);
    v[`${p}out.weight`] = glorot(c.dModel, c.dModel);
    v[`${p}out.bias`] = zeros(c.dModel);
    v[`${p}ff1.weight`] = glorot(c.dModel, c.ff);
    v[`${p}ff1.bias`] = zeros(c.ff);
    v[`${p}ff2.weight`] = glorot(c.ff, c.dModel);
    v[`${p}ff2.bias`] = zeros(c.dModel);
    v[`${p}norm1.gain`] = ones(c.dModel);
    v[`${p}norm1.bias`] = zeros(c.dModel);
    v[`${p}norm2.gain`] = ones(c.dModel);
    v[`${p}norm2.bias`] = zeros(c.dModel);
  }
  return v;
}

/**
 * Sinusoidal positions (Vaswani et al. 2017, §3.5), rows start..start+n−1, as the PyTorch example's
 * PositionalEncoding. Only the rows asked for: a decoding step needs one row, not the whole prefix.
 */
export function positionalEncoding(start: number, n: number, d: number): Float32Array {
  const pe = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const pos = start + r;
    for (let i = 0; i < d; i += 2) {
      const angle = pos / 10000 ** (i / d);
      pe[r * d + i] = Math.sin(angle);
      if (i + 1 < d) pe[r * d + i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gain), bias);
}

function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const y = tf.add(tf.matMul(x.reshape([-1, shape[shape.length - 1]]), w as tf.Tensor2D), b);
  return y.reshape([...shape.slice(0, -1), w.shape[1]!]);
}

/** Dropout keyed by (seed, site): a training run is repeatable on one backend. */
export type DropoutFn = (x: tf.Tensor, site: number) => tf.Tensor;

/**
 * [B, T, d] → [B, H, T, d/H]. With T = 1 (every cached decoding step) swapping axes 1 and 2 moves no
 * element: a reshape gives the same values without a Transpose kernel's copy.
 */
function heads(x: tf.Tensor, h: number): tf.Tensor {
  const [b, t, d] = x.shape;
  return t === 1 ? x.reshape([b, h, 1, d / h]) : x.reshape([b, t, h, d / h]).transpose([0, 2, 1, 3]);
}

function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, h, t, dh] = x.shape;
  return t === 1 ? x.reshape([b, 1, h * dh]) : x.transpose([0, 2, 1, 3]).reshape([b, t, h * dh]);
}

/** One post-norm encoder layer (PyTorch `TransformerEncoderLayer`, norm_first = False, ReLU). */
function encoderLayer(
  v: LmVars,
  c: LmConfig,
  l: number,
  x: tf.Tensor,
  attend: (q: tf.Tensor, k: tf.Tensor, val: tf.Tensor) => tf.Tensor,
  drop: DropoutFn,
): tf.Tensor {
  const p = `layers.${l}.`;
  const qkv = dense(x, v[`${p}qkv.weight`], v[`${p}qkv.bias`]);
  const [q, k, val] = tf.split(qkv, 3, -1);
  const a = dense(
    mergeHeads(attend(heads(q, c.heads), heads(k, c.heads), heads(val, c.heads))),
    v[`${p}out.weight`],
    v[`${p}out.bias`],
  );
  const h = layerNorm(tf.add(x, drop(a, 10 * l + 1)), v[`${p}norm1.gain`], v[`${p}norm1.bias`]);
  const f = dense(
    drop(tf.relu(dense(h, v[`${p}ff1.weight`], v[`${p}ff1.bias`])), 10 * l + 2),
    v[`${p}ff2.weight`],
    v[`${p}ff2.bias`],
  );
  return layerNorm(tf.add(h, drop(f, 10 * l + 3)), v[`${p}norm2.gain`], v[`${p}norm2.bias`]);
}

const noDropout: DropoutFn = (x) => x;

function embed(v: LmVars, c: LmConfig, ids: tf.Tensor2D, offset: number, drop: DropoutFn): tf.Tensor {
  const [, t] = ids.shape;
  const pe = tf.tensor2d(positionalEncoding(offset, t, c.dModel), [t, c.dModel]);
  return drop(tf.add(tf.mul(tf.gather(v.embedding, ids), Math.sqrt(c.dModel)), pe), 0);
}

/**
 * Logits [B, T, V] for every position of `ids` [B, T] under a causal mask (training and perplexity).
 * `drop` is {@link noDropout} for evaluation.
 */
export function lmLogits(v: LmVars, c: LmConfig, ids: tf.Tensor2D, drop: DropoutFn = noDropout): tf.Tensor3D {
  const t = ids.shape[1];
  const dh = c.dModel / c.heads;
  // Additive mask: 0 on and below the diagonal, −1e9 above (no attention to later tokens).
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9);
  let x = embed(v, c, ids, 0, drop);
  for (let l = 0; l < c.layers; l++) {
    x = encoderLayer(
      v,
      c,
      l,
      x,
      (q, k, val) => {
        const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), mask);
        return tf.matMul(drop(tf.softmax(scores), 10 * l + 4), val);
      },
      drop,
    );
  }
  return dense(x, v['decoder.weight'], v['decoder.bias']) as tf.Tensor3D;
}

/** Keys and values of every earlier position, per layer: [B, H, t, d/H]. */
export interface KvCache {
  keys: tf.Tensor[];
  values: tf.Tensor[];
  length: number;
}

export function emptyCache(): KvCache {
  return { keys: [], values: [], length: 0 };
}

/**
 * One decoding step with a key/value cache: the logits [B, V] of the next token after `ids` [B] at
 * position `cache.length`, and the cache grown by one position (the old one is disposed). Equal to the
 * last row of {@link lmLogits} over the whole prefix, at O(t) instead of O(t²) per token.
 * With `decoderBias: false` the logits lack the decoder's bias (`decoder.bias`, [V]): a caller that reads
 * the logits into JavaScript anyway adds it there (see generators/lm/sampler.ts).
 */
export function lmStep(
  v: LmVars,
  c: LmConfig,
  ids: tf.Tensor1D,
  cache: KvCache,
  { decoderBias = true }: { decoderBias?: boolean } = {},
): { logits: tf.Tensor2D; cache: KvCache } {
  const dh = c.dModel / c.heads;
  const next: KvCache = { keys: [], values: [], length: cache.length + 1 };
  const logits = tf.tidy(() => {
    let x = embed(v, c, ids.reshape([-1, 1]) as tf.Tensor2D, cache.length, noDropout);
    for (let l = 0; l < c.layers; l++) {
      x = encoderLayer(
        v,
        c,
        l,
        x,
        (q, k, val) => {
          const keys = cache.length ? tf.concat([cache.keys[l], k], 2) : k;
          const values = cache.length ? tf.concat([cache.values[l], val], 2) : val;
          next.keys.push(tf.keep(keys));
          next.values.push(tf.keep(values));
          const scores = tf.div(tf.matMul(q, keys, false, true), Math.sqrt(dh));
          return tf.matMul(tf.softmax(scores), values);
        },
        noDropout,
      );
    }
    const hidden = x.reshape([-1, c.dModel]);
    return (
      decoderBias
        ? dense(hidden, v['decoder.weight'], v['decoder.bias'])
        : tf.matMul(hidden as tf.Tensor2D, v['decoder.weight'] as tf.Tensor2D)
    ) as tf.Tensor2D;
  });
  disposeCache(cache);
  return { logits, cache: next };
}

export function disposeCache(cache: KvCache): void {
  tf.dispose([...cache.keys, ...cache.values]);
}

/**
 * Mean cross-entropy of rows of `logits` [N, V] against `targets` [N], with a fused gradient
 * (softmax − one-hot)/N: one exp pass over N·V instead of log-softmax's two, and no N·V one-hot or gather
 * scatter; the V-wide softmax is most of the language model's training time on a CPU.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [n, V] = logits.shape;
  const oneHotIdx = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(V, 'int32')), targets);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, idx, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const m = tf.max(t, 1, true);
    const e = tf.exp(tf.sub(t, m));
    const s = tf.sum(e, 1, true);
    const picked = tf.gather(t.reshape([-1]), idx);
    const value = tf.mean(tf.sub(tf.add(tf.log(s.reshape([-1])), m.reshape([-1])), picked)) as tf.Scalar;
    save([e, s, idx]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [es, ss, at] = saved;
        const hot = tf.scatterND(at.reshape([-1, 1]), tf.ones([n]), [n * V]).reshape([n, V]);
        return [tf.mul(tf.sub(tf.div(es, ss), hot), tf.div(dy, n)), tf.zerosLike(at)];
      },
    };
  });
  return f(logits, oneHotIdx) as tf.Scalar;
}

/** Mean next-token cross-entropy (nats) of `targets` [B, T] given `ids` [B, T]. */
export function lmLoss(
  v: LmVars,
  c: LmConfig,
  ids: tf.Tensor2D,
  targets: tf.Tensor2D,
  drop?: DropoutFn,
): tf.Scalar {
  const logits = lmLogits(v, c, ids, drop);
  const [b, t, V] = logits.shape;
  return softmaxCrossEntropy(logits.reshape([b * t, V]), targets.reshape([-1]) as tf.Tensor1D);
}
