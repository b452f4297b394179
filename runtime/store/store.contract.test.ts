import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverHandle, startS3rver } from '../../test/helpers/s3rver.js';
import { StoreKeyError, StoreNotFoundError } from './errors.js';
import { FileStore } from './file-store.js';
import { S3Store } from './s3-store.js';
import type { Store } from './store.js';

/** One store implementation under test, plus how to check it left nothing behind. */
interface Subject {
  name: string;
  setup(): Promise<Store>;
  teardown(): Promise<void>;
  /** Asserts an aborted put of `key` left no partial data (temp file, multipart upload). */
  expectNoLeftovers(key: string): Promise<void>;
}

const MiB = 1 << 20;

function fileSubject(): Subject {
  let root = '';
  return {
    name: 'FileStore',
    async setup() {
      root = await mkdtemp(join(tmpdir(), 'goe-filestore-'));
      return new FileStore(root);
    },
    async teardown() {
      await rm(root, { recursive: true, force: true });
    },
    async expectNoLeftovers(key) {
      const dir = join(root, ...key.split('/').slice(0, -1));
      const names = await readdir(dir).catch(() => []);
      expect(names.filter((name) => name.startsWith('.goe-tmp-'))).toEqual([]);
    },
  };
}

function s3Subject(): Subject {
  let server: S3rverHandle;
  let store: S3Store;
  const bucket = 'goe-contract';
  const prefix = 'cache/v1';
  return {
    name: 'S3Store (s3rver)',
    async setup() {
      server = await startS3rver({ buckets: [bucket] });
      store = new S3Store({
        bucket,
        prefix,
        endpoint: server.endpoint,
        region: server.region,
        credentials: server.credentials,
      });
      return store;
    },
    async teardown() {
      await store?.close();
      await server?.stop();
    },
    async expectNoLeftovers(key) {
      // s3rver answers ListMultipartUploads with 501 NotImplemented and AbortMultipartUpload
      // with 405 MethodNotAllowed (it keeps the parts on its disk), so neither "no uploads
      // listed" nor "parts gone" can be observed here. What the store controls is that it
      // asked: an upload that was started must be followed by an AbortMultipartUpload.
      const path = `/${bucket}/${prefix}/${key}`;
      const started = server.requests.some((r) => r.method === 'POST' && r.url.startsWith(`${path}?uploads`));
      const aborted = server.requests.some(
        (r) => r.method === 'DELETE' && r.url.startsWith(`${path}?uploadId=`),
      );
      const completed = server.requests.some(
        (r) => r.method === 'POST' && r.url.startsWith(`${path}?uploadId=`),
      );
      expect(completed).toBe(false);
      expect(aborted).toBe(started);
    },
  };
}

/**
 * Yields `total` random bytes in chunks of `chunkBytes`, made on demand (never more than one
 * chunk held here), hashing them as they go out; `onChunk` sees the running byte count.
 */
function randomBody(total: number, chunkBytes: number, onChunk?: (sent: number) => void) {
  const hash = createHash('sha256');
  const state = { sent: 0, closed: false, digest: '' };
  async function* generate(): AsyncGenerator<Uint8Array> {
    try {
      while (state.sent < total) {
        const chunk = randomBytes(Math.min(chunkBytes, total - state.sent));
        hash.update(chunk);
        state.sent += chunk.byteLength;
        onChunk?.(state.sent);
        yield chunk;
      }
      state.digest = hash.digest('hex');
    } finally {
      state.closed = true;
    }
  }
  return { body: generate(), state };
}

async function sha256(stream: AsyncIterable<Uint8Array>): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { digest: hash.digest('hex'), bytes };
}

