import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { GeneratorPool } from '../../api/generators.js';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeNpy } from '../../runtime/codecs/index.js';
import { openStore, type Store } from '../../runtime/store/index.js';
import { apiTestZoo, MODEL } from '../helpers/api.js';
import { runPythonJson } from '../helpers/python.js';
import { type S3rverHandle, startS3rver } from '../helpers/s3rver.js';

/** The API as a client sees it: a real server on a loopback socket, stores on disk and on a real S3 server. */

let zoo: string;
let dir: string;
const silent = () => {};
const backend = async () => (await initBackend()).choice;

beforeAll(async () => {
  zoo = await apiTestZoo();
  dir = await mkdtemp(join(tmpdir(), 'goe-e2e-api-'));
});
afterAll(async () => {
  await rm(zoo, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

async function fetchBytes(url: string, init?: RequestInit): Promise<{ res: Response; body: Uint8Array }> {
  const res = await fetch(url, init);
  return { res, body: new Uint8Array(await res.arrayBuffer()) };
}

const npyRequest = (seed: number, count = 600): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/x-npy' },
  body: JSON.stringify({ model: MODEL, count, seed, sigma2: 20 }),
});

describe.each(['file', 's3'] as const)('goe API with the cache on %s', (kind) => {
  let server: RunningServer;
  let store: Store;
  let s3: S3rverHandle | undefined;

  beforeAll(async () => {
    if (kind === 's3') {
      s3 = await startS3rver({ buckets: ['goe'] });
      store = openStore('s3://goe/cache-test', {
        endpoint: s3.endpoint,
        region: s3.region,
        credentials: s3.credentials,
      });
    } else {
      store = openStore(`file://${await mkdtemp(join(dir, 'store-'))}`);
    }
    server = await startServer({ zoo, store, port: 0, log: silent, backend });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await s3?.stop();
  });

  it('serves a fixed-seed .npy that numpy loads, then the identical bytes from the cache', async () => {
    const first = await fetchBytes(`${server.url}/outliers`, npyRequest(21));
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('goe-cache')).toBe('miss');
    const second = await fetchBytes(`${server.url}/outliers`, npyRequest(21));
    expect(second.res.headers.get('goe-cache')).toBe('hit');
    expect(Buffer.compare(first.body, second.body)).toBe(0);

    const file = join(dir, `${kind}.npy`);
    await writeFile(file, first.body);
    const ours = decodeNpy(first.body);
    const numpy = runPythonJson<{ shape: number[]; dtype: string; sum: number; first: number[] }>(
      ['numpy'],
      'import json, sys, numpy as np\n' +
        'a = np.load(sys.argv[1])\n' +
        'print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "sum": int(a.astype(np.int64).sum()), "first": a.reshape(-1)[:50].tolist()}))',
      [file],
    );
    expect(numpy.shape).toEqual([600, 28, 28, 1]);
    expect(numpy.dtype).toBe('uint8');
    expect(numpy.sum).toBe(Array.from(ours.data).reduce((s, v) => s + v, 0));
    expect(numpy.first).toEqual(Array.from(ours.data.subarray(0, 50)));
  });

  it('answers a conditional request with 304 over the wire', async () => {
    const first = await fetchBytes(`${server.url}/outliers?model=${MODEL}&count=8&seed=3&format=npy`);
    const etag = first.res.headers.get('etag')!;
    const res = await fetch(`${server.url}/outliers?model=${MODEL}&count=8&seed=3&format=npy`, {
      headers: { 'if-none-match': etag },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
  });
});

describe('streaming', () => {
  let server: RunningServer;
  let pool: GeneratorPool;

  beforeAll(async () => {
    pool = new GeneratorPool({ zoo, backend });
    server = await startServer({ zoo, pool, port: 0, log: silent, backend });
  });
  afterAll(() => server.close());

  it('stops generating within one batch when the client disconnects', async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.url}/outliers?model=${MODEL}&count=1000000&seed=1&format=npy`, {
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 2_000_000) got += (await reader.read()).value!.length;
    const before = pool.batchesProduced;
    abort.abort();
    // The batches already in flight on the compute workers still finish: wait until the count stops
    // moving (a loaded machine can take more than a fixed 300 ms per batch), then check it stays put.
    let settled = pool.batchesProduced;
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (pool.batchesProduced === settled) break;
      settled = pool.batchesProduced;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    // 1,000,000 rows are 3,907 batches of 256; the stream stopped at the batch in flight, plus what
    // the socket buffers had already taken.
    expect(pool.batchesProduced).toBe(settled);
    expect(settled - before).toBeLessThanOrEqual(64);
    expect(settled).toBeLessThan(300);
  });

  it('holds generation back while the client does not read (backpressure)', async () => {
    const start = pool.batchesProduced;
    // float32 rows: 80 batches of 800 KB, far more than loopback socket buffers hold.
    const res = await fetch(
      `${server.url}/outliers?model=${MODEL}&count=20000&seed=2&format=npy&dtype=float32`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const paused = pool.batchesProduced - start;
    expect(paused).toBeLessThan(40);
    const reader = res.body!.getReader();
    let bytes = 0;
    // Reading lets it go on.
    while (pool.batchesProduced - start <= paused + 2) bytes += (await reader.read()).value!.length;
    expect(bytes).toBeGreaterThan(0);
    await reader.cancel();
  });

  it('keeps memory flat while streaming 20,000 float32 rows (63 MB)', async () => {
    const url = `${server.url}/outliers?model=${MODEL}&count=20000&seed=3&format=npy&dtype=float32`;
    const drain = async () => {
      const res = await fetch(url);
      let bytes = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
      return bytes;
    };
    // Warm-up: the wasm heap and allocator pools reach their working size.
    await (await fetch(url.replace('count=20000', 'count=2000'))).arrayBuffer();
    globalThis.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const bytes = await drain();
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(bytes).toBe(128 + 20000 * 784 * 4);
    // Buffering the body would add ≥ 63 MB; streaming holds a few batches.
    console.log(`rss growth while streaming 20k float32 rows: ${((peak - base) / 2 ** 20).toFixed(1)} MiB`);
    expect((peak - base) / 2 ** 20).toBeLessThan(40);
  });
});

describe('auth and limits over the wire', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      zoo,
      port: 0,
      log: silent,
      backend,
      keys: ['e2e-key-123456'],
      limits: { ratePerSecond: 0.01, burst: 2 },
    });
  });
  afterAll(() => server.close());

  it('answers 401 without a key and 429 with Retry-After past the rate', async () => {
    const anon = await fetch(`${server.url}/models`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anon.headers.get('content-type')).toBe('application/problem+json');
    const auth = { headers: { authorization: 'Bearer e2e-key-123456' } };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/models`, auth);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
