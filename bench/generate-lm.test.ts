import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLm, writeTinyLm } from '../generators/lm/index.js';
import { initBackend } from '../runtime/backend/index.js';
import { runGoe } from '../test/helpers/cli.js';
import { findPython } from '../test/helpers/python.js';
import { checkLmPeer, type GenerateLmResult, LmPeerMismatchError } from './generate-lm.js';

/** A tokens/s ratio means something only if the peer samples from the same model: check it does. */

let root: string;
let python: string;

beforeAll(async () => {
  // Fails (never skips) without PyTorch: a green run means the peer ran.
  python = findPython(['torch', 'numpy']);
  await initBackend();
  root = await mkdtemp(join(tmpdir(), 'goe-bench-lm-'));
  await writeTinyLm(join(root, 'a'), { seed: 1 });
  await writeTinyLm(join(root, 'b'), { seed: 2 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('`goe bench generate` on a language model', () => {
  it('checks the PyTorch peer’s logits, then times both sides on the same token count', async () => {
    const run = await runGoe([
      'bench',
      'generate',
      '--model',
      join(root, 'a'),
      '--json',
      '--batch',
      '3',
      '--count',
      '5',
      '--threads',
      '1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as GenerateLmResult;
    expect(result).toMatchObject({ name: 'generate', modality: 'text', batch: 3, count: 5, length: 12 });
    expect(result.tokens).toBe(5 * 12);
    expect(result.tokensPerSec).toBeGreaterThan(0);
    // onnxruntime-node is installed here, so GOE_RUNTIME=auto decodes on it; TF.js is timed beside it.
    expect(result.runtime).toBe('onnx');
    expect(result.tfjsTokensPerSec).toBeGreaterThan(0);
    // The worker pool's rate, with as many workers as cores and with one, beside the same peer.
    expect(result.pool.workers).toBeGreaterThanOrEqual(1);
    expect(result.pool.tokensPerSec).toBeGreaterThan(0);
    expect(result.pool.singleWorkerTokensPerSec).toBeGreaterThan(0);
    expect(result.pool.ratio).toBeCloseTo(
      result.pool.tokensPerSec / (result.peer?.tokensPerSec ?? Number.NaN),
      10,
    );
    expect(result.peer).toMatchObject({ name: 'pytorch', threads: 1, tokens: 5 * 12 });
    expect(result.peers).toEqual([result.peer]);
    expect(result.ratio).toBeCloseTo(result.tokensPerSec / (result.peer?.tokensPerSec ?? Number.NaN), 10);
    expect(result.check?.maxAbsDiff.cached).toBeLessThan(1e-5);
    expect(result.check?.maxAbsDiff.full).toBeLessThan(1e-5);
    expect(result.check?.positions).toEqual([0, 1, 6, 11]);
    expect(result.versions.backendPackage).toMatch(/tfjs/);
  });

  it('refuses to compare with a peer that computes another function', async () => {
    const lm = await loadLm(join(root, 'a'));
    try {
      // The peer reads model b's weights: the same architecture, different logits.
      expect(() => checkLmPeer(python, lm, join(root, 'b', 'lm.safetensors'), 'a')).toThrow(
        LmPeerMismatchError,
      );
    } finally {
      lm.dispose();
    }
  });
});
