import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { snapshot } from '../weights.js';
import { type CganConfig, defaultCganConfig } from './config.js';
import { type LabelledImages, trainCgan } from './train.js';

const config: CganConfig = { ...defaultCganConfig, gWidth: 4, dWidth: 4 };
const n = 64;
const data: LabelledImages = {
  images: Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256),
  labels: Int32Array.from({ length: n }, (_, i) => i % 10),
  shape: [n, 28, 28, 1],
};
const base = {
  config,
  batchSize: 8,
  seed: 11,
  learningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  checkpointEvery: 2,
};
let dir: string;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-cgan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function dispose(run: Awaited<ReturnType<typeof trainCgan>>) {
  for (const v of [...Object.values(run.generator), ...Object.values(run.discriminator)]) v.dispose();
}

describe('trainCgan', () => {
  it('resumes from a checkpoint to the same weights as an uninterrupted run', async () => {
    const straight = await trainCgan(data, { ...base, steps: 4, outDir: join(dir, 'a'), fresh: true });
    const want = snapshot(straight.generator);
    dispose(straight);

    const stop = new AbortController();
    const first = await trainCgan(data, {
      ...base,
      steps: 4,
      outDir: join(dir, 'b'),
      fresh: true,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 2) stop.abort();
      },
    });
    expect(first.step).toBe(2);
    dispose(first);
    let resumedFrom: number | undefined;
    const resumed = await trainCgan(data, {
      ...base,
      steps: 4,
      outDir: join(dir, 'b'),
      onProgress: (p) => {
        resumedFrom ??= p.resumedFrom;
      },
    });
    expect(resumedFrom).toBe(2);
    expect(resumed.step).toBe(4);
    const got = snapshot(resumed.generator);
    dispose(resumed);
    // fc.b and up1.b feed batch norm, which cancels them: their true gradient is 0, and Adam rescales
    // float round-off into full-size steps there, so they differ between any two runs.
    for (const name of Object.keys(want).filter((k) => k !== 'fc.b' && k !== 'up1.b')) {
      const a = want[name].data;
      const b = got[name].data;
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst, name).toBeLessThan(1e-5);
    }
  });

  it('refuses to resume a checkpoint of a different run', async () => {
    await expect(trainCgan(data, { ...base, seed: 12, steps: 4, outDir: join(dir, 'b') })).rejects.toThrow(
      /different run/,
    );
  });

  it('does not grow tf.memory().numTensors step by step', async () => {
    const counts: number[] = [];
    const run = await trainCgan(data, {
      ...base,
      steps: 8,
      checkpointEvery: 100,
      outDir: join(dir, 'c'),
      fresh: true,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    dispose(run);
    expect(counts[7]).toBe(counts[2]);
  });
});
