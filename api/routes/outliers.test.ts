import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeNdjson,
  decodeNpy,
  decodePng,
  decodeSafetensors,
  encodeNpyHeader,
} from '../../runtime/codecs/index.js';
import { apiTestZoo, bytesOf, MODEL, postJson, testApp } from '../../test/helpers/api.js';
import { loadContract } from '../contract.js';
import { compileSchema } from '../validation/index.js';

let zoo: string;
let app: ReturnType<typeof testApp>['app'];

beforeAll(async () => {
  zoo = await apiTestZoo();
  ({ app } = testApp(zoo));
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

interface Row {
  index: number;
  class: number;
  label: string;
  shape: number[];
  dtype: string;
  data: string;
}

const post = (body: unknown, headers?: Record<string, string>) =>
  app.request('/outliers', postJson(body, headers));

describe('POST /outliers', () => {
  it('streams NDJSON image rows with the contract headers', async () => {
    const res = await post({ model: MODEL, count: 5, seed: 3 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    for (const [h, v] of [
      ['goe-seed', '3'],
      ['goe-start', '0'],
      ['goe-count', '5'],
      ['goe-row-shape', '28,28,1'],
      ['goe-dtype', 'uint8'],
      ['goe-backend', 'wasm'],
      ['goe-cache', 'bypass'],
    ]) {
      expect(res.headers.get(h), h).toBe(v);
    }
    expect(res.headers.get('goe-model-digest')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const rows = decodeNdjson<Row>(await bytesOf(res));
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    const imageRow = compileSchema(loadContract(), 'ImageRow');
    for (const r of rows) {
      expect(imageRow.errors(r)).toEqual([]);
      expect(r.shape).toEqual([28, 28, 1]);
      expect(r.dtype).toBe('uint8');
      expect(Buffer.from(r.data, 'base64').length).toBe(784);
      expect(r.label).toBeTypeOf('string');
    }
  });

  it('returns byte-identical bodies for the same request, and rows k… for start = k', async () => {
    const full = await bytesOf(await post({ model: MODEL, count: 150, seed: 11 }));
    const again = await bytesOf(await post({ model: MODEL, count: 150, seed: 11 }));
    expect(Buffer.compare(full, again)).toBe(0);
    const tail = await bytesOf(await post({ model: MODEL, count: 53, seed: 11, start: 97 }));
    const lines = (b: Uint8Array) => new TextDecoder().decode(b).split('\n').filter(Boolean);
    expect(lines(tail)).toEqual(lines(full).slice(97));
  });

  it('serves .npy whose data after the header is the same rows, sliced by start', async () => {
    const full = await bytesOf(await post({ model: MODEL, count: 130, seed: 5, format: 'npy' }));
    const tail = await bytesOf(await post({ model: MODEL, count: 30, seed: 5, start: 100, format: 'npy' }));
    const a = decodeNpy(full);
    expect(a.shape).toEqual([130, 28, 28, 1]);
    expect(a.dtype).toBe('uint8');
    const headerFull = encodeNpyHeader('uint8', [130, 28, 28, 1]).length;
    const headerTail = encodeNpyHeader('uint8', [30, 28, 28, 1]).length;
    expect(Buffer.compare(tail.subarray(headerTail), full.subarray(headerFull + 100 * 784))).toBe(0);
  });

  it('serves float32 rows in [0, 1] and safetensors with images, classes and metadata', async () => {
    const res = await post({ model: MODEL, count: 7, seed: 2, dtype: 'float32', format: 'safetensors' });
    expect(res.headers.get('content-type')).toBe('application/vnd.goe.safetensors');
    const body = await bytesOf(res);
    expect(body.length).toBe(Number(res.headers.get('content-length')));
    const file = decodeSafetensors(body);
    expect(file.tensors.images.shape).toEqual([7, 28, 28, 1]);
    expect(file.tensors.images.dtype).toBe('float32');
    expect(Math.max(...file.tensors.images.data)).toBeLessThanOrEqual(1);
    expect(Math.min(...file.tensors.images.data)).toBeGreaterThanOrEqual(0);
    expect(file.tensors.classes.dtype).toBe('int32');
    expect(file.tensors.classes.shape).toEqual([7]);
    expect(file.metadata).toMatchObject({ model: MODEL, seed: '2', start: '0', sigma2: '50' });
    // The same rows as NDJSON: classes agree.
    const rows = decodeNdjson<Row>(await bytesOf(await post({ model: MODEL, count: 7, seed: 2 })));
    expect(Array.from(file.tensors.classes.data)).toEqual(rows.map((r) => r.class));
  });

  it('draws only the named classes (names or indices, same bytes either way)', async () => {
    const byName = await bytesOf(
      await post({ model: MODEL, count: 40, seed: 1, classes: ['Sandal', 'bag'] }),
    );
    const byIndex = await bytesOf(await post({ model: MODEL, count: 40, seed: 1, classes: [5, 8] }));
    expect(Buffer.compare(byName, byIndex)).toBe(0);
    const classes = new Set(decodeNdjson<Row>(byName).map((r) => r.label));
    expect([...classes].sort()).toEqual(['Bag', 'Sandal']);
  });

  it('renders a PNG preview grid', async () => {
    const res = await post({ model: MODEL, count: 9, seed: 1 }, { accept: 'image/png' });
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = decodePng(await bytesOf(res));
    expect(png.width).toBeGreaterThan(3 * 28);
  });

  it('picks a seed when none is given, reports it, and reproduces with it', async () => {
    const res = await post({ model: MODEL, count: 3 });
    const seed = Number(res.headers.get('goe-seed'));
    expect(Number.isInteger(seed)).toBe(true);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const again = await post({ model: MODEL, count: 3, seed });
    expect(Buffer.compare(await bytesOf(res), await bytesOf(again))).toBe(0);
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const first = await post({ model: MODEL, count: 4, seed: 9 });
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const res = await post({ model: MODEL, count: 4, seed: 9 }, { 'if-none-match': `W/"x", ${etag}` });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect((await bytesOf(res)).length).toBe(0);
    // A different request has a different ETag.
    const other = await post({ model: MODEL, count: 4, seed: 10 }, { 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    await other.arrayBuffer();
  });
});

describe('GET /outliers', () => {
  it('equals the POST form byte for byte, and HEAD sends the headers only', async () => {
    const q = `/outliers?model=${MODEL}&count=12&seed=4&classes=Bag,3&format=npy`;
    const get = await app.request(q);
    const viaPost = await post({ model: MODEL, count: 12, seed: 4, classes: ['Bag', 3], format: 'npy' });
    expect(get.headers.get('etag')).toBe(viaPost.headers.get('etag'));
    expect(Buffer.compare(await bytesOf(get), await bytesOf(viaPost))).toBe(0);
    const head = await app.request(q, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(String(128 + 12 * 784));
  });
});

describe('errors are problem documents', () => {
  const cases: [string, RequestInit | string, number, string][] = [
    ['unknown model', postJson({ model: 'nope', count: 1 }), 404, 'unknown-model'],
    ['path as model', postJson({ model: '../etc', count: 1 }), 404, 'unknown-model'],
    ['unknown class', postJson({ model: MODEL, classes: ['Hat'] }), 422, 'unknown-class'],
    ['class index out of range', postJson({ model: MODEL, classes: [10] }), 422, 'unknown-class'],
    [
      'temperature to an image model',
      postJson({ model: MODEL, temperature: 2 }),
      422,
      'parameter-not-applicable',
    ],
    ['sigma2 out of range', postJson({ model: MODEL, sigma2: 1e6 }), 422, 'invalid-request'],
    ['count over limit', postJson({ model: MODEL, count: 1_000_001 }), 422, 'count-over-limit'],
    ['png over 1024', postJson({ model: MODEL, count: 1025, format: 'png' }), 422, 'count-over-limit'],
    [
      'start + count past 2^53',
      postJson({ model: MODEL, count: 2, start: 2 ** 53 - 1 }),
      422,
      'invalid-request',
    ],
    ['wrong type', postJson({ model: MODEL, count: '5' }), 422, 'invalid-request'],
    ['unknown field', postJson({ model: MODEL, colour: 'red' }), 422, 'invalid-request'],
    ['bad JSON', postJson('{"model":'), 400, 'malformed-json'],
    [
      'text body',
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' },
      415,
      'unsupported-media-type',
    ],
    ['no content type', { method: 'POST', body: new Uint8Array([123, 125]) }, 415, 'unsupported-media-type'],
    ['bad Accept', postJson({ model: MODEL }, { accept: 'text/csv' }), 406, 'not-acceptable'],
    ['huge body', postJson({ model: MODEL, pad: 'x'.repeat(20_000) }), 413, 'body-too-large'],
    ['bad query number', '/outliers?model=fashion-mnist-cgan&count=ten', 422, 'invalid-request'],
    ['repeated query field', '/outliers?model=a&model=b', 422, 'invalid-request'],
    ['DELETE', { method: 'DELETE' }, 405, 'method-not-allowed'],
  ];
  for (const [name, init, status, slug] of cases) {
    it(`${name} → ${status} ${slug}`, async () => {
      const res = typeof init === 'string' ? await app.request(init) : await app.request('/outliers', init);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const doc = (await res.json()) as {
        type: string;
        status: number;
        title: string;
        detail: string;
        instance: string;
      };
      expect(doc.type).toBe(`https://goe.dev/problems/${slug}`);
      expect(doc.status).toBe(status);
      expect(doc.detail).toBeTruthy();
      expect(doc.instance).toBe(`urn:goe:request:${res.headers.get('x-request-id')}`);
    });
  }

  it('lists every schema violation with its JSON Pointer', async () => {
    const res = await post({ model: MODEL, count: 0, seed: -1, classes: [true], format: 'gif' });
    const doc = (await res.json()) as { errors: { path: string }[] };
    expect(doc.errors.map((e) => e.path).sort()).toEqual(['/classes/0', '/count', '/format', '/seed']);
  });
});
