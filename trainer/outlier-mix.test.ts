import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend/index.js';
import type { ImageSet } from './datasets/image-set.js';
import { uniformNoise } from './datasets/index.js';
import { fitClassifier } from './fit.js';
import { smallCnn } from './models/index.js';
import {
  isMixture,
  mixCounts,
  mixOrder,
  mixQuotas,
  mixturePool,
  parseOutlierMix,
  partSpecs,
} from './outlier-mix.js';
import type { OutlierSpec } from './outliers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('parseOutlierMix', () => {
  it('reads sources, σ², T, generator and weights (bare or weight=)', () => {
    const parts = parseOutlierMix('generated:sigma2=5,generated:sigma2=50:3,noise:w=0.5,natural');
    expect(parts.map((p) => [p.source, p.sigma2, p.weight])).toEqual([
      ['generated', 5, 1],
      ['generated', 50, 3],
      ['noise', undefined, 0.5],
      ['natural', undefined, 1],
    ]);
    expect(parseOutlierMix('generated:T=1.5:generator=brown-lm')[0]).toMatchObject({
      temperature: 1.5,
      generator: 'brown-lm',
    });
    expect(isMixture('generated')).toBe(false);
    expect(isMixture('noise,generated')).toBe(true);
    expect(isMixture('generated:sigma2=5')).toBe(true);
  });

  it.each([
    ['generated:sigma2=5,,noise', /part "": empty/],
    ['generated:sigma2=abc', /part "generated:sigma2=abc": sigma2 must be a non-negative number, not "abc"/],
    ['noise:0', /part "noise:0": weight must be a positive number/],
    ['noise:sigma2=5', /part "noise:sigma2=5": sigma2, temperature and generator belong to generated/],
    ['generated:foo=1', /part "generated:foo=1": unknown key "foo"/],
    ['none,noise', /part "none": none cannot be mixed/],
  ])('refuses %s with one line naming the part', (spec, message) => {
    expect(() => parseOutlierMix(spec)).toThrow(message);
  });
});

describe('mixQuotas', () => {
  it('splits a batch by weight, exactly, with the remainder to the largest fractions', () => {
    expect(mixQuotas(parseOutlierMix('noise,noise'), 128)).toEqual([64, 64]);
    expect(mixQuotas(parseOutlierMix('noise:1,noise:1,noise:1'), 128)).toEqual([43, 43, 42]);
    expect(mixQuotas(parseOutlierMix('noise:3,natural:1'), 10)).toEqual([8, 2]);
  });

  it('refuses a weight that would get no row of a batch', () => {
    expect(() => mixQuotas(parseOutlierMix('noise:1000,natural:1'), 128)).toThrow(
      /part "natural:1": weight too small for an outlier batch of 128/,
    );
  });

  it('gives each part its own pool size and seed', () => {
    const parts = parseOutlierMix('generated:sigma2=5,generated:sigma2=50:3');
    expect(mixCounts(parts, 1000)).toEqual([250, 750]);
    const specs = partSpecs(parts, { source: 'x', count: 1000, seed: 7 });
    expect(specs.map((s) => s.sigma2)).toEqual([5, 50]);
    expect(specs[0].seed).toBe(7);
    expect(specs[1].seed).not.toBe(7);
  });
});

describe('mixOrder', () => {
  const batches = (seed: number) => {
    const next = mixOrder([10, 30], [3, 5], seed);
    return Array.from({ length: 12 }, () => Array.from(next()));
  };

  it('draws each batch with the fixed quota per part, every part cycled through all its rows', () => {
    const all = batches(1);
    for (const b of all) {
      expect(b.filter((i) => i < 10)).toHaveLength(3);
      expect(b.filter((i) => i >= 10 && i < 40)).toHaveLength(5);
    }
    // 12 batches × 3 rows = 36 draws of the 10-row part: three whole passes first.
    const first30 = all.flatMap((b) => b.slice(0, 3)).slice(0, 30);
    expect(new Set(first30.slice(0, 10)).size).toBe(10);
    expect(first30.slice().sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => Math.floor(i / 3)),
    );
  });

  it('is deterministic per seed: the same seed repeats it, another seed differs', () => {
    expect(batches(1)).toEqual(batches(1));
    expect(batches(2)).not.toEqual(batches(1));
  });
});

describe('a mixture fine-tune', () => {
  const inDist: ImageSet = {
    name: 'toy',
    images: Uint8Array.from({ length: 32 * 784 }, (_, i) => (Math.floor(i / 784) % 2 ? 200 : 30)),
    labels: Int32Array.from({ length: 32 }, (_, i) => i % 2),
    shape: [32, 28, 28, 1],
    classNames: ['dark', 'bright'],
  };
  const load = async (spec: OutlierSpec) => ({ ...uniformNoise(spec.count, spec.seed), name: spec.source });

  async function run(seed: number): Promise<{ weights: Float32Array; batches: number[][] }> {
    const parts = parseOutlierMix('noise,natural:3');
    const mixed = await mixturePool(parts, { source: 'mix', count: 40, seed }, 8, load);
    const order = mixOrder(mixed.sizes, mixed.quotas, seed);
    const seen: number[][] = [];
    const model = smallCnn([28, 28, 1], 2);
    // Same initial weights for every run: only the outliers and batches can differ.
    model.setWeights(model.getWeights().map((w) => w.mul(0).add(0.01)));
    await fitClassifier(model, inDist, {
      epochs: 1,
      batchSize: 8,
      outlierBatch: 8,
      outliers: mixed.pool,
      outlierOrder: () => {
        const idx = order();
        seen.push(Array.from(idx));
        return idx;
      },
      loss: 'oe',
      lr: 0.01,
      momentum: 0.9,
      seed,
    });
    const weights = Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.dataSync())));
    model.dispose();
    return { weights, batches: seen };
  }

  it('gives identical outlier batches and weights for the same seed, different ones for another', async () => {
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a.batches).toHaveLength(4);
    for (const batch of a.batches) expect(batch.filter((i) => i < 10)).toHaveLength(2); // 10 noise rows, 2 per batch
    expect(b.batches).toEqual(a.batches);
    expect(b.weights).toEqual(a.weights);
    expect(c.batches).not.toEqual(a.batches);
    expect(c.weights).not.toEqual(a.weights);
  });
});
