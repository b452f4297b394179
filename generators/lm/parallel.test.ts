import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { snapshot } from '../weights.js';
import type { LmConfig } from './config.js';
import { toyLmConfig, toyLmDocs } from './fixture.js';
import type { LmVars } from './model.js';
import { type LmTrainOptions, perplexity, trainLm } from './train.js';

/** Data-parallel language-model training (`goe train-generator --kind lm --workers N`) against one thread. */

// Without dropout a 2-worker step is the 1-thread step up to float reassociation (with it, each shard
// draws its own masks: another random draw, tested apart below).
const config: LmConfig = { ...toyLmConfig, dropout: 0 };
const docs = toyLmDocs;
const base: Omit<LmTrainOptions, 'outDir' | 'steps'> = {
  config,
  batchSize: 8,
  seed: 3,
  lr: 1e-2,
  warmup: 5,
  clipNorm: 1,
  checkpointEvery: 1000,
  fresh: true,
};
let dir: string;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-lm-dp-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function weightsOf(v: LmVars): Record<string, Float32Array> {
  const out = Object.fromEntries(
    Object.entries(snapshot(v)).map(([name, t]) => [name, t.data as Float32Array]),
  );
  for (const x of Object.values(v)) x.dispose();
  return out;
}

/**
 * The largest |a − b| over the weights but the key biases: a bias added to every key adds q·b to every score
 * of a query, which softmax cancels, so its true gradient is 0 and Adam rescales float round-off there into
 * full-size steps (as batch norm does to the cGAN's pre-norm biases, generators/cgan/parallel.test.ts).
 */
function maxDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  const d = config.dModel;
  let diff = 0;
  for (const name of Object.keys(a)) {
    const keyBias = name.endsWith('.qkv.bias');
    for (let i = 0; i < a[name].length; i++) {
      if (!(keyBias && i >= d && i < 2 * d)) diff = Math.max(diff, Math.abs(a[name][i] - b[name][i]));
    }
  }
  return diff;
}

describe('data-parallel trainLm (--workers)', () => {
  it('takes the single-thread run’s 50 steps with 2 workers: weights within 2e-5, and learns', async () => {
    const start = weightsOf((await trainLm(docs, { ...base, steps: 0, outDir: join(dir, 's') })).vars);
    const a = await trainLm(docs, { ...base, steps: 50, outDir: join(dir, 'a') });
    const ppl = perplexity(a.vars, config, docs);
    const one = weightsOf(a.vars);
    const b = await trainLm(docs, { ...base, steps: 50, outDir: join(dir, 'b'), workers: 2 });
    expect(b.step).toBe(50);
    expect(b.loss).toBeCloseTo(a.loss, 4);
    expect(perplexity(b.vars, config, docs)).toBeCloseTo(ppl, 2);
    const two = weightsOf(b.vars);
    const diff = maxDiff(one, two);
    const moved = maxDiff(one, start);
    console.log(
      `LM max |Δw| 1 vs 2 workers after 50 steps: ${diff.toExponential(2)}; moved ${moved.toExponential(2)}`,
    );
    // The runs differ only in float32 reassociation (the batch mean taken as the mean of two half-batch
    // means, and the clipping norm of the averaged gradients): 4.8e-7 measured here after 50 steps. 2e-5
    // leaves 40× for other machines and is a five-hundredth of one Adam step (≈ lr = 1e-2): a dropped shard
    // or stale weights in a worker move weights by whole steps, while training moves them by ≥ 0.1.
    expect(moved).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(2e-5);
  }, 120_000);

  it('resumes a data-parallel run from its checkpoint as if uninterrupted', async () => {
    const whole = weightsOf(
      (await trainLm(docs, { ...base, steps: 30, outDir: join(dir, 'c'), workers: 2 })).vars,
    );
    const stop = new AbortController();
    const first = await trainLm(docs, {
      ...base,
      steps: 30,
      outDir: join(dir, 'd'),
      workers: 2,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 12) stop.abort();
      },
    });
    expect(first.step).toBe(12);
    weightsOf(first.vars);
    let resumedFrom: number | undefined;
    const resumed = await trainLm(docs, {
      ...base,
      fresh: false,
      steps: 30,
      outDir: join(dir, 'd'),
      workers: 2,
      onProgress: (p) => {
        resumedFrom ??= p.resumedFrom;
      },
    });
    expect(resumedFrom).toBe(12);
    expect(maxDiff(whole, weightsOf(resumed.vars))).toBe(0);
  }, 120_000);

  it('draws dropout masks per shard: deterministic for a worker count, another draw than one thread', async () => {
    const dropout = { ...base, config: { ...config, dropout: 0.2 }, steps: 10 };
    const run = async (out: string, workers: number) =>
      weightsOf((await trainLm(docs, { ...dropout, outDir: join(dir, out), workers })).vars);
    const twoA = await run('e', 2);
    expect(maxDiff(twoA, await run('f', 2))).toBe(0);
    expect(maxDiff(twoA, await run('g', 1))).toBeGreaterThan(1e-3);
  }, 120_000);

  it('refuses a batch that does not divide by the worker count, naming --workers', async () => {
    await expect(trainLm(docs, { ...base, steps: 2, outDir: join(dir, 'h'), workers: 3 })).rejects.toThrow(
      '--workers 3 must divide --batch 8',
    );
  });
});
