import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeMnistFixture } from '../../test/helpers/mnist-fixture.js';
import { DATASET_SOURCES, ensureDataset } from './download.js';
import { loadMnistTest } from './fashion-mnist.js';

// No network here: each test passes its own fetch, serving bytes the test made.
const saved = { mnist: process.env.GOE_MNIST_DIR, cache: process.env.GOE_CACHE_DIR };
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  for (const [k, v] of [
    ['GOE_MNIST_DIR', saved.mnist],
    ['GOE_CACHE_DIR', saved.cache],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function freshCache(): string {
  delete process.env.GOE_MNIST_DIR;
  const cache = mkdtempSync(join(tmpdir(), 'goe-dl-'));
  made.push(cache);
  process.env.GOE_CACHE_DIR = cache;
  return join(cache, 'datasets', 'mnist-test');
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('ensureDataset', () => {
  it('knows the published SHA-256 of both MNIST test files and three mirrors', () => {
    const src = DATASET_SOURCES['mnist-test'];
    expect(Object.keys(src.sha256).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ]);
    for (const h of Object.values(src.sha256)) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(src.mirrors).toHaveLength(3);
  });

  it('returns a local folder without fetching', async () => {
    const fixture = writeMnistFixture(4);
    made.push(fixture.dir);
    process.env.GOE_MNIST_DIR = fixture.dir;
    const fetch = () => Promise.reject(new Error('no fetch expected'));
    expect(await ensureDataset('mnist-test', { fetch })).toBe(fixture.dir);
  });

  it('downloads into the cache, trying the next mirror after a failure, when the bytes match', async () => {
    const dir = freshCache();
    const fixture = writeMnistFixture(10);
    made.push(fixture.dir);
    const files = Object.fromEntries(
      readdirSync(fixture.dir).map((f) => [f, new Uint8Array(readFileSync(join(fixture.dir, f)))]),
    );
    const urls: string[] = [];
    const fetch = async (url: string | URL | Request) => {
      urls.push(String(url));
      if (String(url).startsWith('https://first/')) return new Response('gone', { status: 404 });
      return new Response(files[String(url).split('/').pop()!]);
    };
    const sources = {
      'mnist-test': {
        mirrors: ['https://first/', 'https://second/'],
        sha256: Object.fromEntries(Object.entries(files).map(([f, b]) => [f, sha256(b)])),
      },
    };
    expect(await ensureDataset('mnist-test', { fetch: fetch as typeof globalThis.fetch, sources })).toBe(dir);
    expect(urls.filter((u) => u.startsWith('https://second/'))).toHaveLength(2);
    expect(loadMnistTest().shape).toEqual([10, 28, 28, 1]);
  });

  it('refuses bytes whose SHA-256 is not the published one, leaving the cache empty', async () => {
    const dir = freshCache();
    const fetch = async () => new Response(new Uint8Array([1, 2, 3]));
    await expect(ensureDataset('mnist-test', { fetch: fetch as typeof globalThis.fetch })).rejects.toThrow(
      /MNIST test set not found .*SHA-256 039058c6f2c0… is not the published 8d422c7b0a1c….*set GOE_MNIST_DIR/,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('names every mirror and what to set when offline', async () => {
    freshCache();
    const fetch = async () => {
      throw new Error('getaddrinfo ENOTFOUND');
    };
    const err = await ensureDataset('mnist-test', { fetch: fetch as typeof globalThis.fetch }).catch(
      (e) => e,
    );
    expect(err.code).toBe('not_found');
    expect(err.message).toMatch(/storage\.googleapis\.com.*ENOTFOUND.*ossci-datasets.*yann\.lecun\.com/);
    expect(err.message).toMatch(/set GOE_MNIST_DIR/);
  });
});
