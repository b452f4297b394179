import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { toyLmConfig, toyLmDocs } from './fixture.js';
import { emptyCache, initLm, lmLogits, lmStep, softmaxCrossEntropy } from './model.js';
import { lmBatch, perplexity, trainLm } from './train.js';

const config = toyLmConfig;
const docs = toyLmDocs;

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-lm-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('language model', () => {
  it('decodes with the key/value cache exactly as a full causal forward pass', () => {
    const v = initLm(config, 3);
    const prefix = [1, 5, 9, 11, 30, 7];
    const full = tf.tidy(() =>
      lmLogits(v, config, tf.tensor2d([prefix], [1, prefix.length], 'int32')).arraySync(),
    )[0];
    let cache = emptyCache();
    prefix.forEach((t, pos) => {
      const ids = tf.tensor1d([t], 'int32');
      const step = lmStep(v, config, ids, cache);
      cache = step.cache;
      const row = step.logits.arraySync()[0];
      for (let k = 0; k < config.vocabSize; k++) expect(row[k]).toBeCloseTo(full[pos][k], 4);
      tf.dispose([ids, step.logits]);
    });
    tf.dispose([...cache.keys, ...cache.values, ...Object.values(v)]);
  });

  it('has a fused cross-entropy equal to the textbook one, gradient included', () => {
    const x = tf.randomNormal([6, 7], 0, 3, 'float32', 1) as tf.Tensor2D;
    const y = tf.tensor1d([0, 6, 3, 3, 1, 2], 'int32');
    const ref = (l: tf.Tensor2D) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 7), l) as tf.Scalar;
    const a = tf.valueAndGrad((l: tf.Tensor2D) => softmaxCrossEntropy(l, y))(x);
    const b = tf.valueAndGrad(ref)(x);
    expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0], 5);
    const ga = a.grad.dataSync();
    const gb = b.grad.dataSync();
    for (let i = 0; i < ga.length; i++) expect(ga[i]).toBeCloseTo(gb[i], 6);
    tf.dispose([x, y, a.value, a.grad, b.value, b.grad]);
  });

  it('draws batches from the class token and window starts of (seed, step) only', () => {
    const a = lmBatch(docs, config, 4, 7, 12);
    expect(lmBatch(docs, config, 4, 7, 12)).toEqual(a);
    expect(lmBatch(docs, config, 4, 7, 13)).not.toEqual(a);
    for (let b = 0; b < 4; b++) {
      expect(config.classTokens).toContain(a.ids[b * 10]);
      // input = [class, w0..w8], target = w0..w9
      expect(Array.from(a.ids.subarray(b * 10 + 1, b * 10 + 10))).toEqual(
        Array.from(a.targets.subarray(b * 10, b * 10 + 9)),
      );
    }
  });

  it('learns, keeps tensors bounded, and resumes from a checkpoint as if uninterrupted', async () => {
    const base = {
      config,
      batchSize: 8,
      seed: 1,
      lr: 1e-2,
      warmup: 5,
      clipNorm: 1,
      checkpointEvery: 20,
    };
    const before = perplexity(initLm(config, 1), config, docs);
    const counts: number[] = [];
    const whole = await trainLm(docs, {
      ...base,
      outDir: join(dir, 'whole'),
      steps: 80,
      onProgress: (p) => {
        if (p.step % 20 === 5) counts.push(tf.memory().numTensors);
      },
    });
    expect(counts, `numTensors every 20 steps`).toEqual(counts.map(() => counts[0]));
    const after = perplexity(whole.vars, config, docs);
    expect(after).toBeLessThan(before / 2);
    const stop = new AbortController();
    await trainLm(docs, {
      ...base,
      outDir: join(dir, 'split'),
      steps: 80,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 40) stop.abort();
      },
    });
    const resumed = await trainLm(docs, { ...base, outDir: join(dir, 'split'), steps: 80 });
    expect(resumed.step).toBe(80);
    expect(perplexity(resumed.vars, config, docs)).toBeCloseTo(after, 3);
    await expect(trainLm(docs, { ...base, seed: 2, outDir: join(dir, 'split'), steps: 90 })).rejects.toThrow(
      /checkpoint of a different run/,
    );
  }, 60_000);
});
