import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import type { ImageSet } from '../datasets/image-set.js';
import { fitClassifier } from '../fit.js';
import { smallCnn, wideResNet } from '../models/index.js';

/** Varied images with labels (a hash of the pixels), and outliers: a problem where every step moves weights. */
function set(n: number, salt: number, classes?: number): ImageSet {
  const images = Uint8Array.from({ length: n * 784 }, (_, i) => ((i * 2654435761 + salt) >>> 24) & 255);
  const labels = classes ? Int32Array.from({ length: n }, (_, i) => (i * 7 + salt) % classes) : undefined;
  return { name: `toy${salt}`, images, shape: [n, 28, 28, 1], ...(labels ? { labels } : {}) };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('data-parallel fitClassifier (--workers)', () => {
  it('takes the single-worker run’s steps: 50 OE steps, 2 workers, weights within 1e-6 of each other', async () => {
    const data = set(400, 1, 4);
    const outliers = set(160, 2);
    const one = smallCnn([28, 28, 1], 4);
    const two = smallCnn([28, 28, 1], 4);
    two.setWeights(one.getWeights());
    const start = one.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const options = {
      epochs: 2,
      batchSize: 16,
      outlierBatch: 8,
      outliers,
      loss: 'oe' as const,
      lr: 0.01,
      momentum: 0.9,
      weightDecay: 5e-4,
      seed: 3,
    };
    // Both on TF.js (the workers' runtime): one worker alone would train on ONNX Runtime, whose float sums differ
    // from TF.js's by up to 1e-5 after 50 steps from some random starts — a runtime difference, not the pool's.
    const runtime = process.env.GOE_RUNTIME;
    process.env.GOE_RUNTIME = 'tfjs';
    const a = await fitClassifier(one, data, options).finally(() => {
      if (runtime === undefined) delete process.env.GOE_RUNTIME;
      else process.env.GOE_RUNTIME = runtime;
    });
    expect(a.runtime).toBe('tfjs');
    const b = await fitClassifier(two, data, {
      ...options,
      parallel: { workers: 2, model: { arch: 'small-cnn', inputShape: [28, 28, 1], classes: 4 } },
    });
    expect(a.steps).toBe(50);
    expect(b.steps).toBe(50);
    expect(b.finalLoss).toBeCloseTo(a.finalLoss, 4);
    // The runs differ only in float32 reassociation (a batch mean taken as the mean of two half-batch means,
    // batch reductions of conv gradients split likewise): a few ulps (~1e-8 at these weights) per step. 50
    // momentum steps at lr 0.01 measured 3e-8 here; 1e-6 leaves 30× for other machines, while training moves
    // the weights by 2e-2 — a wrong average (a sum, one shard dropped) lands orders of magnitude outside.
    let diff = 0;
    let moved = 0;
    const wa = one.getWeights().map((w) => w.dataSync());
    const wb = two.getWeights().map((w) => w.dataSync());
    wa.forEach((w, k) => {
      for (let i = 0; i < w.length; i++) {
        diff = Math.max(diff, Math.abs(w[i] - wb[k][i]));
        moved = Math.max(moved, Math.abs(w[i] - start[k][i]));
      }
    });
    console.log(
      `max |Δw| 1 vs 2 workers: ${diff.toExponential(2)}; max weight change in training: ${moved.toExponential(2)}`,
    );
    expect(moved).toBeGreaterThan(5e-3);
    expect(diff).toBeLessThan(1e-6);
  });

  it('refuses a batch that does not divide by the worker count, naming --workers', async () => {
    const model = smallCnn([28, 28, 1], 4);
    await expect(
      fitClassifier(model, set(40, 1, 4), {
        epochs: 1,
        batchSize: 9,
        outlierBatch: 0,
        loss: 'ce',
        lr: 0.01,
        momentum: 0.9,
        seed: 1,
        parallel: { workers: 2, model: { arch: 'small-cnn', inputShape: [28, 28, 1], classes: 4 } },
      }),
    ).rejects.toThrow('--workers 2 must divide the batch size (9)');
  });

  it('refuses a model with batch norm (wide-resnet), naming --workers', async () => {
    const model = wideResNet([28, 28, 1], 4, { blocks: 1, widen: 1 });
    const options = {
      epochs: 1,
      batchSize: 8,
      outlierBatch: 0,
      loss: 'ce' as const,
      lr: 0.01,
      momentum: 0.9,
      seed: 1,
    };
    await expect(
      fitClassifier(model, set(16, 1, 4), {
        ...options,
        parallel: { workers: 2, model: { arch: 'wrn', inputShape: [28, 28, 1], classes: 4 } },
      }),
    ).rejects.toThrow(
      '--workers 2: wrn has batch norm, which data-parallel training does not synchronise; use --workers 1',
    );
    model.dispose();
  });
});
