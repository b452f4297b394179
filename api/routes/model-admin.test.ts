/**
 * `PUT|DELETE /models/{id}` on a real app (`app.request`): an ONNX generator exported by PyTorch is
 * uploaded, listed with its provenance, served by `POST /outliers` in every format, and removed; every
 * bad upload is a 4xx problem that leaves the zoo as it was.
 */
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, decodeSafetensors } from '../../runtime/codecs/index.js';
import { apiTestZoo, bytesOf, MODEL, postJson, testApp } from '../../test/helpers/api.js';
import { exportTinyGenerators, type TinyGenerators } from '../../test/helpers/onnx-generators.js';

const ADMIN = 'admin-key-0123456789abcdef';
let fx: TinyGenerators;
let zoo: string;
let app: ReturnType<typeof testApp>['app'];

beforeAll(async () => {
  fx = await exportTinyGenerators();
  zoo = await apiTestZoo();
  app = testApp(zoo, { adminKey: ADMIN, limits: { maxModelBytes: 64 * 1024 } }).app;
}, 120_000);

function put(id: string, body: Uint8Array | string, query = '', headers: Record<string, string> = {}) {
  return app.request(`/models/${id}${query}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'goe-admin-key': ADMIN, ...headers },
    body: typeof body === 'string' ? body : Uint8Array.from(body),
  });
}

const listing = async () => (await readdir(zoo)).sort();

describe('PUT /models/{id}', () => {
  it('adds an ONNX generator (201) and lists it with its provenance', async () => {
    const res = await put('mlp', await readFile(fx.mlp), '?license=MIT&source=test%20fixture&author=goe');
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      id: 'mlp',
      modality: 'image',
      classes: [],
      shape: [4, 4, 1],
      latentDim: 8,
      format: 'onnx',
    });
    expect(body.provenance).toMatchObject({ source: 'test fixture', license: 'MIT', author: 'goe' });
    const list = await (await app.request('/models')).json();
    expect(list.models.map((m: { id: string }) => m.id)).toEqual(['fashion-mnist-cgan', 'mlp']);
    const one = await (await app.request('/models/mlp')).json();
    expect(one.provenance.license).toBe('MIT');
  });

  it('serves it by POST /outliers in every format, rows without a class, σ² = 0 giving G(0)', async () => {
    const req = { model: 'mlp', sigma2: 0, count: 3, seed: 1, dtype: 'float32' };
    const npy = decodeNpy(
      await bytesOf(await app.request('/outliers', postJson(req, { accept: 'application/x-npy' }))),
    );
    expect(npy.shape).toEqual([3, 4, 4, 1]);
    const g0 = fx.mlpAtZero.map((x) => (x + 1) / 2);
    for (let i = 0; i < 3; i++)
      [...npy.data.subarray(i * 16, i * 16 + 16)].forEach((v, k) => {
        expect(v).toBeCloseTo(g0[k], 5);
      });
    const st = decodeSafetensors(
      await bytesOf(await app.request('/outliers', postJson({ ...req, format: 'safetensors' }))),
    );
    expect([...st.tensors.classes.data]).toEqual([-1, -1, -1]);
    const nd = await (await app.request('/outliers', postJson({ ...req, format: 'ndjson' }))).text();
    const rows = nd
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.index, r.class, r.label])).toEqual([
      [0, -1, ''],
      [1, -1, ''],
      [2, -1, ''],
    ]);
    const png = await app.request('/outliers', postJson({ ...req, format: 'png' }));
    expect(png.headers.get('content-type')).toBe('image/png');
    // start = k gives rows k… of the same request
    const all = decodeNpy(
      await bytesOf(
        await app.request('/outliers', postJson({ model: 'mlp', count: 6, seed: 2, format: 'npy' })),
      ),
    );
    const tail = decodeNpy(
      await bytesOf(
        await app.request(
          '/outliers',
          postJson({ model: 'mlp', count: 2, start: 4, seed: 2, format: 'npy' }),
        ),
      ),
    );
    expect([...tail.data]).toEqual([...all.data.subarray(4 * 16)]);
  });

  it('answers classes to an unconditional model with parameter-not-applicable (422)', async () => {
    const res = await app.request('/outliers', postJson({ model: 'mlp', classes: [0], count: 2, seed: 1 }));
    expect(res.status).toBe(422);
    expect((await res.json()).type).toBe('https://goe.dev/problems/parameter-not-applicable');
  });

  it('refuses an existing id unless replace=true, and a new upload takes effect at once', async () => {
    expect((await put('mlp', await readFile(fx.mlp))).status).toBe(422);
    const res = await put('mlp', await readFile(fx.mlp), '?replace=true&sigma2=7');
    expect(res.status).toBe(200);
    expect((await (await app.request('/models/mlp')).json()).defaultSigma2).toBe(7);
  });

  const bad: [string, () => Promise<Response>, number, RegExp][] = [
    [
      'a missing admin key',
      async () => put('x', await readFile(fx.mlp), '', { 'goe-admin-key': '' }),
      401,
      /admin key is required/,
    ],
    [
      'a wrong admin key',
      async () => put('x', await readFile(fx.mlp), '', { 'goe-admin-key': 'wrong-key-0123456789' }),
      401,
      /not valid/,
    ],
    [
      'an upload over the limit',
      async () => put('x', new Uint8Array(65 * 1024).fill(8)),
      413,
      /over the limit/,
    ],
    ['a body that is not ONNX', async () => put('x', 'hello'), 422, /not an ONNX file/],
    [
      'a truncated ONNX file',
      async () => put('x', (await readFile(fx.mlp)).subarray(0, 700)),
      422,
      /not a valid ONNX model/,
    ],
    [
      'flags that do not match the inputs',
      async () => put('x', await readFile(fx.conv), '?classInput=label'),
      422,
      /classInput label: the model has no such input \(the model's inputs: z/,
    ],
    ['a NaN output', async () => put('x', await readFile(fx.nan)), 422, /non-finite/],
    [
      'an output outside the declared range',
      async () => put('x', await readFile(fx.mlp), '?outputRange=0,1'),
      422,
      /outside the declared range/,
    ],
    [
      'an output shape that is not H×W×C',
      async () => put('x', await readFile(fx.mlp), '?outputShape=3,3,1'),
      422,
      /need \[4, 9\]/,
    ],
    ['an id with spaces', async () => put('a%20b', await readFile(fx.mlp)), 422, /invalid model id/],
    [
      'an id over 64 characters',
      async () => put('a'.repeat(65), await readFile(fx.mlp)),
      422,
      /invalid model id/,
    ],
    ['an id with ..', async () => put('a..b', await readFile(fx.mlp)), 422, /invalid model id/],
    [
      'replacing goe’s own model',
      async () => put(MODEL, await readFile(fx.mlp), '?replace=true'),
      422,
      /one of goe's own models/,
    ],
    [
      'a JSON body',
      async () => put('x', '{}', '', { 'content-type': 'application/json' }),
      415,
      /octet-stream/,
    ],
  ];

  it.each(bad)('answers %s with a problem and writes nothing', async (_, send, status, detail) => {
    const before = await listing();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await res.json()).detail).toMatch(detail);
    expect(await listing()).toEqual(before);
  });

  it('is closed on a server without an admin key', async () => {
    const closed = testApp(zoo).app;
    const res = await closed.request('/models/y', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'goe-admin-key': ADMIN },
      body: await readFile(fx.mlp),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/GOE_ADMIN_KEY/);
  });
});

describe('DELETE /models/{id}', () => {
  it('removes an imported model (204), then it is unknown (404); goe’s own models stay', async () => {
    const del = () => app.request('/models/mlp', { method: 'DELETE', headers: { 'goe-admin-key': ADMIN } });
    expect((await del()).status).toBe(204);
    expect((await app.request('/models/mlp')).status).toBe(404);
    expect((await app.request('/outliers', postJson({ model: 'mlp', count: 1, seed: 1 }))).status).toBe(404);
    expect((await del()).status).toBe(404);
    const own = await app.request(`/models/${MODEL}`, {
      method: 'DELETE',
      headers: { 'goe-admin-key': ADMIN },
    });
    expect(own.status).toBe(422);
    const noKey = await app.request(`/models/${MODEL}`, { method: 'DELETE' });
    expect(noKey.status).toBe(401);
    expect(await listing()).toEqual([MODEL]);
  });
});
