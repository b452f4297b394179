import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { writeTinyLm } from '../../generators/lm/index.js';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeNdjson } from '../../runtime/codecs/index.js';
import { openStore, type Store } from '../../runtime/store/index.js';
import {
  InvalidRequestError,
  type OutlierBatch,
  ParameterNotApplicableError,
  streamOutliers,
  type TextOutlierBatch,
} from '../../sdk/index.js';
import { runGoe } from '../helpers/cli.js';

/** A text model as a client sees it: a real server on a loopback socket, a file cache, the SDK's stream. */

const LM = 'tiny-lm';
let dir: string;
let server: RunningServer;
let store: Store;

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), 'goe-e2e-text-'));
  await writeTinyLm(join(dir, 'zoo', LM), { id: LM, seed: 5 });
  store = openStore(`file://${join(dir, 'store')}`);
  server = await startServer({
    zoo: join(dir, 'zoo'),
    store,
    port: 0,
    log: () => {},
    backend: async () => (await initBackend()).choice,
  });
});
afterAll(async () => {
  await server?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Row {
  index: number;
  class: number;
  label: string;
  text: string;
  tokens: number[];
}

const request = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function collect(stream: AsyncIterable<OutlierBatch>): Promise<TextOutlierBatch[]> {
  const out: TextOutlierBatch[] = [];
  for await (const b of stream) {
    if (b.kind !== 'text') throw new Error(`expected text batches, got ${b.kind}`);
    out.push(b);
  }
  return out;
}

describe('a text model over HTTP', () => {
  it('serves NDJSON text rows, then the identical bytes from the cache', async () => {
    const body = { model: LM, temperature: 2, count: 30, seed: 1 };
    const first = await fetch(`${server.url}/outliers`, request(body));
    expect(first.status).toBe(200);
    expect(first.headers.get('goe-cache')).toBe('miss');
    const bytes = new Uint8Array(await first.arrayBuffer());
    const second = await fetch(`${server.url}/outliers`, request(body));
    expect(second.headers.get('goe-cache')).toBe('hit');
    expect(Buffer.compare(bytes, new Uint8Array(await second.arrayBuffer()))).toBe(0);
    const rows = decodeNdjson<Row>(bytes);
    expect(rows).toHaveLength(30);
    expect(Object.keys(rows[0]).sort()).toEqual(['class', 'index', 'label', 'text', 'tokens']);
  });

  it('streams the same rows through the SDK as text batches', async () => {
    const raw = decodeNdjson<Row>(
      new Uint8Array(
        await (
          await fetch(`${server.url}/outliers`, request({ model: LM, count: 25, seed: 7 }))
        ).arrayBuffer(),
      ),
    );
    const batches = await collect(
      streamOutliers({ model: LM, count: 25, seed: 7 }, { baseUrl: server.url, batchSize: 10 }),
    );
    expect(batches.map((b) => b.texts.length)).toEqual([10, 10, 5]);
    expect(batches.flatMap((b) => b.texts)).toEqual(raw.map((r) => r.text));
    expect(batches.flatMap((b) => b.tokens.map((t) => [...t]))).toEqual(raw.map((r) => r.tokens));
    expect(batches.flatMap((b) => [...b.classes])).toEqual(raw.map((r) => r.class));
    expect(batches.flatMap((b) => [...b.indices])).toEqual(raw.map((r) => r.index));
  });

  it('turns text problems into typed SDK errors naming the parameter', async () => {
    const first = async (req: Parameters<typeof streamOutliers>[0]) => {
      try {
        for await (const _ of streamOutliers(req, { baseUrl: server.url, retry: false })) break;
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const sigma = await first({ model: LM, sigma2: 50, count: 1, seed: 1 });
    expect(sigma).toBeInstanceOf(ParameterNotApplicableError);
    expect(sigma).toMatchObject({ param: 'sigma2', value: 50 });
    const hot = await first({ model: LM, temperature: 100, count: 1, seed: 1 });
    expect(hot).toBeInstanceOf(InvalidRequestError);
    expect(hot).toMatchObject({ param: 'temperature', value: 100 });
  });

  it('is pulled by `goe pull` as the same NDJSON body', async () => {
    const out = join(dir, 'pulled.ndjson');
    const body = { model: LM, temperature: 3, count: 8, seed: 2 };
    const args = ['--model', LM, '--temperature', '3', '--count', '8', '--seed', '2', '--no-cache'];
    const run = await runGoe(['pull', '--api', server.url, ...args, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const direct = new Uint8Array(await (await fetch(`${server.url}/outliers`, request(body))).arrayBuffer());
    expect(Buffer.compare(new Uint8Array(await readFile(out)), direct)).toBe(0);
  });
});
