import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageOutlierBatch, OutlierBatch, TextOutlierBatch } from './batch.js';
import { createGoeClient } from './client.js';
import { GoeNetworkError, GoeProtocolError, RateLimitedError } from './errors.js';
import type { RetryEvent } from './retry.js';
import { streamOutliers } from './stream.js';
import {
  BASE,
  DIGEST,
  fakeOutliers,
  imageLine,
  LABELS,
  problem,
  ROW_SHAPE,
  rowBytes,
  rowClass,
} from './test-fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

async function collect(stream: AsyncIterable<OutlierBatch>): Promise<OutlierBatch[]> {
  const out: OutlierBatch[] = [];
  for await (const b of stream) out.push(b);
  return out;
}

function images(batches: OutlierBatch[]): ImageOutlierBatch[] {
  return batches.map((b) => {
    if (b.kind !== 'image') throw new Error('expected image batches');
    return b;
  });
}

/** The rows the contract says seed `seed` has at `start…start+count−1`, as one flat array. */
function expectedPixels(seed: number, start: number, count: number): Uint8Array {
  const rows = Array.from({ length: count }, (_, k) => [...rowBytes(seed, start + k)]).flat();
  return Uint8Array.from(rows);
}

function flat(batches: ImageOutlierBatch[]) {
  return {
    data: Uint8Array.from(batches.flatMap((b) => [...b.data])),
    classes: batches.flatMap((b) => [...b.classes]),
    indices: batches.flatMap((b) => [...b.indices]),
    labels: batches.flatMap((b) => b.labels),
  };
}

