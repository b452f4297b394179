import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf.js';
import { initBackend } from './select.js';

/** Long training loops on wasm must not leak tensors (a leak grows `numTensors` every step). */

beforeAll(async () => {
  await initBackend('wasm');
});

function trainSteps(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, steps: number): void {
  const optimizer = tf.train.adam(1e-3);
  const step = () =>
    optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    );
  // The first step creates the optimizer's slots: count from after it.
  step()?.dispose();
  const before = tf.memory().numTensors;
  let last = Number.NaN;
  for (let i = 0; i < steps; i++) {
    const loss = step();
    last = loss?.dataSync()[0] ?? Number.NaN;
    loss?.dispose();
  }
  expect(Number.isFinite(last)).toBe(true);
  expect(tf.memory().numTensors).toBe(before);
  optimizer.dispose();
}

describe('200 training steps on wasm leave tf.memory().numTensors unchanged', () => {
  it('conv net (conv, pool, strided conv, dense)', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ],
    });
    const x = tf.randomNormal([8, 12, 12, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    trainSteps(model, x, y, 200);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('embedding + GRU classifier', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: 6 }),
        tf.layers.gru({ units: 8 }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const x = tf.tensor2d(
      Array.from({ length: 24 }, (_, i) => (i * 7) % 20),
      [4, 6],
    );
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    trainSteps(model, x, y, 200);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('small causal Transformer block (attention, layer norm, dropout, tied softmax loss)', () => {
    const [V, D, H, L, B] = [30, 16, 2, 10, 3];
    const init = (shape: number[], seed: number) =>
      tf.variable(tf.randomNormal(shape, 0, 0.1, 'float32', seed));
    const emb = init([V, D], 1);
    const pos = init([L, D], 2);
    const wqkv = init([D, 3 * D], 3);
    const wo = init([D, D], 4);
    const gain = tf.variable(tf.ones([D]));
    const bias = tf.variable(tf.zeros([D]));
    const ids = tf.tensor2d(
      Array.from({ length: B * L }, (_, i) => (i * 7) % V),
      [B, L],
      'int32',
    );
    const target = tf.oneHot(
      tf.tensor2d(
        Array.from({ length: B * L }, (_, i) => (i * 3) % V),
        [B, L],
        'int32',
      ),
      V,
    );
    const causal = tf.linalg.bandPart(tf.ones([L, L]), -1, 0).cast('bool');
    const optimizer = tf.train.adam(1e-3);
    const layerNorm = (x: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(gain).add(bias);
    };
    const step = () =>
      optimizer.minimize(() => {
        const x = tf.gather(emb, ids).add(pos);
        const qkv = tf
          .matMul(x.reshape([B * L, D]), wqkv)
          .reshape([B, L, 3, H, D / H])
          .transpose([2, 0, 3, 1, 4]);
        const [q, k, v] = tf.unstack(qkv);
        const scores = tf.matMul(q, k, false, true).div(Math.sqrt(D / H));
        const masked = tf.where(causal, scores, tf.fill(scores.shape, -1e9));
        const attended = tf
          .matMul(tf.softmax(masked), v)
          .transpose([0, 2, 1, 3])
          .reshape([B * L, D]);
        const h = layerNorm(x.add(tf.dropout(tf.matMul(attended, wo), 0.2).reshape([B, L, D])));
        const logits = tf.matMul(h.reshape([B * L, D]), emb, false, true).reshape([B, L, V]);
        return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
      }, true);
    step()?.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) step()?.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([emb, pos, wqkv, wo, gain, bias, ids, target, causal]);
    optimizer.dispose();
  });
});
