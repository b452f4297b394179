import { Hono } from 'hono';
import * as tf from '../../runtime/tf.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';

/**
 * `GET /healthz`: up, on which TF.js backend, with which generators loaded (and what computes each: TF.js or
 * ONNX Runtime, `GOE_RUNTIME`), the version, and the number of
 * live TF.js tensors in this thread (a count only; `goe bench soak` checks it stays flat: a leak shows here).
 *
 * With compute workers (`GOE_WORKERS` > 0) the generators' tensors live on the workers and are not in this
 * count: piscina cannot address a task to each worker, so summing their counts is not a cheap probe (and a
 * probe must never queue behind batches). Only in-thread pools (`GOE_WORKERS=0`, the Lambda entry) count the
 * generators' tensors here. The workers' own leak check is test/e2e/api-workers.test.ts.
 */
export function healthRoutes(pool: GeneratorPool, version: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) =>
    c.json({
      status: 'ok',
      backend: await pool.backend(),
      generators: pool.loadedIds(),
      runtime: pool.runtimePreference,
      runtimes: await pool.loadedRuntimes(),
      version,
      tensors: tf.memory().numTensors,
    }),
  );
  return app;
}
