/**
 * The SDK and `goe pull` against a real server: `goe serve`'s `startServer` on 127.0.0.1, port 0, over a
 * temp zoo holding a randomly initialised generator. Checks the contract end to end: streamed batches
 * equal the `.npy` body of the same request, a `start = k` stream is rows k… of the full one, problems
 * are typed errors, and `goe pull` writes identical bytes twice (the second from its cache), that numpy
 * loads, with the documented exit codes.
 */

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { initBackend } from '../../runtime/backend/index.js';
import {
  createGoeClient,
  type ImageOutlierBatch,
  ParameterNotApplicableError,
  streamOutliers,
  UnknownClassError,
  UnknownModelError,
} from '../../sdk/index.js';
import { FASHION_MNIST_CLASSES } from '../../trainer/datasets/index.js';
import { runGoe } from '../helpers/cli.js';
import { runPythonJson } from '../helpers/python.js';
import { tempZoo } from '../helpers/zoo.js';

const FASHION_CLASSES: string[] = [...FASHION_MNIST_CLASSES];

/** A temp zoo with one randomly initialised (small, seeded) generator: the service is under test, not the GAN. */
async function makeZoo(id: string): Promise<{ dir: string; id: string }> {
  return { dir: await tempZoo({ gWidth: 8, dWidth: 8 }, id), id };
}

let zoo: { dir: string; id: string };
let server: RunningServer;
let work: string;
let previousZoo: string | undefined;

beforeAll(async () => {
  await initBackend();
  zoo = await makeZoo('e2e-cgan');
  previousZoo = process.env.GOE_ZOO;
  process.env.GOE_ZOO = zoo.dir;
  // A quiet log: the access lines would bury vitest's report.
  server = await startServer({ zoo: zoo.dir, host: '127.0.0.1', port: 0, log: () => undefined });
  work = await mkdtemp(join(tmpdir(), 'goe-pull-'));
});

