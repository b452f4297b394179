/**
 * Bring your own generator, as a user does it: a PyTorch generator exported to ONNX, imported with the real
 * `goe models add`, served by the real server on a socket, pulled with `goe pull` and loaded by numpy. At
 * σ² = 0 every row is the generator at z = 0, which PyTorch computes independently.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { runGoe } from '../helpers/cli.js';
import { exportTinyGenerators, type TinyGenerators } from '../helpers/onnx-generators.js';
import { runPythonJson } from '../helpers/python.js';

let fx: TinyGenerators;
let zoo: string;
let work: string;
let server: RunningServer | undefined;
const env = () => ({ GOE_ZOO: zoo, GOE_CACHE_DIR: join(work, 'cache') });

beforeAll(async () => {
  fx = await exportTinyGenerators();
  zoo = await mkdtemp(join(tmpdir(), 'goe-byo-e2e-zoo-'));
  work = await mkdtemp(join(tmpdir(), 'goe-byo-e2e-'));
}, 120_000);

afterAll(async () => {
  await server?.close();
  for (const d of [zoo, work, fx?.dir]) if (d) await rm(d, { recursive: true, force: true });
});

const NUMPY_ROWS = `
import json, sys, numpy as np
a = np.load(sys.argv[1])
print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "same": bool((a == a[0]).all()), "row": a[0].reshape(-1).tolist()}))
`;

describe('goe models add → serve → pull', () => {
  it('inspects the ONNX file: inputs and outputs with shapes and dtypes, and the manifest it would write', async () => {
    const r = await runGoe(['models', 'inspect', fx.conv], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/z\s+\[batch, 8, 1, 1\] float32/);
    expect(r.stdout).toMatch(/rgb\s+\[batch, 3, 4, 4\] float32/);
    expect(r.stdout).toMatch(/needs flags for this model: cannot tell the latent input/);
  });

  it('imports with goe models add, and a bad id or flag is a one-line error (exit 1) that writes nothing', async () => {
    const ok = await runGoe(
      ['models', 'add', fx.mlp, '--id', 'tiny-mlp', '--license', 'MIT', '--source', 'test'],
      env(),
    );
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/added tiny-mlp .* unconditional, z ∈ R\^8, rows 4×4×1 from flat in \[-1, 1\]/);
    for (const args of [
      ['--id', 'a/b'],
      ['--id', 'tiny-mlp'],
      ['--id', 'x', '--output-range', '0,1'],
      ['--id', 'x', '--latent-input', 'noise'],
    ]) {
      const bad = await runGoe(['models', 'add', fx.mlp, ...args], env());
      expect(bad.code, args.join(' ')).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/^goe: error: /);
    }
    const usage = await runGoe(['models', 'add', fx.mlp, '--id', 'x', '--output-layout', 'chw'], env());
    expect(usage.code).toBe(2);
    expect((await readdir(zoo)).sort()).toEqual(['tiny-mlp']);
    const list = await runGoe(['models'], env());
    expect(list.stdout).toMatch(/tiny-mlp\s+imported onnx image generator, unconditional, licence MIT/);
  });

  it('serves it: goe pull at σ² = 0 gives identical rows equal to PyTorch’s G(0), which numpy loads', async () => {
    server = await startServer({ zoo, host: '127.0.0.1', port: 0, log: () => undefined });
    const out = join(work, 'zero.npy');
    const r = await runGoe(
      [
        'pull',
        '--api',
        server.url,
        '--model',
        'tiny-mlp',
        '--sigma2',
        '0',
        '--count',
        '8',
        '--seed',
        '5',
        '--float32',
        '--out',
        out,
      ],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const got = runPythonJson<{ shape: number[]; dtype: string; same: boolean; row: number[] }>(
      ['numpy'],
      NUMPY_ROWS,
      [out],
    );
    expect(got.shape).toEqual([8, 4, 4, 1]);
    expect(got.dtype).toBe('float32');
    expect(got.same).toBe(true);
    got.row.forEach((v, k) => {
      expect(v).toBeCloseTo((fx.mlpAtZero[k] + 1) / 2, 5);
    });
    // σ² = 50: distinct rows, the same bytes on a second pull and from goe sample in process.
    const a = join(work, 'a.npy');
    const b = join(work, 'b.npy');
    for (const f of [a, b]) {
      const p = await runGoe(
        [
          'pull',
          '--api',
          server.url,
          '--model',
          'tiny-mlp',
          '--sigma2',
          '50',
          '--count',
          '6',
          '--seed',
          '9',
          '--out',
          f,
        ],
        env(),
      );
      expect(p.code, p.stderr).toBe(0);
    }
    const s = join(work, 's.npy');
    const sampled = await runGoe(
      ['sample', '--model', 'tiny-mlp', '--sigma2', '50', '--count', '6', '--seed', '9', '--out', s],
      env(),
    );
    expect(sampled.code, sampled.stderr).toBe(0);
    const rows = (f: string) =>
      runPythonJson<{ shape: number[]; dtype: string; same: boolean; row: number[] }>(['numpy'], NUMPY_ROWS, [
        f,
      ]);
    expect(rows(a)).toEqual(rows(b));
    expect(rows(a)).toEqual(rows(s));
    expect(rows(a).same).toBe(false);
    expect(rows(a).dtype).toBe('uint8');
  });

  it('removes it with goe models remove', async () => {
    expect((await runGoe(['models', 'remove', 'tiny-mlp'], env())).code).toBe(0);
    const again = await runGoe(['models', 'remove', 'tiny-mlp'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no model "tiny-mlp"/);
    expect(await readdir(zoo)).toEqual([]);
  });
});
