import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend/index.js';
import { loadClassifier, logitsOf, newManifest, saveClassifier } from './classifier.js';
import { evaluate } from './evaluate.js';
import { buildClassifier } from './models/index.js';

let dir: string;
const images = Uint8Array.from({ length: 20 * 784 }, (_, i) => (i * 13) % 256);
const shape = [20, 28, 28, 1] as [number, number, number, number];

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-clf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('classifier folders', () => {
  it('round-trip: a loaded classifier gives the saved one’s logits', async () => {
    const model = buildClassifier('small-cnn', [28, 28, 1], 10);
    const manifest = newManifest(
      't',
      'small-cnn',
      [...'abcdefghij'],
      { kind: 'test' },
      { data: 'none', command: 'test', steps: 0, seed: 0 },
    );
    const saved = await saveClassifier(dir, { model, manifest });
    expect(saved.weights.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const loaded = await loadClassifier(dir);
    expect(Array.from(logitsOf(loaded.model, { name: 'x', images, shape }))).toEqual(
      Array.from(logitsOf(model, { name: 'x', images, shape })),
    );
  });

  it('refuses weights that do not match the manifest digest', async () => {
    await writeFile(join(dir, 'weights.safetensors'), new Uint8Array(100));
    await expect(loadClassifier(dir)).rejects.toThrow(/digest|safetensors|truncated/);
  });

  it('names a missing folder', async () => {
    await expect(loadClassifier(join(dir, 'nope'))).rejects.toThrow(/no model at/);
  });
});

describe('evaluate', () => {
  it('reports one result per detector × OOD set, means, and accuracy in percent', () => {
    const model = buildClassifier('small-cnn', [28, 28, 1], 10);
    const inTest = { name: 'in', images, shape, labels: Int32Array.from({ length: 20 }, (_, i) => i % 10) };
    const ood = [
      { name: 'a', images: images.map((v) => 255 - v), shape },
      { name: 'b', images: new Uint8Array(images.length).fill(255), shape },
    ];
    const r = evaluate(model, inTest, ood, ['msp', 'energy']);
    expect(r.results.map((x) => `${x.detector}/${x.ood}`)).toEqual([
      'msp/a',
      'msp/b',
      'energy/a',
      'energy/b',
    ]);
    for (const x of r.results) {
      for (const k of ['auroc', 'auprIn', 'auprOut', 'fpr95'] as const) {
        expect(x[k]).toBeGreaterThanOrEqual(0);
        expect(x[k]).toBeLessThanOrEqual(100);
      }
    }
    expect(r.mean.msp.auroc).toBeCloseTo((r.results[0].auroc + r.results[1].auroc) / 2, 10);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.accuracy).toBeLessThanOrEqual(100);
  });
});

describe('architectures', () => {
  it('builds the WideResNet option and maps a batch to logits', () => {
    const model = buildClassifier('wrn', [28, 28, 1], 10);
    const logits = logitsOf(model, { name: 'x', images: images.subarray(0, 2 * 784), shape: [2, 28, 28, 1] });
    expect(logits).toHaveLength(20);
    expect(logits.every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
