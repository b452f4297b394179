import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { GeneratorPool } from '../../api/generators.js';
import { writeTinyLm } from '../../generators/lm/index.js';
import { loadGenerator } from '../../generators/load.js';
import { generatorRef, RowPool } from '../../generators/pool/index.js';
import { apiTestZoo, MODEL } from '../helpers/api.js';

/**
 * The compute worker pool as a client sees it: real servers on loopback whose rows come from worker
 * threads (runtime/pool), with no response cache, so every body below is generated.
 */

const LM = 'tiny-lm';
/** The shipped imported ONNX generator (generators/imported): it runs on ONNX Runtime in each worker. */
const ONNX = 'mnist-mlp-gan';
const silent = () => {};
let zoo: string;

beforeAll(async () => {
  zoo = await apiTestZoo();
  await writeTinyLm(join(zoo, LM), { id: LM, seed: 3, length: 12 });
  await cp(fileURLToPath(new URL(`../../zoo/${ONNX}`, import.meta.url)), join(zoo, ONNX), {
    recursive: true,
  });
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

async function body(url: string, init?: RequestInit): Promise<Buffer> {
  const res = await fetch(url, init);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('rows are the same bytes for any number of workers', () => {
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    // Small batches, so a request is many batches spread over the workers and re-ordered.
    for (const workers of [1, 2, 0]) {
      servers.push(await startServer({ zoo, port: 0, log: silent, workers, batchSize: 32 }));
    }
  });
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  const requests: [string, string][] = [
    ['image npy', `model=${MODEL}&count=300&seed=5&sigma2=50&format=npy`],
    ['image float32 npy from a start', `model=${MODEL}&count=130&start=77&seed=6&format=npy&dtype=float32`],
    ['image ndjson', `model=${MODEL}&count=150&seed=7&classes=Bag,Sandal&format=ndjson`],
    ['text ndjson', `model=${LM}&count=45&seed=8&temperature=2&format=ndjson`],
    ['imported ONNX npy', `model=${ONNX}&count=300&seed=9&sigma2=5&format=npy`],
    [
      'imported ONNX float32 npy from a start',
      `model=${ONNX}&count=70&start=33&seed=9&format=npy&dtype=float32`,
    ],
  ];

  it.each(requests)('%s: 1 worker, 2 workers and in-thread agree byte for byte', async (_, query) => {
    const [one, two, inThread] = await Promise.all(servers.map((s) => body(`${s.url}/outliers?${query}`)));
    expect(one.length).toBeGreaterThan(1000);
    expect(two.equals(one)).toBe(true);
    expect(inThread.equals(one)).toBe(true);
  });
});

describe('an imported ONNX generator in the compute workers', () => {
  it('gives the rows of the one generator interface (loadGenerator + generate) on the calling thread', async () => {
    const direct = await loadGenerator(join(zoo, ONNX));
    if (direct.modality !== 'image') throw new Error('not an image generator');
    const params = { sigma2: 20, seed: 4, start: 10, count: 100, dtype: 'float32' } as const;
    const want = new Float32Array(100 * 28 * 28);
    const wantClasses: number[] = [];
    for await (const b of direct.generate(params)) {
      want.set(b.data as Float32Array, (b.start - 10) * 28 * 28);
      wantClasses.push(...b.classes);
    }
    await direct.dispose();
    const pool = new RowPool({ workers: 2, batchSize: 16 });
    try {
      const got = new Float32Array(100 * 28 * 28);
      const gotClasses: number[] = [];
      const ref = generatorRef(join(zoo, ONNX), direct.manifest);
      const rowParams = { modality: 'image', sigma2: 20, classes: [], seed: 4, dtype: 'float32' } as const;
      for await (const b of pool.rows(ref, rowParams, 10, 100)) {
        if (!('data' in b)) throw new Error('text rows');
        got.set(b.data as Float32Array, (b.start - 10) * 28 * 28);
        gotClasses.push(...b.classes);
      }
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      expect(gotClasses).toEqual(wantClasses);
      expect(new Set(gotClasses)).toEqual(new Set([-1]));
    } finally {
      await pool.close();
    }
  });
});

describe('a compute worker that dies', () => {
  let server: RunningServer;
  let pool: GeneratorPool;
  const CRASH_ROW = 1000;

  beforeAll(async () => {
    pool = new GeneratorPool({ zoo, workers: 1, batchSize: 64, testHooks: { crashAtRow: CRASH_ROW } });
    server = await startServer({ zoo, pool, port: 0, log: silent });
  });
  afterAll(async () => {
    await server.close();
    await pool.close();
  });

  it('leaks no tensors on its worker from one request to the next', async () => {
    const url = `${server.url}/outliers?model=${MODEL}&count=300&seed=4&format=npy`;
    await body(url);
    const before = await pool.rows.tensors();
    for (let i = 0; i < 3; i++) await body(url);
    expect(await pool.rows.tensors()).toBe(before);
  });

  it('fails its request with a problem document, is replaced, and the server lives on', async () => {
    const res = await fetch(`${server.url}/outliers?model=${MODEL}&count=10&start=${CRASH_ROW}&seed=1`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const doc = (await res.json()) as { type: string; detail: string };
    expect(doc.type).toBe('https://goe.dev/problems/internal-error');
    expect(doc.detail).toMatch(/compute worker died/);
    expect(doc.detail).toContain(res.headers.get('x-request-id')!);
    // The replacement worker serves the next request.
    const ok = await body(`${server.url}/outliers?model=${MODEL}&count=10&start=0&seed=1&format=npy`);
    expect(ok.length).toBe(128 + 10 * 784);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('cuts a body already streaming (never a complete-looking one), and the server lives on', async () => {
    const res = await fetch(`${server.url}/outliers?model=${MODEL}&count=2000&seed=2&format=npy`);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    const ok = await body(`${server.url}/outliers?model=${MODEL}&count=900&seed=2&format=npy`);
    expect(ok.length).toBe(128 + 900 * 784);
  });
});

describe('the event loop stays free while rows stream', () => {
  // The shipped generator: its forward passes take long enough to starve an event loop that runs them.
  const shippedZoo = fileURLToPath(new URL('../../zoo', import.meta.url));
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      zoo: shippedZoo,
      port: 0,
      log: silent,
      limits: { concurrency: 2 },
      batchSize: 1024,
    });
    // Load the generator first: the test is about streaming, not about the first load.
    await body(`${server.url}/outliers?model=${MODEL}&count=1&seed=1&format=npy`);
  });
  afterAll(() => server.close());

  /** Reads an uncached stream (no seed) to its end; resolves with when the last byte came. */
  const drain = async (count: number, started: () => void): Promise<number> => {
    const res = await fetch(`${server.url}/outliers?model=${MODEL}&count=${count}&format=npy`);
    expect(res.headers.get('goe-cache')).toBe('bypass');
    let first = true;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (first && chunk.length > 0) {
        first = false;
        started();
      }
    }
    return performance.now();
  };

  it('answers /healthz quickly, again and again, before the last byte of a large uncached stream', async () => {
    let onStart!: () => void;
    const started = new Promise<void>((resolve) => {
      onStart = resolve;
    });
    // 8 forward passes of 1,024 rows: on an event loop that runs them, each blocks it for a long while.
    const streamEnd = drain(8192, onStart);
    let ended = Number.POSITIVE_INFINITY;
    streamEnd.then((t) => {
      ended = t;
    });
    await started;
    const latencies: number[] = [];
    while (performance.now() < ended && latencies.length < 20) {
      const asked = performance.now();
      const health = await fetch(`${server.url}/healthz`);
      await health.arrayBuffer();
      if (performance.now() > ended) break;
      expect(health.status).toBe(200);
      latencies.push(performance.now() - asked);
    }
    await streamEnd;
    // Ordering first (probes answered while the stream still ran), then a generous bound: a server that
    // computes rows on its event loop answers a probe only between forward passes, hundreds of ms apart.
    console.log(`/healthz during the stream: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`);
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...latencies)).toBeLessThan(300);
  });

  it('counts open streams against GOE_MAX_CONCURRENCY as they start', async () => {
    const streams = [0, 1].map(() => {
      let onStart!: () => void;
      const started = new Promise<void>((resolve) => {
        onStart = resolve;
      });
      return { started, ended: drain(3000, onStart) };
    });
    await Promise.all(streams.map((s) => s.started));
    const third = await fetch(`${server.url}/outliers?model=${MODEL}&count=10&format=npy`);
    const answered = performance.now();
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    const ends = await Promise.all(streams.map((s) => s.ended));
    expect(answered).toBeLessThan(Math.min(...ends));
  });
});
