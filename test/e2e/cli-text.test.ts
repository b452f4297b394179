import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneratorPool } from '../../api/generators.js';
import { writeTinyLm } from '../../generators/lm/index.js';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeNdjson } from '../../runtime/codecs/index.js';
import { bytesOf, MODEL, postJson, testApp } from '../helpers/api.js';
import { runGoe } from '../helpers/cli.js';
import { tempZoo } from '../helpers/zoo.js';

/** `goe sample` and `goe models` with a text model, as a user runs them: real processes, a temporary zoo. */

const LM = 'tiny-lm';
let zoo: string;
const env = () => ({ GOE_ZOO: zoo, GOE_BACKEND: 'wasm' });
const sample = (args: string[]) => runGoe(['sample', '--model', LM, ...args], env());

interface Row {
  index: number;
  class: number;
  label: string;
  text: string;
  tokens: number[];
}

beforeAll(async () => {
  await initBackend('wasm');
  zoo = await tempZoo({ gWidth: 4, dWidth: 4, latentDim: 16 });
  await writeTinyLm(join(zoo, LM), { id: LM, seed: 2 });
  // A model still training: a checkpoint folder and no manifest, which the CLI must not list.
  await mkdir(join(zoo, 'brown-lm', 'checkpoint'), { recursive: true });
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

describe('goe sample with a text model', () => {
  it('writes .ndjson rows identical to the API body, and a slice for --start', async () => {
    const full = join(zoo, 'full.ndjson');
    const tail = join(zoo, 'tail.ndjson');
    const [a, b] = await Promise.all([
      sample(['--temperature', '2', '--count', '30', '--seed', '1', '--out', full]),
      sample(['--temperature', '2', '--count', '18', '--seed', '1', '--start', '12', '--out', tail]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stderr).toMatch(/wrote 30 samples of tiny-lm at T=2 \(seed 1\)/);
    const bytes = new Uint8Array(await readFile(full));
    const rows = decodeNdjson<Row>(bytes);
    expect(rows.map((r) => r.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(Object.keys(rows[0]).sort()).toEqual(['class', 'index', 'label', 'text', 'tokens']);
    const lines = (text: string) => text.split('\n').filter(Boolean);
    expect(lines(await readFile(tail, 'utf8'))).toEqual(lines(new TextDecoder().decode(bytes)).slice(12));

    const pool = new GeneratorPool({ zoo, backend: async () => (await initBackend('wasm')).choice });
    const { app } = testApp(zoo, { pool });
    const api = await app.request('/outliers', postJson({ model: LM, temperature: 2, count: 30, seed: 1 }));
    expect(Buffer.compare(await bytesOf(api), bytes)).toBe(0);
    await pool.close();
  });

  it("writes .txt with one sample's text per line, at the manifest's temperature by default", async () => {
    const txt = join(zoo, 'out.txt');
    const ndjson = join(zoo, 'default.ndjson');
    const [t, n] = await Promise.all([
      sample(['--count', '12', '--seed', '4', '--classes', 'fiction', '--out', txt]),
      sample(['--temperature', '2', '--count', '12', '--seed', '4', '--classes', '1', '--out', ndjson]),
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(n.code, n.stderr).toBe(0);
    const rows = decodeNdjson<Row>(new Uint8Array(await readFile(ndjson)));
    expect(rows.every((r) => r.label === 'fiction')).toBe(true);
    expect(await readFile(txt, 'utf8')).toBe(rows.map((r) => `${r.text}\n`).join(''));
  });

  it('gives clear errors for options of the other modality, a bad format or temperature', async () => {
    const out = join(zoo, 'bad.ndjson');
    const [sigma, float, npy, hot, temp] = await Promise.all([
      sample(['--sigma2', '50', '--out', out]),
      sample(['--float32', '--out', out]),
      sample(['--out', join(zoo, 'x.npy')]),
      sample(['--temperature', '50', '--out', out]),
      runGoe(['sample', '--model', MODEL, '--temperature', '2', '--out', join(zoo, 'x.npy')], env()),
    ]);
    for (const r of [sigma, float, npy, hot, temp]) expect(r.code).toBe(1);
    expect(sigma.stderr).toMatch(/--sigma2 applies to image models; tiny-lm is a text model/);
    expect(float.stderr).toMatch(/--float32 applies to image models/);
    expect(npy.stderr).toMatch(/--out must end in .ndjson or .txt for a text model/);
    expect(hot.stderr).toMatch(/--temperature must be within \[0.05, 20\]/);
    expect(temp.stderr).toMatch(/--temperature applies to text models; fashion-mnist-cgan is an image model/);
    expect(existsSync(out)).toBe(false);
  });

  it('never writes <unk> with --no-unk, and refuses --no-unk for an image model', async () => {
    const out = join(zoo, 'nounk.ndjson');
    const [r, img] = await Promise.all([
      sample(['--temperature', '0.5', '--no-unk', '--count', '10', '--seed', '2', '--out', out]),
      runGoe(['sample', '--model', MODEL, '--no-unk', '--out', join(zoo, 'y.npy')], env()),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = decodeNdjson<Row>(new Uint8Array(await readFile(out)));
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row.tokens).not.toContain(0);
      expect(row.text).not.toMatch(/<unk>/);
    }
    expect(img.code).toBe(1);
    expect(img.stderr).toMatch(/--no-unk applies to text models/);
  });

  it('documents --temperature and the text formats in --help', async () => {
    const help = await runGoe(['sample', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--temperature <T>/);
    expect(help.stdout).toMatch(/\.ndjson\s+or \.txt/);
  });
});

describe('goe models', () => {
  it('lists the text model with its temperature, and no folder without a manifest', async () => {
    const r = await runGoe(['models', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as { id: string; modality?: string; summary: string }[];
    expect(entries.map((e) => e.id)).toEqual([MODEL, LM]);
    expect(entries[1]).toMatchObject({ id: LM, modality: 'text' });
    expect(entries[1].summary).toMatch(/text generator, 2 classes, default T 2, 12 tokens per sample/);
  });
});
