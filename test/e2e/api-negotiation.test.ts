import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES } from '../../api/encoders/index.js';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { writeTinyLm } from '../../generators/lm/index.js';
import { initBackend } from '../../runtime/backend/index.js';
import { apiTestZoo, MODEL } from '../helpers/api.js';
import { NEGOTIATION_TABLE } from '../helpers/negotiation-table.js';

/**
 * Content negotiation as an HTTP client meets it: every row of the RFC 9110 §12.5.1 table sent through a
 * real loopback socket to an image model and a text model; 200s carry the chosen Content-Type, 406s a
 * problem document, and both `Vary: Accept` so caches keep the variants apart.
 */

const LM = 'tiny-lm';
let zoo: string;
let server: RunningServer;

beforeAll(async () => {
  zoo = await apiTestZoo();
  await writeTinyLm(join(zoo, LM), { id: LM, seed: 5 });
  server = await startServer({
    zoo,
    port: 0,
    log: () => {},
    backend: async () => (await initBackend()).choice,
  });
});
afterAll(async () => {
  await server?.close();
  await rm(zoo, { recursive: true, force: true });
});

describe('Accept through a socket', () => {
  it.each(NEGOTIATION_TABLE)('%s: Accept %j → image %s, text %s', async (_, accept, image, text) => {
    for (const [model, want] of [
      [MODEL, image],
      [LM, text],
    ] as const) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (accept !== undefined) headers.accept = accept;
      const res = await fetch(`${server.url}/outliers`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, count: 2, seed: 3 }),
      });
      await res.arrayBuffer();
      expect(res.headers.get('vary'), `${model} Vary`).toMatch(/\baccept\b/i);
      if (want === 406) {
        expect(res.status, model).toBe(406);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      } else {
        expect(res.status, model).toBe(200);
        expect(res.headers.get('content-type')?.split(';')[0], model).toBe(CONTENT_TYPES[want]);
      }
    }
  });
});
