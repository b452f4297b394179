import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { snapshot } from '../weights.js';
import { type CganConfig, defaultCganConfig } from './config.js';
import { type CganRun, type LabelledImages, trainCgan } from './train.js';

/** Data-parallel cGAN training (`goe train-generator --workers N`) against the single-thread loop. */

const config: CganConfig = { ...defaultCganConfig, gWidth: 4, dWidth: 4 };
const n = 96;
const data: LabelledImages = {
  images: Uint8Array.from({ length: n * 784 }, (_, i) => ((i * 2654435761) >>> 24) & 255),
  labels: Int32Array.from({ length: n }, (_, i) => (i * 7) % 10),
  shape: [n, 28, 28, 1],
};
const base = {
  config,
  batchSize: 8,
  seed: 5,
  learningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  checkpointEvery: 1000,
};
let dir: string;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-cgan-dp-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every weight of both networks (and the batch-norm running statistics), flattened by name. */
function weightsOf(run: CganRun): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [net, vars] of [
    ['G', run.generator],
    ['D', run.discriminator],
  ] as const) {
    for (const [name, t] of Object.entries(snapshot(vars))) out[`${net}.${name}`] = t.data as Float32Array;
    for (const v of Object.values(vars)) v.dispose();
  }
  return out;
}

/** The largest |a − b| over the weights, but G's two biases batch norm cancels and their running means. */
function maxDiff(
  a: Record<string, Float32Array>,
  b: Record<string, Float32Array>,
): { diff: number; worst: string } {
  let diff = 0;
  let worst = '';
  // fc.b and up1.b feed batch norm, which cancels them: their true gradient is 0 and Adam rescales float
  // round-off into full-size steps there (generators/cgan/train.test.ts excludes them for the same reason).
  // The running means of the batch norms they feed (bn0, bn1) track those biases, so they drift alike.
  const cancelled = ['G.fc.b', 'G.up1.b', 'G.bn0.mean', 'G.bn1.mean'];
  for (const name of Object.keys(a).filter((k) => !cancelled.includes(k))) {
    for (let i = 0; i < a[name].length; i++) {
      const d = Math.abs(a[name][i] - b[name][i]);
      if (d > diff) [diff, worst] = [d, name];
    }
  }
  return { diff, worst };
}

describe('data-parallel trainCgan (--workers)', () => {
  let one: Record<string, Float32Array>;
  let start: Record<string, Float32Array>;

  it('takes the single-thread run’s 50 steps with 2 workers: weights within 2e-5', async () => {
    start = weightsOf(await trainCgan(data, { ...base, steps: 0, outDir: join(dir, 's'), fresh: true }));
    const a = await trainCgan(data, { ...base, steps: 50, outDir: join(dir, 'a'), fresh: true });
    expect(a.step).toBe(50);
    one = weightsOf(a);
    const b = await trainCgan(data, { ...base, steps: 50, outDir: join(dir, 'b'), fresh: true, workers: 2 });
    expect(b.lossD).toBeCloseTo(a.lossD, 4);
    expect(b.lossG).toBeCloseTo(a.lossG, 4);
    const two = weightsOf(b);
    const { diff, worst } = maxDiff(one, two);
    const moved = maxDiff(one, start).diff;
    console.log(
      `max |Δw| 1 vs 2 workers after 50 steps: ${diff.toExponential(2)} (${worst}); moved ${moved.toExponential(2)}`,
    );
    // The runs differ only in float32 reassociation (batch means taken as means of half-batch means; G's
    // gradient as a vector–Jacobian product seeded with the workers' ∂L/∂fake instead of one graph): a
    // relative ~1e-7 per gradient, which Adam (each step ≈ lr = 2e-4 whatever the gradient's size) and the
    // GAN's feedback carry on: 4.8e-7 measured here after 50 steps. 2e-5 leaves 40× for other machines and
    // is a tenth of one Adam step: a wrong average (a sum, a dropped shard, G's round before D's update)
    // moves weights by whole steps, while training moves them by ~0.9.
    expect(moved).toBeGreaterThan(5e-3);
    expect(diff).toBeLessThan(2e-5);
  }, 60_000);

  it('resumes a data-parallel run from its checkpoint to the single-thread run’s weights', async () => {
    const stop = new AbortController();
    const first = await trainCgan(data, {
      ...base,
      steps: 50,
      outDir: join(dir, 'c'),
      fresh: true,
      workers: 2,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 20) stop.abort();
      },
    });
    expect(first.step).toBe(20);
    weightsOf(first);
    let resumedFrom: number | undefined;
    const resumed = await trainCgan(data, {
      ...base,
      steps: 50,
      outDir: join(dir, 'c'),
      workers: 2,
      onProgress: (p) => {
        resumedFrom ??= p.resumedFrom;
      },
    });
    expect(resumedFrom).toBe(20);
    expect(resumed.step).toBe(50);
    expect(maxDiff(one, weightsOf(resumed)).diff).toBeLessThan(2e-5);
  }, 60_000);

  it('refuses a batch that does not divide by the worker count, naming --workers', async () => {
    await expect(
      trainCgan(data, { ...base, steps: 2, outDir: join(dir, 'd'), fresh: true, workers: 3 }),
    ).rejects.toThrow('--workers 3 must divide --batch 8');
  });
});