afterAll(async () => {
  await server?.close();
  if (zoo) await rm(zoo.dir, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
  if (previousZoo === undefined) delete process.env.GOE_ZOO;
  else process.env.GOE_ZOO = previousZoo;
});

async function collect(stream: AsyncIterable<unknown>): Promise<ImageOutlierBatch[]> {
  const out: ImageOutlierBatch[] = [];
  for await (const b of stream) out.push(b as ImageOutlierBatch);
  return out;
}

const concat = (batches: ImageOutlierBatch[]) => Uint8Array.from(batches.flatMap((b) => [...b.data]));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('SDK against goe serve', () => {
  it('streams typed batches equal to the .npy body of the same request, and resumes by start', async () => {
    const request = { model: zoo.id, count: 40, seed: 7, sigma2: 50 };
    const stream = streamOutliers(request, { baseUrl: server.url, batchSize: 16 });
    const batches = await collect(stream);
    expect(batches.map((b) => b.shape)).toEqual([
      [16, 28, 28, 1],
      [16, 28, 28, 1],
      [8, 28, 28, 1],
    ]);
    expect(batches.every((b) => b.kind === 'image' && b.dtype === 'uint8')).toBe(true);
    expect(batches.flatMap((b) => [...b.indices])).toEqual([...Array(40).keys()]);
    expect(batches.flatMap((b) => b.labels).every((l) => FASHION_CLASSES.includes(l))).toBe(true);
    expect(stream.info).toMatchObject({ seed: 7, rowShape: [28, 28, 1], dtype: 'uint8' });
    expect(stream.info?.etag).toMatch(/^"[0-9a-f]{64}"$/);

    const goe = createGoeClient({ baseUrl: server.url });
    const { data, error } = await goe.openOutliers({ ...request, format: 'npy' });
    expect(error).toBeUndefined();
    const npy = new Uint8Array(await new Response(data?.body).arrayBuffer());
    const pixels = concat(batches);
    expect(sha256(npy.subarray(npy.length - pixels.length))).toBe(sha256(pixels));

    const tail = await collect(streamOutliers({ ...request, start: 25, count: 15 }, { baseUrl: server.url }));
    expect(sha256(concat(tail))).toBe(sha256(pixels.subarray(25 * 784)));
  });

  it('turns the server problems into typed errors carrying the parameter', async () => {
    const first = async (request: Parameters<typeof streamOutliers>[0]) => {
      try {
        for await (const _ of streamOutliers(request, { baseUrl: server.url, retry: false })) break;
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(await first({ model: 'no-such-model', count: 1, seed: 1 })).toBeInstanceOf(UnknownModelError);
    const na = await first({ model: zoo.id, count: 1, seed: 1, temperature: 2 });
    expect(na).toBeInstanceOf(ParameterNotApplicableError);
    expect(na).toMatchObject({ status: 422, param: 'temperature', value: 2 });
    const uc = await first({ model: zoo.id, count: 1, seed: 1, classes: ['Bag', 'Hat'] });
    expect(uc).toBeInstanceOf(UnknownClassError);
    expect(uc).toMatchObject({ param: 'classes', value: 'Hat' });
  });

  it('lists and describes the models', async () => {
    const goe = createGoeClient({ baseUrl: server.url });
    const { data: models } = await goe.listModels();
    expect(models?.map((m) => m.id)).toEqual([zoo.id]);
    const { data: model } = await goe.getModel(zoo.id);
    expect(model).toMatchObject({ id: zoo.id, modality: 'image', shape: [28, 28, 1] });
  });
});

describe('goe pull against goe serve', () => {
  const pullArgs = (out: string, extra: string[] = []) => [
    'pull',
    '--api',
    server.url,
    '--model',
    zoo.id,
    '--seed',
    '11',
    '--count',
    '24',
    '--sigma2',
    '50',
    '--out',
    out,
    ...extra,
  ];

  it('writes identical bytes twice, the second from the verified cache, and numpy loads them', async () => {
    const env = { GOE_CACHE_DIR: join(work, 'cache') };
    const a = join(work, 'a.npy');
    const b = join(work, 'b.npy');
    const first = await runGoe(pullArgs(a, ['--json']), env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/cache hit/);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ cache: 'miss', format: 'npy', count: 24, seed: 11 });

    const second = await runGoe(pullArgs(b, ['--json']), env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/cache hit/);
    expect(JSON.parse(second.stdout)).toMatchObject({ cache: 'hit', sha256: summary.sha256 });
    const [bytesA, bytesB] = await Promise.all([readFile(a), readFile(b)]);
    expect(bytesB.equals(bytesA)).toBe(true);
    expect(sha256(bytesA)).toBe(summary.sha256);

    const loaded = runPythonJson<{ shape: number[]; dtype: string; sha256: string }>(
      ['numpy'],
      'import sys, json, hashlib, numpy as np\n' +
        'a = np.load(sys.argv[1])\n' +
        'print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "sha256": hashlib.sha256(a.tobytes()).hexdigest()}))',
      [a],
    );
    expect(loaded).toMatchObject({ shape: [24, 28, 28, 1], dtype: 'uint8' });
    // The rows numpy sees are the rows the SDK streams for the same request.
    const streamed = await collect(
      streamOutliers({ model: zoo.id, seed: 11, count: 24, sigma2: 50 }, { baseUrl: server.url }),
    );
    expect(loaded.sha256).toBe(sha256(concat(streamed)));
  });

  it('downloads again when the cached body is corrupted', async () => {
    const env = { GOE_CACHE_DIR: join(work, 'cache-corrupt') };
    const a = join(work, 'c1.npy');
    const first = await runGoe(pullArgs(a, ['--json']), env);
    expect(first.code, first.stderr).toBe(0);
    const { etag } = JSON.parse(first.stdout) as { etag: string };
    const body = join(env.GOE_CACHE_DIR, 'pulls', etag.replaceAll('"', ''), 'body');
    const bytes = await readFile(body);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(body, bytes);

    const again = await runGoe(pullArgs(join(work, 'c2.npy')), env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/corrupted/);
    expect(again.stderr).not.toMatch(/cache hit/);
    expect((await readFile(join(work, 'c2.npy'))).equals(await readFile(a))).toBe(true);
    const third = await runGoe(pullArgs(join(work, 'c3.npy')), env);
    expect(third.stderr).toMatch(/cache hit/);
  });

  it('pins the generator with --expect-model-digest and the bytes with --expect-body-sha256 (exit 5 otherwise)', async () => {
    const env = { GOE_CACHE_DIR: join(work, 'cache-pins') };
    const { data: model } = await createGoeClient({ baseUrl: server.url }).getModel(zoo.id);
    const ok = await runGoe(
      pullArgs(join(work, 'd.npy'), ['--expect-model-digest', model!.digest, '--no-cache', '--json']),
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const { sha256: bodySha } = JSON.parse(ok.stdout) as { sha256: string };
    expect(bodySha).toBe(sha256(await readFile(join(work, 'd.npy'))));
    // The generator digest is not the body's sha256: a pin of one never passes for the other.
    expect(model!.digest.replace(/^sha256:/, '')).not.toBe(bodySha);

    const wrongModel = await runGoe(
      pullArgs(join(work, 'e.npy'), ['--expect-model-digest', `sha256:${'0'.repeat(64)}`]),
      env,
    );
    expect(wrongModel.code).toBe(5);
    expect(wrongModel.stderr).toMatch(/generator digest .*--expect-model-digest/);

    const wrongBody = await runGoe(
      pullArgs(join(work, 'e.npy'), ['--expect-body-sha256', model!.digest]),
      env,
    );
    expect(wrongBody.code).toBe(5);
    expect(wrongBody.stderr).toMatch(/body's sha256 .*--expect-body-sha256.*was not written/);
    await expect(readFile(join(work, 'e.npy'))).rejects.toThrow(/ENOENT/);

    const pinned = await runGoe(pullArgs(join(work, 'e.npy'), ['--expect-body-sha256', bodySha]), env);
    expect(pinned.code, pinned.stderr).toBe(0);
    // From the cache too: a hit is checked against the pin.
    const pinnedHit = await runGoe(pullArgs(join(work, 'e2.npy'), ['--expect-body-sha256', bodySha]), env);
    expect(pinnedHit.stderr).toMatch(/cache hit/);
    expect(pinnedHit.code, pinnedHit.stderr).toBe(0);
    const staleHit = await runGoe(
      pullArgs(join(work, 'e3.npy'), ['--expect-body-sha256', '1'.repeat(64)]),
      env,
    );
    expect(staleHit.code).toBe(5);

    // The old name still pins the generator, and says what to write instead.
    const old = await runGoe(pullArgs(join(work, 'e4.npy'), ['--expect-digest', model!.digest]), env);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toMatch(/--expect-digest is deprecated.*--expect-model-digest/);
  });

  it('--offline needs no --api: it serves the cached body of the same request, or exits 4 naming the miss', async () => {
    const env = { GOE_CACHE_DIR: join(work, 'cache-offline') };
    const online = await runGoe(pullArgs(join(work, 'o1.npy'), ['--json']), env);
    expect(online.code, online.stderr).toBe(0);
    const withoutApi = (out: string, seed: string) => [
      'pull',
      '--offline',
      '--model',
      zoo.id,
      '--seed',
      seed,
      '--count',
      '24',
      '--sigma2',
      '50',
      '--out',
      out,
      '--json',
    ];
    const offline = await runGoe(withoutApi(join(work, 'o2.npy'), '11'), env);
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({
      cache: 'offline',
      sha256: JSON.parse(online.stdout).sha256,
    });
    expect((await readFile(join(work, 'o2.npy'))).equals(await readFile(join(work, 'o1.npy')))).toBe(true);
    const miss = await runGoe(withoutApi(join(work, 'o3.npy'), '12'), env);
    expect(miss.code).toBe(4);
    expect(miss.stderr).toMatch(/--offline: this request is not in the cache/);
    const noApi = await runGoe(
      withoutApi(join(work, 'o4.npy'), '11').filter((a) => a !== '--offline'),
      env,
    );
    expect(noApi.code).toBe(2);
    expect(noApi.stderr).toMatch(/--api .*--offline/);
  });

  it('exits 3 on a refused request, 4 when unreachable', async () => {
    const env = { GOE_CACHE_DIR: join(work, 'cache-codes') };

    const refused = await runGoe(
      [
        'pull',
        '--api',
        server.url,
        '--model',
        'nope',
        '--seed',
        '1',
        '--count',
        '2',
        '--out',
        join(work, 'f.npy'),
      ],
      env,
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/nope/);
    const down = await runGoe(
      [
        'pull',
        '--api',
        'http://127.0.0.1:1',
        '--model',
        zoo.id,
        '--seed',
        '1',
        '--count',
        '2',
        '--retries',
        '0',
      ].concat(['--out', join(work, 'g.npy')]),
      env,
    );
    expect(down.code).toBe(4);
  });

  it('pulls the other formats: .ndjson rows equal the stream, .safetensors and .png are complete', async () => {
    const env = { GOE_CACHE_DIR: join(work, 'cache-formats') };
    for (const ext of ['ndjson', 'npz', 'safetensors', 'png']) {
      const r = await runGoe(pullArgs(join(work, `x.${ext}`), ['--json']), env);
      expect(r.code, `${ext}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).format).toBe(ext);
    }
    const lines = (await readFile(join(work, 'x.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(24);
    expect(JSON.parse(lines[5])).toMatchObject({ index: 5, shape: [28, 28, 1], dtype: 'uint8' });
  });
});
