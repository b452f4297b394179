import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { Vocab } from '../../runtime/text/vocab.js';
import * as tf from '../../runtime/tf.js';
import { loadClassifier, logitsOf, newManifest, saveClassifier } from '../classifier.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { fitClassifier } from '../fit.js';
import { gruClassifier } from './gru-classifier.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** PyTorch nn.GRU's equations, in plain JavaScript, for one sequence. */
function referenceGru(
  ids: number[],
  w: { emb: number[][]; wx: number[][]; wh: number[][]; bx: number[]; bh: number[] },
): number[] {
  const h = w.wh.length;
  let state = new Array(h).fill(0);
  for (const id of ids) {
    const x = w.emb[id];
    const gx = w.bx.map((b, j) => b + x.reduce((s, xi, i) => s + xi * w.wx[i][j], 0));
    const gh = w.bh.map((b, j) => b + state.reduce((s, hi, i) => s + hi * w.wh[i][j], 0));
    state = state.map((hj, j) => {
      const r = sigmoid(gx[j] + gh[j]);
      const z = sigmoid(gx[h + j] + gh[h + j]);
      const n = Math.tanh(gx[2 * h + j] + r * gh[2 * h + j]);
      return (1 - z) * n + z * hj;
    });
  }
  return state;
}

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-gru-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('GRU classifier', () => {
  it("computes PyTorch's GRU equations (last hidden state, then linear)", () => {
    const model = gruClassifier(5, 12, 3, { embedding: 4, units: 6 });
    const [emb, wx, wh, bx, bh, dw, db] = model.getWeights().map((t) => t.arraySync()) as [
      number[][],
      number[][],
      number[][],
      number[],
      number[],
      number[][],
      number[],
    ];
    const seqs = [
      [1, 4, 4, 0, 11],
      [7, 2, 9, 3, 3],
    ];
    const out = (model.predict(tf.tensor2d(seqs, [2, 5], 'int32')) as tf.Tensor).arraySync() as number[][];
    seqs.forEach((ids, b) => {
      const state = referenceGru(ids, { emb, wx, wh, bx, bh });
      const logits = db.map((bias, k) => bias + state.reduce((s, hi, i) => s + hi * dw[i][k], 0));
      logits.forEach((l, k) => {
        expect(out[b][k]).toBeCloseTo(l, 4);
      });
    });
  });

  it('trains on token windows with outliers without growing the tensor count, and saves with its vocabulary', async () => {
    const n = 64;
    const set: TextSet = {
      name: 'toy',
      tokens: Int32Array.from({ length: n * 8 }, (_, i) =>
        Math.floor(i / 8) % 2 === 0 ? 1 + (i % 5) : 6 + (i % 5),
      ),
      shape: [n, 8],
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      classNames: ['low', 'high'],
    };
    const noise: TextSet = {
      name: 'noise',
      tokens: Int32Array.from({ length: 32 * 8 }, (_, i) => (i * 7) % 11),
      shape: [32, 8],
    };
    const model = gruClassifier(8, 11, 2);
    const counts: number[] = [];
    await fitClassifier(model, set, {
      epochs: 6,
      batchSize: 16,
      outlierBatch: 8,
      outliers: noise,
      loss: 'oe',
      lr: 0.02,
      momentum: 0.9,
      optimizer: 'adam',
      seed: 0,
      onProgress: (p) => {
        if (p.step % 4 === 2) counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toEqual(counts.map(() => counts[0]));
    const logits = logitsOf(model, set);
    let right = 0;
    for (let i = 0; i < n; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === set.labels![i]) right++;
    expect(right).toBe(n);
    const vocab = Vocab.fromCounts(new Map(Array.from({ length: 10 }, (_, i) => [`w${i}`, 10 - i])), 11, []);
    const manifest = newManifest(
      'toy',
      'gru',
      ['low', 'high'],
      { kind: 'baseline' },
      {
        data: 'toy',
        command: 'test',
        steps: 24,
        seed: 0,
      },
      { inputShape: [8], input: 'token-ids', data: 'brown' },
    );
    await saveClassifier(join(dir, 'clf'), { model, manifest, vocab });
    const loaded = await loadClassifier(join(dir, 'clf'));
    expect(loaded.manifest.vocab?.size).toBe(11);
    expect(loaded.vocab?.tokens).toEqual(vocab.tokens);
    expect(Array.from(logitsOf(loaded.model, set))).toEqual(Array.from(logits));
  }, 60_000);
});
