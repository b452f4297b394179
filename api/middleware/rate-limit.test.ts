import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, MODEL, testApp } from '../../test/helpers/api.js';

let zoo: string;
beforeAll(async () => {
  zoo = await apiTestZoo();
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

describe('per-client limits', () => {
  it('answers 429 with Retry-After when the token bucket is empty, and refills with time', async () => {
    let t = 0;
    const { app } = testApp(zoo, { clock: () => t, limits: { ratePerSecond: 0.5, burst: 2 } });
    expect((await app.request('/models')).status).toBe(200);
    expect((await app.request('/models')).status).toBe(200);
    const limited = await app.request('/models');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(((await limited.json()) as { type: string }).type).toBe('https://goe.dev/problems/rate-limited');
    // /healthz is outside the limits (load balancers poll it).
    expect((await app.request('/healthz')).status).toBe(200);
    t += 2000;
    expect((await app.request('/models')).status).toBe(200);
  });

  it('counts a streaming response as open until its body ends', async () => {
    const { app } = testApp(zoo, { limits: { concurrency: 1 } });
    const streaming = await app.request(`/outliers?model=${MODEL}&count=500&seed=1`);
    expect(streaming.status).toBe(200);
    const second = await app.request('/models');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    await streaming.arrayBuffer();
    expect((await app.request('/models')).status).toBe(200);
    // A client that cancels frees its slot too.
    const cancelled = await app.request(`/outliers?model=${MODEL}&count=500&seed=1`);
    await cancelled.body!.cancel();
    // The cancel reaches the limiter's wrapper through the stream chain a few ticks later.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await app.request('/models')).status).toBe(200);
  });

  it('keeps separate buckets per key', async () => {
    const keys = ['key-one-123456', 'key-two-123456'];
    const { app } = testApp(zoo, { keys, limits: { ratePerSecond: 0.001, burst: 1 } });
    const as = (k: string) => app.request('/models', { headers: { authorization: `Bearer ${k}` } });
    expect((await as(keys[0])).status).toBe(200);
    expect((await as(keys[0])).status).toBe(429);
    expect((await as(keys[1])).status).toBe(200);
  });
});
