import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import type { RuntimePreference } from '../../generators/twin.js';

/**
 * goe's zoo cGAN served through its ONNX twin (zoo/fashion-mnist-cgan/model.onnx) by real servers on
 * loopback, with no response cache, so every body is generated: the same bytes for 1 worker, 2 workers and
 * in-thread on ONNX Runtime; other last bits than TF.js, so another ETag; /healthz names the runtime.
 */

const MODEL = 'fashion-mnist-cgan';
const silent = () => {};
let zoo: string;
const servers: Record<string, RunningServer> = {};

beforeAll(async () => {
  zoo = await mkdtemp(join(tmpdir(), 'goe-twin-'));
  await cp(fileURLToPath(new URL(`../../zoo/${MODEL}`, import.meta.url)), join(zoo, MODEL), {
    recursive: true,
  });
  const start = (runtime: RuntimePreference, workers: number) =>
    startServer({ zoo, port: 0, log: silent, workers, runtime, batchSize: 64 });
  // Small batches, so a request is many batches spread over the workers and re-ordered.
  [servers.onnx1, servers.onnx2, servers.onnx0, servers.auto, servers.tfjs] = await Promise.all([
    start('onnx', 1),
    start('onnx', 2),
    start('onnx', 0),
    start('auto', 2),
    start('tfjs', 2),
  ]);
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await rm(zoo, { recursive: true, force: true });
});

async function get(server: RunningServer, query: string) {
  const res = await fetch(`${server.url}/outliers?model=${MODEL}&${query}`);
  expect(res.status).toBe(200);
  return { etag: res.headers.get('etag'), body: Buffer.from(await res.arrayBuffer()) };
}

describe('the zoo cGAN on its ONNX twin', () => {
  it.each([
    ['uint8 npy', 'count=700&seed=5&sigma2=50&format=npy'],
    ['float32 npy from a start', 'count=200&start=77&seed=6&format=npy&dtype=float32'],
    ['ndjson of two classes', 'count=150&seed=7&classes=Bag,Sandal&format=ndjson'],
  ])('%s: 1 worker, 2 workers and in-thread agree byte for byte', async (_, query) => {
    const [one, two, inThread] = await Promise.all(
      [servers.onnx1, servers.onnx2, servers.onnx0].map((s) => get(s, query)),
    );
    expect(one.body.length).toBeGreaterThan(1000);
    expect(two.body.equals(one.body)).toBe(true);
    expect(inThread.body.equals(one.body)).toBe(true);
    expect(two.etag).toBe(one.etag);
  });

  it('computes other last bits than TF.js (within the twin tolerance), so its ETag differs; auto picks the twin', async () => {
    const query = 'count=300&seed=8&format=npy&dtype=float32';
    const [ort, auto, tfjs] = await Promise.all(
      [servers.onnx2, servers.auto, servers.tfjs].map((s) => get(s, query)),
    );
    expect(auto.body.equals(ort.body)).toBe(true);
    expect(auto.etag).toBe(ort.etag);
    expect(tfjs.etag).not.toBe(ort.etag);
    expect(tfjs.body.equals(ort.body)).toBe(false);
    // The npy header (padded to 64 bytes, so the rows stay aligned) is the same; the rows differ by rounding.
    const header = ort.body.indexOf(0x0a) + 1;
    expect(ort.body.subarray(0, header).equals(tfjs.body.subarray(0, header))).toBe(true);
    const rows = (buf: Buffer) =>
      new Float32Array(buf.buffer.slice(buf.byteOffset + header, buf.byteOffset + buf.length));
    const a = rows(ort.body);
    const b = rows(tfjs.body);
    expect(a.length).toBe(300 * 28 * 28);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).toBeLessThan(1e-4);
  });

  it('/healthz names the runtime of each loaded generator', async () => {
    for (const s of [servers.onnx2, servers.tfjs]) await get(s, 'count=1&seed=1');
    const health = async (s: RunningServer) => (await fetch(`${s.url}/healthz`)).json();
    expect(await health(servers.onnx2)).toMatchObject({
      runtime: 'onnx',
      runtimes: { [MODEL]: 'onnxruntime:cpu' },
    });
    expect(await health(servers.tfjs)).toMatchObject({ runtime: 'tfjs', runtimes: { [MODEL]: 'wasm' } });
    // Each worker's TF.js tensors come back with its batches: the TF.js cGAN's weights on a TF.js worker;
    // none on an ONNX Runtime worker (null when it never started TF.js, 0 when it only named the backend).
    const tensors = async (s: RunningServer) =>
      Object.values(((await health(s)) as { workerTensors: Record<string, number | null> }).workerTensors);
    const onTfjs = await tensors(servers.tfjs);
    expect(onTfjs.length).toBeGreaterThan(0);
    for (const n of onTfjs) expect(n).toBeGreaterThan(0);
    const onOrt = await tensors(servers.onnx2);
    expect(onOrt.length).toBeGreaterThan(0);
    for (const n of onOrt) expect([0, null]).toContain(n);
  });
});
