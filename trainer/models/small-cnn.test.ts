import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { smallCnn } from './small-cnn.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const layout = (inputShape: [number, number, number]) => {
  const model = smallCnn(inputShape, 6);
  const shapes = model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]);
  model.dispose();
  return shapes;
};

describe('small CNN sized for the row shape', () => {
  it('keeps the 28×28 and 32×32 layout (the zoo classifiers load unchanged)', () => {
    expect(layout([28, 28, 1]).map(([n]) => n)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'flatten',
      'fc1',
      'logits',
    ]);
    expect(layout([32, 32, 3]).find(([n]) => n === 'flatten')).toEqual(['flatten', [8 * 8 * 32]]);
  });

  it('halves larger inputs until the dense layer reads at most 8×8×32 features', () => {
    expect(layout([64, 64, 3])).toEqual([
      ['conv1', [64, 64, 16]],
      ['pool1', [32, 32, 16]],
      ['conv2', [16, 16, 32]],
      ['conv3', [8, 8, 32]],
      ['flatten', [2048]],
      ['fc1', [128]],
      ['logits', [6]],
    ]);
    expect(layout([96, 80, 3]).find(([n]) => n === 'flatten')).toEqual(['flatten', [6 * 5 * 32]]);
  });
});

describe('seeded initial weights (the determinism promise)', () => {
  it('draws the same initial weights for the same seed, other ones for another seed', async () => {
    const { buildClassifier } = await import('./index.js');
    const first = (seed?: number) => {
      const m = buildClassifier('small-cnn', [28, 28, 1], 4, seed === undefined ? {} : { seed });
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w;
    };
    const a = first(0);
    expect(first(0)).toEqual(a);
    expect(first(1)[0]).not.toEqual(a[0]);
    // Unseeded builds (TF.js's own initialisers) differ run to run: the reason the seed is needed.
    expect(first()[0]).not.toEqual(first()[0]);
    // Kernels are Glorot-uniform: conv1 [3, 3, 1, 16] has limit √(6 / (9 + 144)).
    const limit = Math.sqrt(6 / (9 + 144));
    expect(Math.max(...a[0].map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...a[0].map(Math.abs))).toBeGreaterThan(limit * 0.8);
    expect(a[1].every((b) => b === 0)).toBe(true);
  });
});
