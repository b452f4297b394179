import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, MODEL, testApp } from '../test/helpers/api.js';
import { loadContract } from './contract.js';
import { GeneratorPool } from './generators.js';
import { compileSchema } from './validation/index.js';

let zoo: string;
let app: ReturnType<typeof testApp>['app'];
let pool: GeneratorPool;
const contract = loadContract();
const check = (schema: string, value: unknown) =>
  expect(compileSchema(contract, schema).errors(value)).toEqual([]);

beforeAll(async () => {
  zoo = await apiTestZoo();
  ({ app, pool } = testApp(zoo));
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

describe('GET /models', () => {
  it('lists the zoo as ModelSummary objects', async () => {
    const body = (await (await app.request('/models')).json()) as { models: unknown[] };
    expect(body.models).toHaveLength(1);
    for (const m of body.models) check('ModelSummary', m);
    expect(body.models[0]).toMatchObject({ id: MODEL, modality: 'image' });
  });

  it('describes one generator as a ModelDetail, and an unknown one is unknown-model', async () => {
    const res = await app.request(`/models/${MODEL}`);
    const detail = await res.json();
    check('ModelDetail', detail);
    expect(detail).toMatchObject({ shape: [28, 28, 1], defaultSigma2: 50, sigma2Range: [0, 1000] });
    const missing = await app.request('/models/cifar-biggan');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { type: string }).type).toBe('https://goe.dev/problems/unknown-model');
  });
});

describe('GET /healthz', () => {
  it('reports the backend and the generators loaded so far', async () => {
    const before = await (await app.request('/healthz')).json();
    check('Health', before);
    expect(before).toMatchObject({ status: 'ok', backend: 'wasm', generators: [] });
    await (await app.request(`/outliers?model=${MODEL}&count=1&seed=0`)).arrayBuffer();
    expect(((await (await app.request('/healthz')).json()) as { generators: string[] }).generators).toEqual([
      MODEL,
    ]);
  });
});

describe('service routes and errors', () => {
  it('serves the contract at /openapi.yaml', async () => {
    const res = await app.request('/openapi.yaml');
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await res.text()).toBe(contract.text);
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    expect(
      (await app.request('/healthz', { headers: { 'x-request-id': 'ci-run-42' } })).headers.get(
        'x-request-id',
      ),
    ).toBe('ci-run-42');
    const replaced = (
      await app.request('/healthz', { headers: { 'x-request-id': 'bad id\u00e9' } })
    ).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with not-found and wrong methods with method-not-allowed + Allow', async () => {
    const nf = await app.request('/nope');
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { type: string }).type).toBe('https://goe.dev/problems/not-found');
    const wrong = await app.request('/models', { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it('turns an unexpected fault into a logged internal-error problem without a stack trace', async () => {
    const broken = new GeneratorPool({ zoo, backend: async () => 'wasm' });
    broken.list = async () => {
      throw new Error('manifest exploded at /secret/path');
    };
    const { app: faulty, logs } = testApp(zoo, { pool: broken });
    const res = await faulty.request('/models');
    expect(res.status).toBe(500);
    const doc = (await res.json()) as { type: string; detail: string };
    expect(doc.type).toBe('https://goe.dev/problems/internal-error');
    expect(doc.detail).not.toMatch(/secret|exploded/);
    expect(doc.detail).toContain(res.headers.get('x-request-id')!);
    expect(logs.some((l) => l.level === 'error' && String(l.fields.error).includes('exploded'))).toBe(true);
  });

  it('logs one line per request with status and duration', async () => {
    const { app: logged, logs } = testApp(zoo);
    await (await logged.request(`/outliers?model=${MODEL}&count=3&seed=1`)).arrayBuffer();
    const line = logs.find((l) => l.msg === 'request');
    expect(line?.fields).toMatchObject({ method: 'GET', path: '/outliers', status: 200, body: 'complete' });
    expect(line?.fields.ms).toBeTypeOf('number');
    expect(line?.fields.bytes).toBeGreaterThan(0);
  });
});

it('keeps generators in the pool between requests', () => {
  expect(pool.loadedIds()).toEqual([MODEL]);
});
