import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, MODEL, testApp } from '../../test/helpers/api.js';

let zoo: string;
beforeAll(async () => {
  zoo = await apiTestZoo();
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

const KEY = 'sk-test-0123456789';

describe('bearer API keys', () => {
  it('answers 401 with WWW-Authenticate without a key or with a wrong one, and never logs the key', async () => {
    const { app, logs } = testApp(zoo, { keys: [KEY, 'another-key-abcdef'] });
    const none = await app.request('/models');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="goe"');
    expect(((await none.json()) as { type: string }).type).toBe('https://goe.dev/problems/unauthorized');
    const wrong = await app.request('/models', { headers: { authorization: 'Bearer not-the-key-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token');
    const ok = await app.request(`/outliers?model=${MODEL}&count=2&seed=1`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toMatch(/^private/);
    await ok.arrayBuffer();
    const text = JSON.stringify(logs);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('not-the-key-at-all');
    expect(logs.find((l) => l.fields.status === 200)?.fields.client).toMatch(/^key:[0-9a-f]{12}$/);
  });

  it('leaves /healthz and /openapi.yaml open', async () => {
    const { app } = testApp(zoo, { keys: [KEY] });
    expect((await app.request('/healthz')).status).toBe(200);
    const spec = await app.request('/openapi.yaml');
    expect(spec.status).toBe(200);
    expect(await spec.text()).toMatch(/^openapi: 3\.1/);
  });

  it('refuses keys that are too short to be keys at construction', () => {
    expect(() => testApp(zoo, { keys: ['short'] })).toThrow(/API keys/);
  });
});
