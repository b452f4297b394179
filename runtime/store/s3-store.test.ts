import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverHandle, startS3rver } from '../../test/helpers/s3rver.js';
import { StoreError, StoreNotFoundError, StoreUnavailableError, StoreUrlError } from './errors.js';
import { S3Store } from './s3-store.js';
import type { Store } from './store.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs every Store method against `store` and returns [method, error, ms] for each. */
async function everyMethod(store: Store): Promise<Array<[string, unknown, number]>> {
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['get', () => store.get('k')],
    ['put', () => store.put('k', new Uint8Array(16))],
    ['put (multipart)', () => store.put('k', randomBytes(9 << 20))],
    ['stream', () => store.stream('k')],
    ['exists', () => store.exists('k')],
    ['head', () => store.head('k')],
    ['delete', () => store.delete('k')],
  ];
  const results: Array<[string, unknown, number]> = [];
  for (const [name, call] of calls) {
    const start = performance.now();
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    results.push([name, error, performance.now() - start]);
  }
  return results;
}

describe('S3Store, server unreachable', () => {
  it('rejects every method with StoreUnavailableError within a bounded time (closed port)', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = new S3Store({ bucket: 'goe', endpoint, credentials });
    try {
      for (const [method, error, ms] of await everyMethod(store)) {
        expect(error, method).toBeInstanceOf(StoreUnavailableError);
        expect(error, method).toMatchObject({ url: 's3://goe' });
        expect((error as Error).cause, method).toMatchObject({ code: 'ECONNREFUSED' });
        // A correctness bound (the request must not hang), not a speed claim.
        expect(ms, method).toBeLessThan(10_000);
      }
    } finally {
      await store.close();
    }
  });

  describe('server accepts connections but never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let endpoint = '';

    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('rejects with StoreUnavailableError once the socket timeout passes', async () => {
      const store = new S3Store({ bucket: 'goe', endpoint, credentials, socketTimeoutMs: 500 });
      try {
        const start = performance.now();
        const error = await store.get('k').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).cause).toMatchObject({ name: 'TimeoutError' });
        expect(performance.now() - start).toBeLessThan(10_000);
      } finally {
        await store.close();
      }
    });
  });
});

describe('S3Store, endpoint that is not S3', () => {
  // E.g. a proxy or a wrong URL: every request gets a 404 with no S3 error code.
  const server = createHttpServer((_, res) => res.writeHead(404).end());
  let store: S3Store;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    store = new S3Store({ bucket: 'goe', endpoint, credentials });
  });
  afterAll(async () => {
    await store.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('does not take a bare 404 to GET for a missing key', async () => {
    const error = await store.get('k').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(StoreNotFoundError);
  });

  it('closes the body when the upload fails', async () => {
    let closed = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 20; i++) yield randomBytes(1 << 20);
      } finally {
        closed = true;
      }
    }
    await expect(store.put('k', body())).rejects.toBeInstanceOf(StoreError);
    await expect.poll(() => closed).toBe(true);
  });
});

describe('S3Store, against s3rver', () => {
  let server: S3rverHandle;
  const stores: S3Store[] = [];
  const open = (options: { bucket?: string; prefix?: string } = {}) => {
    const store = new S3Store({
      bucket: options.bucket ?? 'goe-s3',
      prefix: options.prefix,
      endpoint: server.endpoint,
      region: server.region,
      credentials: server.credentials,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startS3rver({ buckets: ['goe-s3'] });
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server?.stop();
  });

  it('keeps prefixes apart and names them in its url', async () => {
    const a = open({ prefix: '/runs/a/' });
    const b = open({ prefix: 'runs/b' });
    expect(a.url).toBe('s3://goe-s3/runs/a');
    await a.put('x.bin', new Uint8Array([1]));
    expect(await a.exists('x.bin')).toBe(true);
    expect(await b.exists('x.bin')).toBe(false);
    expect(await open().exists('runs/a/x.bin')).toBe(true);
  });

  it('stores the bytes verbatim (no aws-chunked framing on the server)', async () => {
    const store = open({ prefix: 'framing' });
    const body = randomBytes(1000);
    await store.put('raw.bin', body);
    // s3rver keeps each object as a plain file: <dir>/<bucket>/<key>._S3rver_object.
    const onDisk = await readFile(join(server.dir, 'goe-s3', 'framing', 'raw.bin._S3rver_object'));
    expect(Buffer.compare(onDisk, body)).toBe(0);
  });

  it('reports a missing bucket as a StoreError, not as a missing key', async () => {
    const error = await open({ bucket: 'no-such-bucket' })
      .get('k')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(StoreNotFoundError);
    expect((error as Error).message).toMatch(/bucket of s3:\/\/no-such-bucket does not exist/);
  });

  it('rejects an invalid bucket or prefix with StoreUrlError', () => {
    expect(() => new S3Store({ bucket: 'Bad_Bucket' })).toThrow(StoreUrlError);
    expect(() => new S3Store({ bucket: 'ok-bucket', prefix: 'a//b' })).toThrow(
      new StoreUrlError('s3://ok-bucket/a//b', 'invalid prefix: empty segment'),
    );
  });
});
