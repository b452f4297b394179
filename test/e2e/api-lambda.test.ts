import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, MODEL } from '../helpers/api.js';
import { functionUrlEvent } from '../helpers/lambda-event.js';

/**
 * The Lambda entry, invoked as AWS invokes a response-streaming Function URL, gives the same bytes as
 * `goe serve` (the real CLI, in its own process) for the same fixed-seed request.
 */

const bin = fileURLToPath(new URL('../../bin/goe.mjs', import.meta.url));

interface Captured {
  metadata?: { statusCode: number; headers: Record<string, string> };
  chunks: Buffer[];
}

// What the Lambda Node.js runtime provides to streaming handlers: `awslambda.streamifyResponse` and
// `awslambda.HttpResponseStream.from`, which sends the status and headers before the body.
const lambdaRuntime = {
  streamifyResponse: <T>(handler: T) => handler,
  HttpResponseStream: {
    from(stream: Writable & { captured?: Captured }, metadata: Captured['metadata']) {
      stream.captured!.metadata = metadata;
      return stream;
    },
  },
};

function responseStream(): Writable & { captured: Captured } {
  const captured: Captured = { chunks: [] };
  const stream = new Writable({
    write(chunk, _encoding, done) {
      captured.chunks.push(Buffer.from(chunk));
      done();
    },
  }) as Writable & { captured: Captured };
  stream.captured = captured;
  return stream;
}

/** The Function URL event with the body before the headers, as these tests read best. */
const event = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  functionUrlEvent(method, path, headers, body);

type Handler = (event: unknown, stream: Writable, context: unknown) => Promise<void>;

let zoo: string;
let storeDir: string;
let handler: Handler;
let serve: ChildProcess;
let serveUrl: string;
const saved = { ...process.env };

beforeAll(async () => {
  zoo = await apiTestZoo();
  storeDir = await mkdtemp(join(tmpdir(), 'goe-lambda-store-'));
  (globalThis as { awslambda?: unknown }).awslambda = lambdaRuntime;
  process.env.GOE_ZOO = zoo;
  process.env.GOE_LOG = 'silent';
  process.env.GOE_STORE = `file://${storeDir}`;
  handler = (await import('../../api/entries/lambda.js')).handler as unknown as Handler;

  serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--store', 'none'], {
    env: { ...process.env, GOE_LOG: 'silent', GOE_STORE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serveUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    serve.once('exit', (code) => reject(new Error(`goe serve exited with ${code}`)));
  });
}, 120_000);

afterAll(async () => {
  process.env = saved;
  delete (globalThis as { awslambda?: unknown }).awslambda;
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await once(serve, 'exit');
  }
  await rm(zoo, { recursive: true, force: true });
  await rm(storeDir, { recursive: true, force: true });
});

async function invoke(event: unknown): Promise<Captured> {
  const stream = responseStream();
  await handler(event, stream, {});
  return stream.captured;
}

describe('the Lambda handler (Function URL, response streaming)', () => {
  const request = { model: MODEL, count: 700, seed: 42, sigma2: 30, classes: ['Sandal', 'Bag', 'Coat'] };

  it('streams the same bytes and ETag as goe serve for a fixed-seed .npy request', async () => {
    expect(serveUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const viaServe = await fetch(`${serveUrl}/outliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-npy' },
      body: JSON.stringify(request),
    });
    const serveBytes = Buffer.from(await viaServe.arrayBuffer());
    expect(viaServe.status).toBe(200);

    const out = await invoke(
      event('POST', '/outliers', request, {
        'content-type': 'application/json',
        accept: 'application/x-npy',
      }),
    );
    expect(out.metadata?.statusCode).toBe(200);
    expect(out.metadata?.headers['content-type']).toBe('application/x-npy');
    expect(out.metadata?.headers.etag).toBe(viaServe.headers.get('etag'));
    expect(out.metadata?.headers['goe-cache']).toBe('miss');
    // Streamed as generated: one write per batch, not one buffered body.
    expect(out.chunks.length).toBeGreaterThan(2);
    expect(Buffer.compare(Buffer.concat(out.chunks), serveBytes)).toBe(0);

    // Again: from the cache in the Lambda's store, still the same bytes.
    const again = await invoke(
      event('POST', '/outliers', request, {
        'content-type': 'application/json',
        accept: 'application/x-npy',
      }),
    );
    expect(again.metadata?.headers['goe-cache']).toBe('hit');
    expect(Buffer.compare(Buffer.concat(again.chunks), serveBytes)).toBe(0);
  });

  it('serves the query form and problem documents the same way', async () => {
    const ndjson = await invoke(event('GET', `/outliers?model=${MODEL}&count=3&seed=1`));
    const viaServe = Buffer.from(
      await (await fetch(`${serveUrl}/outliers?model=${MODEL}&count=3&seed=1`)).arrayBuffer(),
    );
    expect(Buffer.compare(Buffer.concat(ndjson.chunks), viaServe)).toBe(0);

    const missing = await invoke(
      event('POST', '/outliers', { model: 'nope' }, { 'content-type': 'application/json' }),
    );
    expect(missing.metadata?.statusCode).toBe(404);
    expect(missing.metadata?.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(Buffer.concat(missing.chunks).toString()).type).toBe(
      'https://goe.dev/problems/unknown-model',
    );

    const health = await invoke(event('GET', '/healthz'));
    expect(JSON.parse(Buffer.concat(health.chunks).toString())).toMatchObject({
      status: 'ok',
      generators: [MODEL],
    });
  });

  it('goe serve reports its backend at /healthz and stops cleanly on SIGINT', async () => {
    const health = (await (await fetch(`${serveUrl}/healthz`)).json()) as {
      backend: string;
      generators: string[];
    };
    expect(health.backend).toBe('wasm');
    expect(health.generators).toEqual([MODEL]);
    serve.kill('SIGINT');
    const [code] = await once(serve, 'exit');
    expect(code).toBe(0);
  });
});
