import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { loadClassifier, logitsOf, newManifest, saveClassifier } from '../classifier.js';
import { FASHION_MNIST_CLASSES } from '../datasets/fashion-mnist.js';
import type { ImageSet } from '../datasets/image-set.js';
import { penultimateOf } from '../tune/scores.js';
import { buildClassifier } from './index.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-refcnn-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const set: ImageSet = {
  name: 'x',
  images: Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 37) % 256),
  shape: [3, 28, 28, 1],
};

describe('--arch ref-cnn (the PyTorch reference CNN)', () => {
  it('has the reference layout: conv32 same, pool, conv64 same, pool, fc128, fc10', () => {
    const model = buildClassifier('ref-cnn', [28, 28, 1], 10);
    const shapes = model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]);
    expect(shapes).toEqual([
      ['conv1', [28, 28, 32]],
      ['pool1', [14, 14, 32]],
      ['conv2', [14, 14, 64]],
      ['pool2', [7, 7, 64]],
      ['flatten', [3136]],
      ['fc1', [128]],
      ['logits', [10]],
    ]);
    // PyTorch's count for the same net: 32·(9+1) + 64·(9·32+1) + 128·(3136+1) + 10·(128+1).
    expect(model.countParams()).toBe(320 + 18_496 + 401_536 + 1290);
    expect(penultimateOf(model, set).dim).toBe(128);
    model.dispose();
  });

  it('saves and loads by the arch its manifest records, with the same logits', async () => {
    const model = buildClassifier('ref-cnn', [28, 28, 1], 10);
    const before = logitsOf(model, set);
    const manifest = newManifest(
      'ref',
      'ref-cnn',
      FASHION_MNIST_CLASSES,
      { kind: 'baseline' },
      {
        data: 'none (tests)',
        command: 'test',
        steps: 0,
        seed: 0,
      },
    );
    await saveClassifier(join(dir, 'ref'), { model, manifest });
    const loaded = await loadClassifier(join(dir, 'ref'));
    expect(loaded.manifest.arch).toBe('ref-cnn');
    expect([...logitsOf(loaded.model, set)]).toEqual([...before]);
    model.dispose();
    loaded.model.dispose();
  });
});
