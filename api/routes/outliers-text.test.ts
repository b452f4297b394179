import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLm, sampleTexts, textRow, writeTinyLm } from '../../generators/lm/index.js';
import { decodeNdjson } from '../../runtime/codecs/index.js';
import { apiTestZoo, bytesOf, MODEL, postJson, testApp } from '../../test/helpers/api.js';
import { loadContract } from '../contract.js';
import { compileSchema } from '../validation/index.js';

/** Text models through the API: a tiny random language model beside the tiny image generator. */

const LM = 'tiny-lm';
const LENGTH = 12;

let zoo: string;
let app: ReturnType<typeof testApp>['app'];
const contract = loadContract();

beforeAll(async () => {
  zoo = await apiTestZoo();
  await writeTinyLm(join(zoo, LM), { id: LM, seed: 3, length: LENGTH });
  // A model still being trained: a folder with a checkpoint and no manifest, which must stay invisible.
  await mkdir(join(zoo, 'brown-lm', 'checkpoint'), { recursive: true });
  ({ app } = testApp(zoo, { batchSize: 16 }));
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

interface Row {
  index: number;
  class: number;
  label: string;
  text: string;
  tokens: number[];
}

const post = (body: unknown, headers?: Record<string, string>) =>
  app.request('/outliers', postJson(body, headers));
const lines = (b: Uint8Array) => new TextDecoder().decode(b).split('\n').filter(Boolean);

describe('POST /outliers with a text model', () => {
  it('streams NDJSON text rows with the contract fields and headers', async () => {
    const res = await post({ model: LM, temperature: 2, count: 20, seed: 1 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(res.headers.get('goe-seed')).toBe('1');
    expect(res.headers.get('goe-count')).toBe('20');
    expect(res.headers.get('goe-model-digest')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(res.headers.get('goe-row-shape')).toBeNull();
    expect(res.headers.get('goe-dtype')).toBeNull();
    const rows = decodeNdjson<Row>(await bytesOf(res));
    expect(rows.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const textRow = compileSchema(contract, 'TextRow');
    for (const r of rows) {
      expect(textRow.errors(r)).toEqual([]);
      expect(r.tokens).toHaveLength(LENGTH);
      expect(r.text.split(' ')).toHaveLength(LENGTH);
      expect(r.label).toBe(['news', 'fiction'][r.class]);
    }
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['news', 'fiction']));
  });

  it('sends exactly the rows sampleTexts draws, decoded by textRow', async () => {
    const lm = await loadLm(join(zoo, LM));
    try {
      const expected: Row[] = [];
      for await (const b of sampleTexts(lm.vars, lm.config, {
        temperature: 1.5,
        seed: 4,
        start: 3,
        count: 5,
      })) {
        for (let r = 0; r < b.count; r++) expected.push(textRow(b, r, lm.vocab, lm.manifest.classes));
      }
      const res = await post({ model: LM, temperature: 1.5, count: 5, seed: 4, start: 3 });
      expect(decodeNdjson<Row>(await bytesOf(res))).toEqual(expected);
    } finally {
      lm.dispose();
    }
  });

  it('returns byte-identical bodies for the same request, and rows k… for start = k', async () => {
    const full = await bytesOf(await post({ model: LM, temperature: 2, count: 40, seed: 11 }));
    const again = await bytesOf(await post({ model: LM, temperature: 2, count: 40, seed: 11 }));
    expect(Buffer.compare(full, again)).toBe(0);
    const tail = await bytesOf(await post({ model: LM, temperature: 2, count: 27, seed: 11, start: 13 }));
    expect(lines(tail)).toEqual(lines(full).slice(13));
  });

  it("defaults the temperature to the manifest's, and names the temperature in the ETag", async () => {
    const implicit = await post({ model: LM, count: 6, seed: 2 });
    const explicit = await post({ model: LM, temperature: 2, count: 6, seed: 2 });
    expect(implicit.headers.get('etag')).toBe(explicit.headers.get('etag'));
    expect(Buffer.compare(await bytesOf(implicit), await bytesOf(explicit))).toBe(0);
    const colder = await post({ model: LM, temperature: 0.5, count: 6, seed: 2 });
    expect(colder.headers.get('etag')).not.toBe(explicit.headers.get('etag'));
    await colder.arrayBuffer();
  });

  it('draws only the named classes', async () => {
    const rows = decodeNdjson<Row>(
      await bytesOf(await post({ model: LM, classes: ['fiction'], count: 10, seed: 5 })),
    );
    expect(rows.every((r) => r.class === 1 && r.label === 'fiction')).toBe(true);
  });

  it('answers If-None-Match with 304, and the GET form with the same bytes', async () => {
    const first = await post({ model: LM, count: 4, seed: 9 });
    const etag = first.headers.get('etag')!;
    const body = await bytesOf(first);
    const res = await post({ model: LM, count: 4, seed: 9 }, { 'if-none-match': etag });
    expect(res.status).toBe(304);
    await res.arrayBuffer();
    const get = await app.request(`/outliers?model=${LM}&count=4&seed=9&temperature=2`);
    expect(get.headers.get('etag')).toBe(etag);
    expect(Buffer.compare(await bytesOf(get), body)).toBe(0);
  });

  it('picks NDJSON among the formats the model serves when Accept allows it', async () => {
    const res = await post({ model: LM, count: 2, seed: 1 }, { accept: 'application/x-npy, */*;q=0.1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(lines(await bytesOf(res))).toHaveLength(2);
  });
});

describe('text requests that cannot be served are 4xx problems', () => {
  const cases: [string, RequestInit | string, number, string][] = [
    ['temperature above range', postJson({ model: LM, temperature: 25 }), 422, 'invalid-request'],
    ['temperature below range', postJson({ model: LM, temperature: 0.01 }), 422, 'invalid-request'],
    ['temperature 0', postJson({ model: LM, temperature: 0 }), 422, 'invalid-request'],
    ['sigma2 to a text model', postJson({ model: LM, sigma2: 50 }), 422, 'parameter-not-applicable'],
    ['dtype to a text model', postJson({ model: LM, dtype: 'float32' }), 422, 'parameter-not-applicable'],
    ['format npy', postJson({ model: LM, format: 'npy' }), 406, 'not-acceptable'],
    ['format png (GET)', `/outliers?model=${LM}&format=png`, 406, 'not-acceptable'],
    ['Accept npy only', postJson({ model: LM }, { accept: 'application/x-npy' }), 406, 'not-acceptable'],
    ['Accept image/*', postJson({ model: LM }, { accept: 'image/*' }), 406, 'not-acceptable'],
    ['unknown class', postJson({ model: LM, classes: ['poetry'] }), 422, 'unknown-class'],
    ['a model without a manifest', postJson({ model: 'brown-lm' }), 404, 'unknown-model'],
  ];
  for (const [name, init, status, slug] of cases) {
    it(`${name} → ${status} ${slug}`, async () => {
      const res = typeof init === 'string' ? await app.request(init) : await app.request('/outliers', init);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const doc = (await res.json()) as { type: string; status: number; detail: string };
      expect(doc.type).toBe(`https://goe.dev/problems/${slug}`);
      expect(doc.status).toBe(status);
      expect(doc.detail).toBeTruthy();
    });
  }

  it('names the offending field', async () => {
    const doc = (await (await post({ model: LM, temperature: 25 })).json()) as { errors: { path: string }[] };
    expect(doc.errors.map((e) => e.path)).toEqual(['/temperature']);
    const sigma = (await (await post({ model: LM, sigma2: 1 })).json()) as { errors: { path: string }[] };
    expect(sigma.errors.map((e) => e.path)).toEqual(['/sigma2']);
  });
});

describe('GET /models with a text model', () => {
  it('lists it beside the image model, and not a folder without a manifest', async () => {
    const body = (await (await app.request('/models')).json()) as { models: { id: string }[] };
    const summary = compileSchema(contract, 'ModelSummary');
    for (const m of body.models) expect(summary.errors(m)).toEqual([]);
    expect(body.models.map((m) => m.id)).toEqual([MODEL, LM]);
    expect(body.models[1]).toMatchObject({ id: LM, modality: 'text', classes: ['news', 'fiction'] });
  });

  it('describes it with its temperature, range and length', async () => {
    const res = await app.request(`/models/${LM}`);
    const detail = (await res.json()) as Record<string, unknown>;
    expect(compileSchema(contract, 'ModelDetail').errors(detail)).toEqual([]);
    expect(detail).toMatchObject({
      id: LM,
      modality: 'text',
      classes: ['news', 'fiction'],
      length: LENGTH,
      defaultTemperature: 2,
      temperatureRange: [0.05, 20],
    });
    expect(detail).not.toHaveProperty('shape');
    expect((await app.request('/models/brown-lm')).status).toBe(404);
  });
});
