import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import {
  categoricalFromUniform,
  Purpose,
  RngArgumentError,
  sampleStream,
  uniformIntRows,
} from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import { writeTinyLm } from './fixture.js';
import { type LoadedLm, loadLm } from './load.js';
import { emptyCache, lmStep } from './model.js';
import { drawToken, sampleTexts } from './sampler.js';

/** The reference draw: the row copied, ids 1…specials−1 masked, then the rng module's categorical. */
function reference(
  logits: Float32Array,
  offset: number,
  V: number,
  specials: number,
  t: number,
  u: number,
): number {
  const row = Float32Array.from(logits.subarray(offset, offset + V));
  row.fill(Number.NEGATIVE_INFINITY, 0, specials);
  row[0] = logits[offset];
  return categoricalFromUniform(row, t, u);
}

describe('drawToken', () => {
  it('draws exactly the token categoricalFromUniform draws from the masked row', () => {
    const rng = sampleStream(7, 0, Purpose.TOKEN);
    const V = 300;
    const w = new Float64Array(V);
    const logits = new Float32Array(4 * V);
    const mismatches: string[] = [];
    let checked = 0;
    for (let trial = 0; trial < 60; trial++) {
      const scale = [0.01, 1, 10, 200][trial % 4];
      for (let i = 0; i < logits.length; i++) logits[i] = (rng.uniform() - 0.5) * scale;
      if (trial % 5 === 0) logits[V + 17] = Number.NEGATIVE_INFINITY; // a masked word
      for (const specials of [0, 1, 3, 40]) {
        for (const t of [0, 0.05, 1, 2, 20]) {
          for (const u of [2 ** -53, 0.5, 1 - 2 ** -53, rng.uniform()]) {
            for (const offset of [0, V, 3 * V]) {
              const got = drawToken(logits, offset, V, specials, t, u, w);
              const want = reference(logits, offset, V, specials, t, u);
              if (got !== want)
                mismatches.push(`trial ${trial} specials ${specials} T ${t} u ${u}: ${got} ≠ ${want}`);
              checked++;
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(60 * 4 * 5 * 4 * 3);
  });

  it('rejects NaN, +Infinity and all-masked rows as the rng module does', () => {
    const w = new Float64Array(4);
    const ninf = Number.NEGATIVE_INFINITY;
    expect(() => drawToken(Float32Array.of(0, 1, Number.NaN, 2), 0, 4, 2, 1, 0.5, w)).toThrow(
      RngArgumentError,
    );
    expect(() => drawToken(Float32Array.of(0, 1, Number.POSITIVE_INFINITY, 2), 0, 4, 2, 1, 0.5, w)).toThrow(
      /logits\[2\]/,
    );
    expect(() => drawToken(Float32Array.of(ninf, 5, ninf, ninf), 0, 4, 2, 1, 0.5, w)).toThrow(
      /at least one finite/,
    );
    // A NaN at a masked id is never read, as in the reference (the mask overwrites it).
    expect(drawToken(Float32Array.of(0, Number.NaN, 1, 2), 0, 4, 2, 0, 0.5, w)).toBe(3);
  });
});

describe('sampleTexts', () => {
  let dir: string;
  let lm: LoadedLm;

  beforeAll(async () => {
    await initBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'goe-sampler-'));
    await writeTinyLm(dir, { seed: 3 });
    lm = await loadLm(dir);
  });

  afterAll(async () => {
    lm.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  /** The sampler as first written: lmStep, then categoricalFromUniform on a masked copy of each row. */
  function referenceTokens(seed: number, count: number, temperature: number): Int32Array {
    const c = lm.config;
    const V = c.vocabSize;
    const cls = uniformIntRows(seed, 0, count, c.classTokens.length, Purpose.CLASS);
    const streams = Array.from({ length: count }, (_, r) => sampleStream(seed, r, Purpose.TOKEN));
    const out = new Int32Array(count * c.length);
    let ids = tf.tensor1d(
      Int32Array.from(cls, (k) => c.classTokens[k]),
      'int32',
    );
    let cache = emptyCache();
    for (let t = 0; t < c.length; t++) {
      const step = lmStep(lm.vars, c, ids, cache);
      cache = step.cache;
      ids.dispose();
      const logits = step.logits.dataSync() as Float32Array;
      step.logits.dispose();
      const next = new Int32Array(count);
      for (let r = 0; r < count; r++) {
        next[r] = reference(logits, r * V, V, c.specials, temperature, streams[r].uniform());
        out[r * c.length + t] = next[r];
      }
      ids = tf.tensor1d(next, 'int32');
    }
    ids.dispose();
    tf.dispose([...cache.keys, ...cache.values]);
    return out;
  }

  it('draws the tokens of the reference sampler, whatever the batch size', async () => {
    for (const temperature of [1, 2]) {
      const want = referenceTokens(5, 6, temperature);
      for (const batchSize of [6, 4]) {
        const got: number[] = [];
        for await (const b of sampleTexts(lm.vars, lm.config, {
          temperature,
          seed: 5,
          count: 6,
          batchSize,
        })) {
          got.push(...b.tokens);
        }
        expect(got).toEqual(Array.from(want));
      }
    }
  });

  it('never draws <unk> with allowUnk false, and otherwise draws what the masked reference draws', async () => {
    const V = 9;
    const logits = Float32Array.from([5, 0, 0, 1, 2, 0.5, -1, 3, 0]);
    const w = new Float64Array(V);
    for (let k = 0; k < 200; k++) {
      const u = (k + 0.5) / 200;
      const masked = Float32Array.from(logits);
      masked[0] = Number.NEGATIVE_INFINITY;
      const want = reference(masked, 0, V, 3, 1.5, u);
      expect(drawToken(logits, 0, V, 3, 1.5, u, w, false)).toBe(want);
      expect(want).not.toBe(0);
    }
    expect(drawToken(logits, 0, V, 3, 0, 0.5, w, false)).toBe(7);
    const got: number[] = [];
    for await (const b of sampleTexts(lm.vars, lm.config, {
      temperature: 0.5,
      seed: 1,
      count: 8,
      allowUnk: false,
    })) {
      got.push(...b.tokens);
    }
    expect(got).not.toContain(0);
    expect(Math.min(...got)).toBeGreaterThanOrEqual(lm.config.specials);
  });
});
