import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend/index.js';
import * as tf from '../runtime/tf.js';
import { accuracyOf, logitsOf } from './classifier.js';
import type { ImageSet } from './datasets/image-set.js';
import { fitClassifier, permutation } from './fit.js';
import { smallCnn } from './models/index.js';

/** Two classes a CNN separates at once: dark images are class 0, bright ones class 1. */
function toySet(n: number): ImageSet {
  const images = new Uint8Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    images.fill(labels[i] ? 200 : 30, i * 784, (i + 1) * 784);
  }
  return { name: 'toy', images, labels, shape: [n, 28, 28, 1], classNames: ['dark', 'bright'] };
}

const noise: ImageSet = {
  name: 'noise',
  images: Uint8Array.from({ length: 64 * 784 }, (_, i) => (i * 97) % 256),
  shape: [64, 28, 28, 1],
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('fitClassifier', () => {
  it('learns a separable problem with plain cross-entropy', async () => {
    const model = smallCnn([28, 28, 1], 2);
    const set = toySet(64);
    const r = await fitClassifier(model, set, {
      epochs: 4,
      batchSize: 8,
      outlierBatch: 0,
      loss: 'ce',
      lr: 0.05,
      momentum: 0.9,
      seed: 1,
    });
    expect(r.steps).toBe(32);
    expect(accuracyOf(logitsOf(model, set), set.labels!)).toBe(100);
    model.dispose();
  });

  it.each(['oe', 'energy'] as const)(
    'runs %s fine-tuning with outliers without leaking tensors',
    async (loss) => {
      const model = smallCnn([28, 28, 1], 2);
      const counts: number[] = [];
      await fitClassifier(model, toySet(64), {
        epochs: 2,
        batchSize: 8,
        outlierBatch: 8,
        outliers: noise,
        loss,
        energyMargins: { mIn: -5, mOut: -1, lambda: 0.1 },
        lr: 0.01,
        momentum: 0.9,
        seed: 2,
        onProgress: () => counts.push(tf.memory().numTensors),
      });
      expect(counts).toHaveLength(16);
      expect(counts[15]).toBe(counts[1]);
      model.dispose();
    },
  );

  it('needs outliers for the OE losses and margins for the energy loss', async () => {
    const model = smallCnn([28, 28, 1], 2);
    const base = { epochs: 1, batchSize: 8, outlierBatch: 8, lr: 0.01, momentum: 0.9, seed: 0 };
    await expect(fitClassifier(model, toySet(16), { ...base, loss: 'oe' })).rejects.toThrow(/needs outliers/);
    await expect(
      fitClassifier(model, toySet(16), { ...base, loss: 'energy', outliers: noise }),
    ).rejects.toThrow(/margins/);
    model.dispose();
  });

  it('stops at once when its signal is aborted', async () => {
    const model = smallCnn([28, 28, 1], 2);
    const stop = new AbortController();
    const r = await fitClassifier(model, toySet(64), {
      epochs: 5,
      batchSize: 8,
      outlierBatch: 0,
      loss: 'ce',
      lr: 0.01,
      momentum: 0.9,
      seed: 0,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 3) stop.abort();
      },
    });
    expect(r.steps).toBe(3);
    model.dispose();
  });
});

describe('permutation', () => {
  it('is a seeded permutation, different per epoch', () => {
    const a = permutation(100, 7, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(permutation(100, 7, 0)).toEqual(a);
    expect(permutation(100, 7, 1)).not.toEqual(a);
  });
});
