import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../runtime/store/index.js';
import { apiTestZoo, bytesOf, type LogLine, MODEL, postJson, testApp } from '../../test/helpers/api.js';
import { ResponseCache } from './response-cache.js';

let zoo: string;
let dir: string;
beforeAll(async () => {
  zoo = await apiTestZoo();
  dir = await mkdtemp(join(tmpdir(), 'goe-cache-'));
});
afterAll(async () => {
  await rm(zoo, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

async function freshStore(): Promise<{ store: Store; root: string }> {
  const root = await mkdtemp(join(dir, 'store-'));
  return { store: openStore(`file://${root}`), root };
}

const request = (seed: number, count = 300) => postJson({ model: MODEL, count, seed, format: 'npy' });

describe('the response cache through the app', () => {
  it('stores a fixed-seed body on a miss and serves the same bytes on a hit', async () => {
    const { store } = await freshStore();
    const { app } = testApp(zoo, { store });
    const miss = await app.request('/outliers', request(1));
    expect(miss.headers.get('goe-cache')).toBe('miss');
    const generated = await bytesOf(miss);
    const hit = await app.request('/outliers', request(1));
    expect(hit.headers.get('goe-cache')).toBe('hit');
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('content-length')).toBe(String(generated.length));
    expect(Buffer.compare(await bytesOf(hit), generated)).toBe(0);
    const hex = miss.headers.get('etag')!.replaceAll('"', '');
    expect(JSON.parse(new TextDecoder().decode(await store.get(`cache/${hex}.sha256`)))).toMatchObject({
      bytes: generated.length,
    });
  });

  it('does not cache requests without a seed', async () => {
    const { store, root } = await freshStore();
    const { app } = testApp(zoo, { store });
    const res = await app.request('/outliers', postJson({ model: MODEL, count: 3 }));
    expect(res.headers.get('goe-cache')).toBe('bypass');
    await res.arrayBuffer();
    expect(await readdir(root)).toEqual([]);
  });

  it('detects a corrupted entry by its digest and regenerates it', async () => {
    const { store, root } = await freshStore();
    const { app, logs } = testApp(zoo, { store });
    const first = await app.request('/outliers', request(2));
    const original = await bytesOf(first);
    const file = join(root, 'cache', first.headers.get('etag')!.replaceAll('"', ''));
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
    const again = await app.request('/outliers', request(2));
    expect(again.headers.get('goe-cache')).toBe('miss');
    expect(Buffer.compare(await bytesOf(again), original)).toBe(0);
    expect(logs.some((l) => l.level === 'warn' && /corrupted/.test(l.msg))).toBe(true);
    const third = await app.request('/outliers', request(2));
    expect(third.headers.get('goe-cache')).toBe('hit');
    expect(Buffer.compare(await bytesOf(third), original)).toBe(0);
  });

  it('leaves no entry behind when the client goes away', async () => {
    const { store, root } = await freshStore();
    const { app } = testApp(zoo, { store });
    const res = await app.request('/outliers', request(3, 5000));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const left = await readdir(join(root, 'cache')).catch(() => []);
    expect(left.filter((f) => !f.startsWith('.goe-'))).toEqual([]);
  });

  it('degrades to generating, with one warning, when the store is unreachable', async () => {
    const store = openStore('s3://goe-cache/prefix', {
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const { app, logs } = testApp(zoo, { store });
    const reference = await bytesOf(await testApp(zoo).app.request('/outliers', request(4)));
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/outliers', request(4));
      expect(res.status).toBe(200);
      expect(res.headers.get('goe-cache')).toBe('bypass');
      expect(Buffer.compare(await bytesOf(res), reference)).toBe(0);
    }
    const warnings = logs.filter((l: LogLine) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/unavailable/);
    await store.close();
  });

  it('still sends the whole body when the store fails while writing', async () => {
    const { store } = await freshStore();
    const failing: Store = Object.assign(Object.create(store) as Store, {
      put: async () => {
        throw new Error('disk full');
      },
    });
    const { app, logs } = testApp(zoo, { store: failing });
    const reference = await bytesOf(await testApp(zoo).app.request('/outliers', request(5)));
    const res = await app.request('/outliers', request(5));
    expect(res.headers.get('goe-cache')).toBe('miss');
    expect(Buffer.compare(await bytesOf(res), reference)).toBe(0);
    expect(logs.some((l) => l.level === 'warn' && l.fields.error === 'disk full')).toBe(true);
  });
});

describe('ResponseCache with large entries (verified by streaming)', () => {
  const chunks = (n: number) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < n; i++) c.enqueue(new Uint8Array(1000).fill(i));
        c.close();
      },
    });
  const etag = `"${'ab'.repeat(32)}"`;

  it('verifies before serving and regenerates on a mismatch', async () => {
    const { store, root } = await freshStore();
    const logs: LogLine[] = [];
    const cache = new ResponseCache({
      store,
      maxBytes: 1e9,
      inMemoryBytes: 10,
      log: (level, msg, fields = {}) => logs.push({ level, msg, fields }),
    });
    expect((await cache.lookup(etag)).kind).toBe('miss');
    const written = await bytesOf(new Response(cache.tee(etag, chunks(20), 'application/octet-stream')));
    const hit = await cache.lookup(etag);
    expect(hit.kind).toBe('hit');
    if (hit.kind !== 'hit') return;
    expect(Buffer.compare(await bytesOf(new Response(hit.body)), written)).toBe(0);
    await writeFile(join(root, 'cache', 'ab'.repeat(32)), written.subarray(1));
    expect((await cache.lookup(etag)).kind).toBe('miss');
    expect(await store.exists(`cache/${'ab'.repeat(32)}`)).toBe(false);
  });
});
