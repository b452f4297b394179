import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGoeClient } from './client.js';
import { GoeNetworkError, UnknownModelError } from './errors.js';
import { BASE, fakeOutliers, problem } from './test-fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const detail = {
  id: 'm',
  modality: 'image',
  classes: ['a', 'b'],
  shape: [2, 3, 1],
  latentDim: 4,
  defaultSigma2: 50,
  sigma2Range: [0, 1000],
  digest: 'sha256:feed',
};

describe('createGoeClient', () => {
  it('returns data for listModels, getModel and health', async () => {
    server.use(
      http.get(`${BASE}/models`, () => HttpResponse.json({ models: [detail] })),
      http.get(`${BASE}/models/:id`, ({ params }) =>
        params.id === 'm' ? HttpResponse.json(detail) : problem('unknown-model', 404),
      ),
      http.get(`${BASE}/healthz`, () =>
        HttpResponse.json({ status: 'ok', backend: 'wasm', generators: ['m'], version: '0.1.0' }),
      ),
    );
    const goe = createGoeClient({ baseUrl: BASE });
    const models = await goe.listModels();
    expect(models.data?.map((m) => m.id)).toEqual(['m']);
    const model = await goe.getModel('m');
    expect(model.data?.shape).toEqual([2, 3, 1]);
    expect(model.response?.status).toBe(200);
    const health = await goe.health();
    expect(health.data).toMatchObject({ status: 'ok', backend: 'wasm' });
  });

  it('returns errors as data: a problem as its typed error, an unreachable server as GoeNetworkError', async () => {
    server.use(http.get(`${BASE}/models/:id`, () => problem('unknown-model', 404)));
    const goe = createGoeClient({ baseUrl: BASE });
    const missing = await goe.getModel('nope');
    expect(missing.data).toBeUndefined();
    expect(missing.error).toBeInstanceOf(UnknownModelError);
    expect(missing.response?.status).toBe(404);

    const down = createGoeClient({
      baseUrl: BASE,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
      },
    });
    const health = await down.health();
    expect(health.error).toBeInstanceOf(GoeNetworkError);
    expect(health.error?.message).toMatch(/ECONNREFUSED/);
  });

  it('throws only on misuse', () => {
    expect(() => createGoeClient({ baseUrl: 'ftp://x' })).toThrow(TypeError);
    const goe = createGoeClient({ baseUrl: BASE });
    expect(() => goe.getModel('')).toThrow(TypeError);
  });

  it('uses the fetch it is given (tests observe requests without patching globals)', async () => {
    const urls: string[] = [];
    const goe = createGoeClient({
      baseUrl: `${BASE}/`,
      apiKey: 'secret',
      fetch: async (request) => {
        urls.push(`${request.method} ${request.url} ${request.headers.get('authorization')}`);
        return Response.json({ status: 'ok', backend: 'cpu', generators: [], version: 'x' });
      },
    });
    await goe.health();
    expect(urls).toEqual([`GET ${BASE}/healthz Bearer secret`]);
  });

  it('openOutliers sends the cacheable GET form with If-None-Match and reports 304', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/outliers`, ({ request }) => {
        seen.push(
          `${new URL(request.url).search} ${request.headers.get('if-none-match')} ${request.headers.get('accept')}`,
        );
        return new HttpResponse(null, { status: 304, headers: { ETag: '"abc"' } });
      }),
    );
    const goe = createGoeClient({ baseUrl: BASE });
    const { data, error } = await goe.openOutliers(
      { model: 'm', classes: ['Sandal', 3], count: 4, seed: 7 },
      { method: 'GET', format: 'npy', ifNoneMatch: '"abc"' },
    );
    expect(error).toBeUndefined();
    expect(data?.info).toMatchObject({ status: 304, etag: '"abc"' });
    expect(data?.body).toBeNull();
    expect(seen).toEqual(['?model=m&count=4&seed=7&format=npy&classes=Sandal,3 "abc" application/x-npy']);
  });

  it('openOutliers hands over the raw body of any format', async () => {
    server.use(fakeOutliers().handler);
    const goe = createGoeClient({ baseUrl: BASE });
    const { data } = await goe.openOutliers({ model: 'm', count: 2, seed: 1 });
    expect(data?.info).toMatchObject({ status: 200, seed: 1, count: 2, rowShape: [2, 3, 1] });
    const text = await new Response(data?.body).text();
    expect(text.trim().split('\n')).toHaveLength(2);
  });
});