describe('streamOutliers', () => {
  it('groups rows into batches of batchSize across row and chunk boundaries', async () => {
    const fake = fakeOutliers({ chunkSize: 7 }); // 7-byte chunks split every row line
    server.use(fake.handler);
    const batches = images(
      await collect(streamOutliers({ model: 'm', count: 10, seed: 5 }, { baseUrl: BASE, batchSize: 4 })),
    );
    expect(batches.map((b) => b.shape)).toEqual([
      [4, ...ROW_SHAPE],
      [4, ...ROW_SHAPE],
      [2, ...ROW_SHAPE],
    ]);
    expect(batches.every((b) => b.dtype === 'uint8' && b.data instanceof Uint8Array)).toBe(true);
    expect(batches[2].data.length).toBe(2 * 6);
    const all = flat(batches);
    expect(all.data).toEqual(expectedPixels(5, 0, 10));
    expect(all.indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.classes).toEqual(all.indices.map((i) => rowClass(5, i)));
    expect(all.labels).toEqual(all.classes.map((c) => LABELS[c]));
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0].body).toMatchObject({ model: 'm', count: 10, seed: 5, start: 0, format: 'ndjson' });
    expect(fake.seen[0].headers.get('accept')).toBe('application/x-ndjson');
  });

  it('resumes a body broken mid-row at start = k, and the batches equal those of an unbroken stream', async () => {
    const unbroken = fakeOutliers();
    server.use(unbroken.handler);
    const reference = flat(
      images(
        await collect(streamOutliers({ model: 'm', count: 23, seed: 7 }, { baseUrl: BASE, batchSize: 5 })),
      ),
    );
    server.resetHandlers();
    const broken = fakeOutliers({
      breakAfter: new Map([
        [0, 6],
        [1, 9],
      ]),
    });
    server.use(broken.handler);
    const retries: RetryEvent[] = [];
    const stream = streamOutliers(
      { model: 'm', count: 23, seed: 7 },
      { baseUrl: BASE, batchSize: 5, retry: { ...fast, onRetry: (e) => retries.push(e) } },
    );
    const resumed = images(await collect(stream));
    expect(broken.seen.map((s) => [s.body.start, s.body.count, s.body.seed])).toEqual([
      [0, 23, 7],
      [6, 17, 7],
      [15, 8, 7],
    ]);
    expect(retries.map((e) => e.reason)).toEqual(['broken-stream', 'broken-stream']);
    expect(resumed.map((b) => b.shape[0])).toEqual([5, 5, 5, 5, 3]);
    expect(flat(resumed)).toEqual(reference);
    expect(flat(resumed).data).toEqual(expectedPixels(7, 0, 23));
  });

  it('reuses the server-chosen seed (Goe-Seed) when resuming a request that had none', async () => {
    const fake = fakeOutliers({ serverSeed: 4242, breakAfter: new Map([[0, 3]]) });
    server.use(fake.handler);
    const stream = streamOutliers({ model: 'm', count: 8 }, { baseUrl: BASE, batchSize: 8, retry: fast });
    const [batch] = images(await collect(stream));
    expect(fake.seen[0].body.seed).toBeUndefined();
    expect(fake.seen[1].body).toMatchObject({ seed: 4242, start: 3, count: 5 });
    expect(batch.data).toEqual(expectedPixels(4242, 0, 8));
    expect(stream.info).toMatchObject({
      seed: 4242,
      modelDigest: DIGEST,
      rowShape: ROW_SHAPE,
      dtype: 'uint8',
    });
  });

  it('continues from `start` and numbers rows in the request numbering', async () => {
    server.use(fakeOutliers().handler);
    const batches = images(
      await collect(
        streamOutliers({ model: 'm', count: 4, seed: 1, start: 100 }, { baseUrl: BASE, batchSize: 3 }),
      ),
    );
    expect(flat(batches).indices).toEqual([100, 101, 102, 103]);
    expect(flat(batches).data).toEqual(expectedPixels(1, 100, 4));
  });

  it('learns the count from Goe-Count when the request leaves it to the server', async () => {
    const fake = fakeOutliers({ breakAfter: new Map([[0, 100]]) });
    server.use(fake.handler);
    const batches = await collect(streamOutliers({ model: 'm', seed: 2 }, { baseUrl: BASE, retry: fast }));
    expect(batches.map((b) => b.indices.length)).toEqual([256]);
    expect(fake.seen[1].body).toMatchObject({ start: 100, count: 156 });
  });

  it('gives up with GoeNetworkError when resumes bring no new rows', async () => {
    const fake = fakeOutliers({
      breakAfter: new Map([
        [0, 2],
        [1, 0],
        [2, 0],
        [3, 0],
      ]),
    });
    server.use(fake.handler);
    const stream = streamOutliers(
      { model: 'm', count: 5, seed: 3 },
      { baseUrl: BASE, retry: { ...fast, retries: 2 } },
    );
    const err = await collect(stream).catch((e) => e);
    expect(err).toBeInstanceOf(GoeNetworkError);
    expect(err.message).toMatch(/broke at row 2/);
    expect(fake.seen).toHaveLength(3); // the first try and 2 retries without progress
  });

  it('retries 429 after Retry-After, then succeeds', async () => {
    const fake = fakeOutliers();
    let calls = 0;
    server.use(
      http.post(`${BASE}/outliers`, () => {
        calls += 1;
        return calls === 1 ? problem('rate-limited', 429, {}, { 'Retry-After': '1' }) : undefined;
      }),
      fake.handler,
    );
    const events: RetryEvent[] = [];
    const t0 = performance.now();
    const batches = await collect(
      streamOutliers(
        { model: 'm', count: 3, seed: 1 },
        { baseUrl: BASE, retry: { ...fast, onRetry: (e) => events.push(e) } },
      ),
    );
    const waited = performance.now() - t0;
    expect(batches[0].indices).toEqual(Float64Array.from([0, 1, 2]));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, reason: 'rate-limited', status: 429 });
    expect(events[0].delayMs).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(events[0].error).toBeInstanceOf(RateLimitedError);
  });

  it('retries 503 with exponential backoff and jitter', async () => {
    let calls = 0;
    const fake = fakeOutliers();
    server.use(
      http.post(`${BASE}/outliers`, () => {
        calls += 1;
        return calls <= 3 ? problem('internal-error', 503) : undefined;
      }),
      fake.handler,
    );
    const events: RetryEvent[] = [];
    await collect(
      streamOutliers(
        { model: 'm', count: 1, seed: 1 },
        { baseUrl: BASE, retry: { baseDelayMs: 4, random: () => 1, onRetry: (e) => events.push(e) } },
      ),
    );
    // random() = 1 → the full exponential delay: 4, 8, 16 ms.
    expect(events.map((e) => [e.reason, e.status, e.delayMs])).toEqual([
      ['unavailable', 503, 4],
      ['unavailable', 503, 8],
      ['unavailable', 503, 16],
    ]);
  });

  it('raises the typed error when 429 persists past the retries', async () => {
    server.use(http.post(`${BASE}/outliers`, () => problem('rate-limited', 429, {}, { 'Retry-After': '0' })));
    const err = await collect(
      streamOutliers({ model: 'm', count: 1, seed: 1 }, { baseUrl: BASE, retry: { ...fast, retries: 2 } }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterMs).toBe(0);
  });

  it('aborts the HTTP request when the loop exits early (break), and cleans up once', async () => {
    const fake = fakeOutliers({ chunkSize: 40, chunkDelayMs: 2 });
    server.use(fake.handler);
    const stream = streamOutliers({ model: 'm', count: 1000, seed: 1 }, { baseUrl: BASE, batchSize: 2 });
    let aborts = 0;
    let got = 0;
    for await (const batch of stream) {
      fake.seen[0].signal.addEventListener('abort', () => aborts++);
      got += batch.indices.length;
      break;
    }
    expect(got).toBe(2);
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0].signal.aborted).toBe(true);
    await stream.cancel(); // a second cleanup path is a no-op
    expect(aborts).toBe(1);
  });

  it('cancels upstream when the loop body throws', async () => {
    const fake = fakeOutliers({ chunkDelayMs: 2 });
    server.use(fake.handler);
    const stream = streamOutliers({ model: 'm', count: 1000, seed: 1 }, { baseUrl: BASE, batchSize: 1 });
    await expect(
      (async () => {
        for await (const _ of stream) throw new Error('loop failed');
      })(),
    ).rejects.toThrow('loop failed');
    expect(fake.seen[0].signal.aborted).toBe(true);
  });

  it("stops when the caller's signal aborts, with the signal's reason", async () => {
    const fake = fakeOutliers({ chunkDelayMs: 5, chunkSize: 20 });
    server.use(fake.handler);
    const controller = new AbortController();
    const stream = streamOutliers(
      { model: 'm', count: 1000, seed: 1 },
      { baseUrl: BASE, batchSize: 1, signal: controller.signal },
    );
    const reason = new Error('user stop');
    const err = await (async () => {
      for await (const _ of stream) controller.abort(reason);
    })().catch((e) => e);
    expect(err).toBe(reason);
    expect(fake.seen[0].signal.aborted).toBe(true);
  });

  it('is a ReadableStream too: read with a reader, cancel aborts the request', async () => {
    const fake = fakeOutliers({ chunkDelayMs: 2 });
    server.use(fake.handler);
    const stream = streamOutliers({ model: 'm', count: 100, seed: 1 }, { baseUrl: BASE, batchSize: 3 });
    expect(stream).toBeInstanceOf(ReadableStream);
    const reader = stream.getReader();
    const first = await reader.read();
    expect(first.value?.indices).toEqual(Float64Array.from([0, 1, 2]));
    await reader.cancel();
    expect(fake.seen[0].signal.aborted).toBe(true);
  });

  it('requests nothing until read, and a second iteration yields nothing (one-shot)', async () => {
    const fake = fakeOutliers();
    server.use(fake.handler);
    const stream = streamOutliers({ model: 'm', count: 3, seed: 1 }, { baseUrl: BASE });
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.seen).toHaveLength(0);
    expect(await collect(stream)).toHaveLength(1);
    expect(await collect(stream)).toHaveLength(0);
    expect(fake.seen).toHaveLength(1);
  });

  it('decodes float32 rows and text rows', async () => {
    const f = Float32Array.from([0, 0.25, 0.5, 0.75, 1, 0.125]);
    server.use(
      http.post(`${BASE}/outliers`, () => {
        const line = JSON.stringify({
          index: 0,
          class: 1,
          label: 'one',
          shape: ROW_SHAPE,
          dtype: 'float32',
          data: Buffer.from(f.buffer).toString('base64'),
        });
        return new Response(`${line}\n`, { headers: { 'Goe-Seed': '1', 'Goe-Count': '1' } });
      }),
    );
    const [img] = images(
      await collect(streamOutliers({ model: 'm', count: 1, seed: 1, dtype: 'float32' }, { baseUrl: BASE })),
    );
    expect(img.dtype).toBe('float32');
    expect(img.data).toEqual(f);

    server.resetHandlers();
    server.use(fakeOutliers({ text: true }).handler);
    const texts = (await collect(
      streamOutliers({ model: 't', count: 5, seed: 3 }, { baseUrl: BASE, batchSize: 2 }),
    )) as TextOutlierBatch[];
    expect(texts.map((b) => b.kind)).toEqual(['text', 'text', 'text']);
    expect(texts.flatMap((b) => b.texts)).toEqual([0, 1, 2, 3, 4].map((i) => `text 3 ${i}`));
    expect([...texts[1].tokens[0]]).toEqual([3, 2, 3]);
    expect([...texts[2].indices]).toEqual([4]);
  });

  it('rejects rows out of order or malformed as GoeProtocolError, without retrying', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/outliers`, () => {
        calls += 1;
        return new Response(imageLine(1, 0) + imageLine(1, 2), { headers: { 'Goe-Seed': '1' } });
      }),
    );
    const err = await collect(
      streamOutliers({ model: 'm', count: 3, seed: 1 }, { baseUrl: BASE, retry: fast }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(GoeProtocolError);
    expect(err.message).toMatch(/expected row 1/);
    expect(calls).toBe(1);

    server.resetHandlers();
    server.use(http.post(`${BASE}/outliers`, () => new Response('{"index": 0, "class": 0, "lab\n')));
    const bad = await collect(streamOutliers({ model: 'm', count: 3, seed: 1 }, { baseUrl: BASE })).catch(
      (e) => e,
    );
    expect(bad).toBeInstanceOf(GoeProtocolError);
  });

  it('throws on misuse at the call, not later', () => {
    expect(() => streamOutliers({ model: 'm' }, { baseUrl: BASE, batchSize: 0 })).toThrow(RangeError);
    expect(() => streamOutliers({ model: 'm' }, { baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => streamOutliers({ model: 'm' }, { baseUrl: BASE, retry: { retries: -1 } })).toThrow(
      RangeError,
    );
  });

  it('sends the bearer key, through the client too', async () => {
    const fake = fakeOutliers();
    server.use(fake.handler);
    const goe = createGoeClient({ baseUrl: BASE, apiKey: 'k-123' });
    await collect(goe.streamOutliers({ model: 'm', count: 1, seed: 1 }));
    expect(fake.seen[0].headers.get('authorization')).toBe('Bearer k-123');
  });
});
