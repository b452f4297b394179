import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { readManifest, type TextGeneratorManifest } from '../manifest.js';
import { generatorVersion } from '../pool/rows.js';
import { chooseRuntime } from '../twin.js';
import { writeTinyLm } from './fixture.js';
import { type LoadedLm, loadLm } from './load.js';
import { emptyCache, lmStep } from './model.js';
import { type LmOnnxStepper, openLmStepper } from './onnx-step.js';
import { sampleTexts } from './sampler.js';

let dir: string;
let lm: LoadedLm;
let onnx: LmOnnxStepper;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-lm-onnx-'));
  // Longer than the fixture's default, so the cache grows past a few positions.
  await writeTinyLm(join(dir, 'tiny-lm'), { length: 24, seed: 3 });
  lm = await loadLm(join(dir, 'tiny-lm'));
  onnx = await openLmStepper(lm.config, lm.vars, 'tiny-lm (ONNX step)');
});

afterAll(async () => {
  await onnx?.dispose();
  lm?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function tokensOf(o: { start: number; count: number; batchSize: number }, stepper?: LmOnnxStepper) {
  const out: number[][] = [];
  for await (const b of sampleTexts(lm.vars, lm.config, { temperature: 2, seed: 11, ...o }, stepper)) {
    for (let r = 0; r < b.count; r++) out.push([...b.tokens.subarray(r * b.length, (r + 1) * b.length)]);
  }
  return out;
}

describe('the language model step on ONNX Runtime', () => {
  it("computes TF.js's logits (teacher-forced, with the cache growing to the model's length)", async () => {
    const rows = 5;
    const decoding = onnx.start(rows, lm.config.length);
    let cache = emptyCache();
    let worst = 0;
    let ids = Int32Array.from({ length: rows }, (_, r) => lm.config.classTokens[r % 2]);
    for (let t = 0; t < lm.config.length; t++) {
      const got = await decoding.next(ids);
      const input = tf.tensor1d(ids, 'int32');
      const step = lmStep(lm.vars, lm.config, input, cache, { decoderBias: false });
      input.dispose();
      cache = step.cache;
      const want = step.logits.dataSync();
      step.logits.dispose();
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      ids = Int32Array.from({ length: rows }, (_, r) => lm.config.specials + ((t * 7 + r * 13) % 100));
    }
    tf.dispose([...cache.keys, ...cache.values]);
    // float32 sums in another order: a few ulps of logits of size ≈ 1; a missing layer or a wrong
    // transpose moves them by ≥ 1e-2.
    expect(worst).toBeLessThan(1e-4);
  });

  it('gives row i the same tokens whatever the batch and the start (the determinism promise)', async () => {
    const whole = await tokensOf({ start: 0, count: 12, batchSize: 12 }, onnx);
    expect(await tokensOf({ start: 0, count: 12, batchSize: 5 }, onnx)).toEqual(whole);
    expect(await tokensOf({ start: 4, count: 3, batchSize: 1 }, onnx)).toEqual(whole.slice(4, 7));
  });

  it("draws TF.js's tokens on this model (the same logits to 1e-4 rarely move a draw)", async () => {
    const viaOnnx = await tokensOf({ start: 0, count: 16, batchSize: 16 }, onnx);
    const viaTfjs = await tokensOf({ start: 0, count: 16, batchSize: 16 });
    expect(viaOnnx).toEqual(viaTfjs);
  });

  it('is what GOE_RUNTIME auto and onnx choose for an LM, with its own version; tfjs keeps TF.js', async () => {
    const path = join(dir, 'tiny-lm');
    const manifest = await readManifest<TextGeneratorManifest>(path);
    expect(chooseRuntime(path, manifest, 'auto')).toBe('onnx');
    expect(chooseRuntime(path, manifest, 'onnx')).toBe('onnx');
    expect(chooseRuntime(path, manifest, 'tfjs')).toBe('tfjs');
    expect(generatorVersion(manifest, 'onnx')).not.toBe(generatorVersion(manifest, 'tfjs'));
  });
});
