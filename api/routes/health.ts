import { Hono } from 'hono';
import * as tf from '../../runtime/tf.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';

/**
 * `GET /healthz`: up, on which TF.js backend, with which generators loaded, the version, and the number of
 * live TF.js tensors in this process (a count only; `goe bench soak` checks it stays flat: a leak shows here).
 */
export function healthRoutes(pool: GeneratorPool, version: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) =>
    c.json({
      status: 'ok',
      backend: await pool.backend(),
      generators: pool.loadedIds(),
      version,
      tensors: tf.memory().numTensors,
    }),
  );
  return app;
}
