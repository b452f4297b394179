import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { apiTestZoo, MODEL, testApp } from '../../test/helpers/api.js';
import { fuzzApi, requestInit } from './api.js';

/** The short fuzz run (`goe bench fuzz` runs the long one): in process for volume, then over a real socket. */

let zoo: string;
let server: RunningServer;
// Rate limits off and counts small: the fuzz is about validation, not throughput.
const limits = { maxCount: 8, ratePerSecond: 1e9, burst: 1e9, concurrency: 1_000 };

beforeAll(async () => {
  zoo = await apiTestZoo();
  server = await startServer({ zoo, port: 0, log: () => undefined, limits });
});
afterAll(async () => {
  await server.close();
  await rm(zoo, { recursive: true, force: true });
});

describe('API fuzz', () => {
  it('1,000 generated requests in process: no 5xx, no stack trace, every error a problem naming the input', async () => {
    const { app } = testApp(zoo, { limits, log: () => undefined });
    const report = await fuzzApi((r) => Promise.resolve(app.request(r.url, requestInit(r))), {
      model: MODEL,
      runs: 1_000,
    });
    expect(Object.keys(report.statuses).every((s) => Number(s) < 500)).toBe(true);
    // The generator reaches both sides: accepted requests and refused ones.
    expect(report.statuses['200']).toBeGreaterThan(0);
    expect(report.statuses['422']).toBeGreaterThan(0);
  }, 120_000);

  it('200 generated requests over a loopback socket', async () => {
    const report = await fuzzApi((r) => fetch(server.url + r.url, requestInit(r)), {
      model: MODEL,
      runs: 200,
    });
    expect(Object.keys(report.statuses).every((s) => Number(s) < 500)).toBe(true);
  }, 120_000);
});
