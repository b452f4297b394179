import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, decodeSafetensors } from '../../runtime/codecs/index.js';
import { apiTestZoo, bytesOf, MODEL, postJson, testApp } from '../../test/helpers/api.js';
import { runGoe } from '../../test/helpers/cli.js';
import { runPythonJson } from '../../test/helpers/python.js';

/** `format: npz` / `Accept: application/x-npz` from the API and `goe sample --out x.npz`, read by numpy. */

let zoo: string;
let dir: string;
let app: ReturnType<typeof testApp>['app'];

beforeAll(async () => {
  zoo = await apiTestZoo();
  dir = await mkdtemp(join(tmpdir(), 'goe-npz-api-'));
  ({ app } = testApp(zoo));
});
afterAll(async () => {
  await rm(zoo, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

const LOAD = `
import json, sys, hashlib, numpy as np
with np.load(sys.argv[1]) as z:
    print(json.dumps({k: {"shape": list(z[k].shape), "dtype": str(z[k].dtype),
                          "sha256": hashlib.sha256(z[k].tobytes()).hexdigest(),
                          "head": z[k].ravel()[:8].tolist()} for k in z.files}))
`;
type Loaded = Record<string, { shape: number[]; dtype: string; sha256: string; head: number[] }>;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('npz from the API', () => {
  it('sends images, classes and indices that numpy loads alone, equal to the npy and safetensors bodies', async () => {
    const req = { model: MODEL, count: 37, seed: 5, start: 11, sigma2: 20 };
    const res = await app.request('/outliers', postJson(req, { accept: 'application/x-npz' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-npz');
    const body = await bytesOf(res);
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    await writeFile(join(dir, 'a.npz'), body);
    const loaded = runPythonJson<Loaded>(['numpy'], LOAD, [join(dir, 'a.npz')]);

    const npy = decodeNpy(await bytesOf(await app.request('/outliers', postJson({ ...req, format: 'npy' }))));
    const st = decodeSafetensors(
      await bytesOf(await app.request('/outliers', postJson({ ...req, format: 'safetensors' }))),
    );
    expect(loaded.images).toMatchObject({ shape: [37, 28, 28, 1], dtype: 'uint8' });
    expect(loaded.images.sha256).toBe(sha256(npy.data as Uint8Array));
    const classes = st.tensors.classes.data as Int32Array;
    expect(loaded.classes).toMatchObject({ shape: [37], dtype: 'int32', head: [...classes.slice(0, 8)] });
    expect(loaded.indices).toMatchObject({
      shape: [37],
      dtype: 'int64',
      head: [11, 12, 13, 14, 15, 16, 17, 18],
    });
    // Same request, same bytes; and the GET form with format=npz.
    const again = await bytesOf(
      await app.request(`/outliers?model=${MODEL}&count=37&seed=5&start=11&sigma2=20&format=npz`),
    );
    expect(Buffer.from(again).equals(Buffer.from(body))).toBe(true);
  });

  it('refuses an npz over 4 GiB as count-over-limit, naming ZIP64', async () => {
    const big = testApp(zoo, { limits: { maxCount: 10_000_000 } }).app;
    const res = await big.request(
      '/outliers',
      postJson({ model: MODEL, count: 2_000_000, seed: 1, format: 'npz', dtype: 'float32' }),
    );
    expect(res.status).toBe(422);
    const p = await res.json();
    expect(p.type).toMatch(/count-over-limit$/);
    expect(p.detail).toMatch(/4 GiB.*ZIP64/);
  });

  it('goe sample --out x.npz writes what numpy loads', async () => {
    const out = join(dir, 's.npz');
    const r = await runGoe(
      ['sample', '--model', MODEL, '--count', '10', '--seed', '3', '--start', '4', '--out', out],
      { GOE_ZOO: zoo },
    );
    expect(r.code, r.stderr).toBe(0);
    const loaded = runPythonJson<Loaded>(['numpy'], LOAD, [out]);
    expect(loaded.images.shape).toEqual([10, 28, 28, 1]);
    expect(loaded.indices.head).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(loaded.classes.shape).toEqual([10]);
  });
});
