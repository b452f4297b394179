import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { type CganConfig, defaultCganConfig } from './config.js';
import { type GeneratorVars, initGenerator } from './model.js';
import { type ImageSampleRequest, sampleImages } from './sampler.js';

const config: CganConfig = { ...defaultCganConfig, gWidth: 8, dWidth: 8 };
let vars: GeneratorVars;

async function collect(req: ImageSampleRequest) {
  let data: number[] = [];
  let classes: number[] = [];
  for await (const b of sampleImages(vars, config, req)) {
    data = data.concat(Array.from(b.data));
    classes = classes.concat(Array.from(b.classes));
  }
  return { data, classes };
}

beforeAll(async () => {
  await initBackend('wasm');
  vars = initGenerator(config, 3);
  // Running statistics unlike the fresh (0, 1) ones, as after training, so inference mode is visible.
  for (const [name, v] of Object.entries(vars)) {
    if (name.endsWith('.mean')) v.assign(tf.fill(v.shape, 0.01));
    if (name.endsWith('.var')) v.assign(tf.fill(v.shape, 0.5));
  }
});

describe('sampleImages: the determinism promise', () => {
  it('gives row i the same bytes whatever the batch size', async () => {
    const a = await collect({ sigma2: 50, seed: 7, count: 12, batchSize: 12 });
    const b = await collect({ sigma2: 50, seed: 7, count: 12, batchSize: 5 });
    expect(b.data).toEqual(a.data);
    expect(b.classes).toEqual(a.classes);
  });

  it('returns exactly rows k… of the full request for start = k', async () => {
    const full = await collect({ sigma2: 2, seed: 0, count: 10 });
    const tail = await collect({ sigma2: 2, seed: 0, start: 4, count: 6 });
    const row = 28 * 28;
    expect(tail.data).toEqual(full.data.slice(4 * row));
    expect(tail.classes).toEqual(full.classes.slice(4));
  });

  it('treats seed 0 as a seed and different seeds as different streams', async () => {
    // float32 rows: an untrained generator's uint8 output is nearly flat grey.
    const s0 = await collect({ sigma2: 1, seed: 0, count: 3, dtype: 'float32' });
    const s0again = await collect({ sigma2: 1, seed: 0, count: 3, dtype: 'float32' });
    const s1 = await collect({ sigma2: 1, seed: 1, count: 3, dtype: 'float32' });
    expect(s0again.data).toEqual(s0.data);
    expect(s1.data).not.toEqual(s0.data);
  });

  it('draws classes only from the requested set, roughly uniformly', async () => {
    const { classes } = await collect({ sigma2: 1, seed: 5, count: 300, classes: [2, 7] });
    expect(new Set(classes)).toEqual(new Set([2, 7]));
    const twos = classes.filter((c) => c === 2).length;
    expect(twos).toBeGreaterThan(110);
    expect(twos).toBeLessThan(190);
  });

  it('uses stored batch-norm statistics, so σ² changes the images (batch statistics would cancel it)', async () => {
    const small = await collect({ sigma2: 0.01, seed: 9, count: 8, classes: [1] });
    const large = await collect({ sigma2: 100, seed: 9, count: 8, classes: [1] });
    const spread = (d: number[]) => {
      const mean = d.reduce((s, v) => s + v, 0) / d.length;
      return d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length;
    };
    expect(spread(large.data)).toBeGreaterThan(spread(small.data) * 1.5);
  });

  it('gives every sample of a class the same image at σ² = 0', async () => {
    const { data } = await collect({ sigma2: 0, seed: 4, count: 3, classes: [6] });
    const row = 28 * 28;
    expect(data.slice(row, 2 * row)).toEqual(data.slice(0, row));
    expect(data.slice(2 * row)).toEqual(data.slice(0, row));
  });

  it('writes float32 rows in [0, 1] on request', async () => {
    const batches: Float32Array[] = [];
    for await (const b of sampleImages(vars, config, { sigma2: 5, seed: 1, count: 4, dtype: 'float32' })) {
      batches.push(b.data as Float32Array);
    }
    expect(batches[0]).toBeInstanceOf(Float32Array);
    expect(Math.min(...batches[0])).toBeGreaterThanOrEqual(0);
    expect(Math.max(...batches[0])).toBeLessThanOrEqual(1);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await collect({ sigma2: 50, seed: 2, count: 40, batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
