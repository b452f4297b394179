import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import type { ImageSet } from '../datasets/image-set.js';
import { type FitOptions, fitClassifier } from '../fit.js';
import { type Architecture, buildClassifier } from '../models/index.js';
import { trainingRuntime } from './gradients.js';

beforeAll(async () => {
  await initBackend('wasm');
});
const saved = process.env.GOE_RUNTIME;
afterEach(() => {
  if (saved === undefined) delete process.env.GOE_RUNTIME;
  else process.env.GOE_RUNTIME = saved;
});

/** Two classes told apart by brightness, with a seeded texture so the gradients are not degenerate. */
function toySet(n: number): ImageSet {
  const images = new Uint8Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let k = 0; k < 784; k++) images[i * 784 + k] = (labels[i] ? 120 : 20) + ((k * 31 + i * 17) % 97);
  }
  return { name: 'toy', images, labels, shape: [n, 28, 28, 1], classNames: ['dark', 'bright'] };
}
const noise: ImageSet = {
  name: 'noise',
  images: Uint8Array.from({ length: 64 * 784 }, (_, i) => (i * 97) % 256),
  shape: [64, 28, 28, 1],
};

/** Trains a seeded `arch` with `o` on `runtime` (GOE_RUNTIME); its weights afterwards and the fit's result. */
async function train(arch: Architecture, runtime: 'tfjs' | 'auto', o: Partial<FitOptions> = {}) {
  process.env.GOE_RUNTIME = runtime;
  const model = buildClassifier(arch, [28, 28, 1], 2, { seed: 3 });
  const counts: number[] = [];
  const r = await fitClassifier(model, toySet(64), {
    epochs: 2,
    batchSize: 8,
    outlierBatch: 8,
    outliers: noise,
    loss: 'oe',
    lr: 0.02,
    momentum: 0.9,
    seed: 4,
    onProgress: () => counts.push(tf.memory().numTensors),
    ...o,
  });
  const weights = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
  model.dispose();
  return { r, weights, counts };
}

/** Largest |a − b| over every weight, relative to that weight's largest entry. */
function worstRelative(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  for (const [i, w] of a.entries()) {
    const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
    for (let k = 0; k < w.length; k++) worst = Math.max(worst, Math.abs(w[k] - b[i][k]) / scale);
  }
  return worst;
}

describe('training on ONNX Runtime', () => {
  it('is chosen for the plain CNNs on one worker, unless GOE_RUNTIME=tfjs', () => {
    const models = {
      small: buildClassifier('small-cnn', [28, 28, 1], 10),
      ref: buildClassifier('ref-cnn', [28, 28, 1], 10),
      wrn: buildClassifier('wrn', [32, 32, 3], 10),
      gru: buildClassifier('gru', [16], 4, { vocabSize: 50 }),
    };
    delete process.env.GOE_RUNTIME;
    expect(trainingRuntime(models.small)).toBe('onnx');
    expect(trainingRuntime(models.ref)).toBe('onnx');
    // Batch norm (the wide ResNet) and the GRU are not plain CNNs; data-parallel workers run TF.js.
    expect(trainingRuntime(models.wrn)).toBe('tfjs');
    expect(trainingRuntime(models.gru)).toBe('tfjs');
    expect(trainingRuntime(models.ref, 2)).toBe('tfjs');
    process.env.GOE_RUNTIME = 'tfjs';
    expect(trainingRuntime(models.ref)).toBe('tfjs');
    for (const m of Object.values(models)) m.dispose();
  });

  for (const arch of ['small-cnn', 'ref-cnn'] as const) {
    it(`${arch}: 16 OE steps with weight decay end where TF.js's do, repeatably, without leaking tensors`, async () => {
      const decay = { weightDecay: 5e-4 };
      const tfjs = await train(arch, 'tfjs', decay);
      const onnx = await train(arch, 'auto', decay);
      expect(tfjs.r.runtime).toBe('tfjs');
      expect(onnx.r.runtime).toBe('onnx');
      expect(onnx.r.steps).toBe(16);
      // Float32 sums in another order (ONNX Runtime's kernels vs XNNPACK's), compounded over 16 momentum
      // steps: measured 1.2e-6 (small CNN) and 9.7e-7 (reference CNN) of each weight's scale. Dropping the
      // weight-decay term alone moves them by 7e-4 and 2.8e-3, so 1e-4 tells a wrong gradient apart.
      expect(worstRelative(onnx.weights, tfjs.weights)).toBeLessThan(1e-4);
      expect(Math.abs(onnx.r.finalLoss - tfjs.r.finalLoss)).toBeLessThan(1e-4 * Math.abs(tfjs.r.finalLoss));
      const again = await train(arch, 'auto', decay);
      expect(worstRelative(again.weights, onnx.weights)).toBe(0);
      expect(onnx.counts[onnx.counts.length - 1]).toBe(onnx.counts[1]);
    });
  }

  it('trains the energy loss and plain cross-entropy as TF.js does', async () => {
    for (const o of [
      { loss: 'energy' as const, energyMargins: { mIn: -5, mOut: -1, lambda: 0.1 } },
      { loss: 'ce' as const, outlierBatch: 0, outliers: undefined },
    ]) {
      const tfjs = await train('small-cnn', 'tfjs', o);
      const onnx = await train('small-cnn', 'auto', o);
      expect(onnx.r.runtime).toBe('onnx');
      expect(worstRelative(onnx.weights, tfjs.weights)).toBeLessThan(1e-4);
    }
  });
});
