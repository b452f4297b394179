import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOnnxGraph } from '../../generators/imported/onnx.js';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { buildClassifier } from '../models/index.js';
import { cnnLayers, cnnStepGraphs, gradOf, paramOf } from './cnn-graph.js';

beforeAll(async () => {
  await initBackend('wasm');
});
const models: tf.LayersModel[] = [];
afterAll(() => {
  for (const m of models) m.dispose();
});

/** Seeded uniform [0, 1) values (a small LCG: the test needs repeatable data, not good randomness). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

describe('a CNN training step as ONNX graphs', () => {
  for (const [arch, shape] of [
    ['ref-cnn', [28, 28, 1]],
    ['small-cnn', [28, 28, 1]],
    ['small-cnn', [32, 32, 3]],
    // Odd sides: pooling drops the last row and column, the stride-2 conv pads one side only.
    ['small-cnn', [27, 27, 1]],
  ] as const) {
    it(`${arch} ${shape.join('×')}: logits and every gradient as TF.js computes them`, async () => {
      const model = buildClassifier(arch, shape, 10, { seed: 5 });
      models.push(model);
      const layers = cnnLayers(model);
      expect(layers).toBeDefined();
      const graphs = cnnStepGraphs(layers!, [...shape] as [number, number, number]);
      const fwd = await openOnnxGraph(graphs.forward, `${arch} forward`);
      const bwd = await openOnnxGraph(graphs.backward, `${arch} backward`);
      const B = 6;
      const xData = values(B * shape[0] * shape[1] * shape[2], 7);
      const labels = Int32Array.from({ length: B }, (_, i) => (i * 3) % 10);
      const x = tf.tensor4d(xData, [B, ...shape]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const loss = (logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits as tf.Tensor2D);
      const weights = model.trainableWeights;
      const params = weights.map((w) => {
        return {
          name: paramOf(w),
          dtype: 'float32' as const,
          shape: w.shape as number[],
          data: w.read().dataSync() as Float32Array,
        };
      });
      const xFeed = { name: 'x', dtype: 'float32' as const, shape: [B, ...shape], data: xData };
      const forward = await fwd.run([xFeed, ...params]);
      const logits = { data: forward.logits.data as Float32Array };
      const want = tf.tidy(() => model.apply(x) as tf.Tensor);
      const wantLogits = want.dataSync();
      const close = (got: Float32Array, ref: Float32Array | Int32Array | Uint8Array) => {
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < ref.length; i++) {
          worst = Math.max(worst, Math.abs(got[i] - ref[i]));
          scale = Math.max(scale, Math.abs(ref[i]));
        }
        return worst / Math.max(scale, 1e-6);
      };
      expect(close(logits.data, wantLogits)).toBeLessThan(1e-4);
      const dlogits = tf.tidy(() => tf.grad(loss)(tf.tensor2d(logits.data, [B, 10])));
      const out = await bwd.run([
        xFeed,
        ...params,
        ...graphs.activations.map((a) => ({
          ...a,
          shape: [...forward[a.name].dims],
          data: forward[a.name].data,
        })),
        { name: 'dlogits', dtype: 'float32', shape: [B, 10], data: dlogits.dataSync() as Float32Array },
      ]);
      const { value, grads } = tf.variableGrads(() => loss(model.apply(x) as tf.Tensor) as tf.Scalar);
      // The cross-entropy graph: the same loss and gradients from x and the labels in one run.
      const ce = await openOnnxGraph(graphs.crossEntropy, `${arch} cross-entropy step`);
      const fused = await ce.run([
        xFeed,
        { name: 'labels', dtype: 'int32', shape: [B], data: labels },
        ...params,
      ]);
      expect(Math.abs((fused.loss.data as Float32Array)[0] - value.dataSync()[0])).toBeLessThan(1e-5);
      for (const [i, w] of weights.entries()) {
        const want = grads[(w.read() as tf.Variable).name].dataSync();
        for (const graph of [out, fused]) {
          const got = graph[gradOf(params[i].name)];
          expect(got?.dims, params[i].name).toEqual(w.shape);
          // Float32 sums in another order: relative to the gradient's largest entry.
          expect(close(got.data as Float32Array, want), params[i].name).toBeLessThan(1e-4);
        }
      }
      tf.dispose([x, y, want, dlogits, value, ...Object.values(grads)]);
      await fwd.dispose();
      await bwd.dispose();
      await ce.dispose();
    });
  }
});