describe.each([fileSubject(), s3Subject()])('Store contract: $name', (subject) => {
  let store: Store;
  // Unique keys per test: the suite shares one store.
  const key = (name: string) => `t-${randomUUID().slice(0, 8)}/${name}`;

  beforeAll(async () => {
    store = await subject.setup();
  });
  afterAll(async () => {
    await subject.teardown();
  });

  it('gets back the bytes it put', async () => {
    const k = key('small.bin');
    const body = new TextEncoder().encode('hello, outliers');
    await expect(store.put(k, body)).resolves.toEqual({ bytes: body.byteLength });
    const got = await store.get(k);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got).toString()).toBe('hello, outliers');
  });

  it('stores an empty object', async () => {
    const k = key('empty');
    await expect(store.put(k, new Uint8Array(0))).resolves.toEqual({ bytes: 0 });
    expect((await store.get(k)).byteLength).toBe(0);
    expect((await store.head(k)).bytes).toBe(0);
  });

  it('replaces an existing object', async () => {
    const k = key('replace');
    await store.put(k, new TextEncoder().encode('first version, longer'));
    await store.put(k, new TextEncoder().encode('second'));
    expect(Buffer.from(await store.get(k)).toString()).toBe('second');
  });

  it('reports existence and deletes', async () => {
    const k = key('deep/nested/x.json');
    expect(await store.exists(k)).toBe(false);
    await store.put(k, new Uint8Array([1, 2, 3]));
    expect(await store.exists(k)).toBe(true);
    // A "directory" of keys is not an object.
    expect(await store.exists(k.split('/').slice(0, 2).join('/'))).toBe(false);
    await store.delete(k);
    expect(await store.exists(k)).toBe(false);
    await expect(store.delete(k)).resolves.toBeUndefined();
  });

  it('heads size, content type and lower-cased metadata', async () => {
    const k = key('meta.npy');
    await store.put(k, new Uint8Array(10), { contentType: 'application/x-npy', metadata: { Seed: '42' } });
    expect(await store.head(k)).toEqual({
      bytes: 10,
      contentType: 'application/x-npy',
      metadata: { seed: '42' },
    });
    const plain = key('plain');
    await store.put(plain, new Uint8Array(3));
    expect(await store.head(plain)).toEqual({
      bytes: 3,
      contentType: 'application/octet-stream',
      metadata: {},
    });
  });

  it('rejects a missing key with StoreNotFoundError carrying key and url', async () => {
    const k = key('missing');
    for (const attempt of [() => store.get(k), () => store.stream(k), () => store.head(k)]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreNotFoundError);
      expect(error).toMatchObject({ key: k, url: store.url });
    }
  });

  it.each([
    ['', 'empty'],
    ['/abs', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a/../b', "'..' segment"],
    ['./a', "'.' segment"],
    ['a\\b', 'backslash'],
    ['a/.goe-tmp-1', 'reserved'],
  ])('rejects key %j (%s) with StoreKeyError, in every method', async (bad) => {
    const calls = [
      () => store.get(bad),
      () => store.put(bad, new Uint8Array(1)),
      () => store.stream(bad),
      () => store.exists(bad),
      () => store.head(bad),
      () => store.delete(bad),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toMatchObject({ name: 'StoreKeyError', key: bad });
      await expect(call()).rejects.toBeInstanceOf(StoreKeyError);
    }
  });

  it('accepts a web ReadableStream body', async () => {
    const k = key('from-web-stream');
    const parts = ['ab', 'cd', 'ef'].map((s) => new TextEncoder().encode(s));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
    await expect(store.put(k, body)).resolves.toEqual({ bytes: 6 });
    expect(Buffer.from(await store.get(k)).toString()).toBe('abcdef');
  });

  it('streams 50 MiB in and out with an identical SHA-256', async () => {
    const k = key('big.bin');
    const total = 50 * MiB + 12_345;
    // Odd chunk size so chunk and part boundaries never line up.
    const { body, state } = randomBody(total, MiB + 7);
    await expect(store.put(k, body)).resolves.toEqual({ bytes: total });
    expect(state.digest).not.toBe('');
    expect((await store.head(k)).bytes).toBe(total);
    const back = await sha256(await store.stream(k));
    expect(back).toEqual({ digest: state.digest, bytes: total });
  });

  it('leaves no object, and no partial data, after a put aborted at ~20 MiB', async () => {
    const k = key('aborted.bin');
    const controller = new AbortController();
    const { body, state } = randomBody(50 * MiB, MiB, (sent) => {
      if (sent >= 20 * MiB) controller.abort();
    });
    const error = await store.put(k, body, { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBe(controller.signal.reason);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(state.sent).toBeLessThan(30 * MiB);
    await expect.poll(() => state.closed).toBe(true);
    expect(await store.exists(k)).toBe(false);
    await subject.expectNoLeftovers(k);
  });

  it('rejects with the error of a failing body, and leaves nothing behind', async () => {
    const k = key('failing.bin');
    const boom = new Error('generator failed');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(6 * MiB);
      yield randomBytes(6 * MiB);
      throw boom;
    }
    await expect(store.put(k, failing())).rejects.toBe(boom);
    expect(await store.exists(k)).toBe(false);
    await subject.expectNoLeftovers(k);
  });

  it('rejects an already-aborted put without touching the store', async () => {
    const k = key('pre-aborted');
    const reason = new Error('stop');
    await expect(store.put(k, new Uint8Array(4), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await store.exists(k)).toBe(false);
  });

  it('cancels the read when a for-await over stream() exits early', async () => {
    const k = key('early-exit.bin');
    await store.put(k, randomBytes(3 * MiB));
    const stream = await store.stream(k);
    for await (const chunk of stream) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      break;
    }
    // The stream is cancelled: a new reader sees it closed.
    await expect(stream.getReader().read()).resolves.toEqual({ done: true, value: undefined });
  });

  it('errors an open stream with the reason when its signal aborts', async () => {
    const k = key('abort-read.bin');
    await store.put(k, randomBytes(3 * MiB));
    const controller = new AbortController();
    const stream = await store.stream(k, { signal: controller.signal });
    const reader = stream.getReader();
    await reader.read();
    const reason = new Error('reader gone');
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });
});
