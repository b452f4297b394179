import { Hono } from 'hono';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';

/** `GET /healthz`: up, on which TF.js backend, with which generators loaded, and the version. */
export function healthRoutes(pool: GeneratorPool, version: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) =>
    c.json({ status: 'ok', backend: await pool.backend(), generators: pool.loadedIds(), version }),
  );
  return app;
}
