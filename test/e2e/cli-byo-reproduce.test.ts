/**
 * `goe reproduce byo --quick` as a user runs it: the shipped imported generator (zoo/mnist-mlp-gan) makes
 * the outliers for an MNIST classifier. The MNIST test IDX files are a synthetic stand-in written here
 * (GOE_MNIST_DIR: ten stroke patterns with noise, labelled), so the test reads nothing beside the repo;
 * Fashion-MNIST comes from Debian's dataset-fashion-mnist, as for every image test.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGoe } from '../helpers/cli.js';

let dir: string;

/** 10,000 28×28 "digits": class k is a bar at column 3 + 2k and row band k, with seeded noise. */
async function writeSyntheticMnist(to: string): Promise<void> {
  const n = 10_000;
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  let state = 12345;
  const rand = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    labels[i] = k;
    for (let p = 0; p < 784; p++) {
      const [y, x] = [Math.floor(p / 28), p % 28];
      const on = x === 3 + 2 * k || x === 4 + 2 * k || (y >= 2 + 2 * k && y <= 3 + 2 * k && x > 4);
      images[i * 784 + p] = Math.min(255, (on ? 200 : 0) + Math.floor(rand() * 40));
    }
  }
  const header = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    for (const [j, d] of dims.entries()) b.writeUInt32BE(d, 4 + 4 * j);
    return b;
  };
  await writeFile(
    join(to, 't10k-images-idx3-ubyte.gz'),
    gzipSync(Buffer.concat([header(0x803, [n, 28, 28]), images])),
  );
  await writeFile(
    join(to, 't10k-labels-idx1-ubyte.gz'),
    gzipSync(Buffer.concat([header(0x801, [n]), labels])),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goe-byo-reproduce-'));
  await writeSyntheticMnist(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('goe reproduce byo --quick', () => {
  it('trains, fine-tunes with the imported generator and writes the report, JSON and a grid per σ²', async () => {
    const runs = join(dir, 'runs');
    const r = await runGoe(
      ['reproduce', 'byo', '--quick', '--runs', runs, '--jobs', '2'],
      { GOE_MNIST_DIR: dir },
      600_000,
    );
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(await readFile(join(runs, 'report', 'byo-mnist-quick.json'), 'utf8'));
    expect(report.generator).toMatchObject({ id: 'mnist-mlp-gan', license: 'MIT' });
    const methods = report.rows.map(
      (row: { method: string; detector: string }) => `${row.method}/${row.detector}`,
    );
    expect(methods).toEqual([
      'baseline/msp',
      'noise-OE/msp',
      'GOE σ²=1/msp',
      'GOE σ²=50/msp',
      'baseline/energy',
      'noise-OE/energy',
      'GOE σ²=1/energy',
      'GOE σ²=50/energy',
    ]);
    for (const row of report.rows) {
      const auroc = row.perSet['fashion-mnist'].auroc.mean;
      expect(auroc).toBeGreaterThanOrEqual(0);
      expect(auroc).toBeLessThanOrEqual(100);
    }
    // The fine-tuning really drew from the imported generator at the σ² it names.
    const goe = JSON.parse(await readFile(join(runs, 'goe50-oe-s0', 'manifest.json'), 'utf8'));
    expect(JSON.stringify(goe)).toMatch(/mnist-mlp-gan/);
    const md = await readFile(join(runs, 'report', 'byo-mnist-quick.md'), 'utf8');
    expect(md).toMatch(/\| GOE σ²=50 \| oe → MSP \|/);
    expect(md).toMatch(/### What holds/);
    for (const s of ['0', '1', '50'])
      expect(existsSync(join(runs, 'report', `byo-mnist-quick-sigma2-${s}.png`))).toBe(true);
  }, 600_000);
});
