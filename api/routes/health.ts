import { Hono } from 'hono';
import * as tf from '../../runtime/tf.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';

/**
 * `GET /healthz`: up, on which TF.js backend, with which generators loaded (and what computes each: TF.js or
 * ONNX Runtime, `GOE_RUNTIME`), the version, the number of live TF.js tensors in this thread, and each
 * compute worker's (`workerTensors`; counts only: `goe bench soak` checks they stay flat, a leak shows here).
 *
 * piscina cannot address a task to each worker, and a probe must never queue behind batches, so the
 * workers' counts are not asked for: each batch brings its worker's count back with its rows, and this
 * reports the latest per worker (null for a worker that never started TF.js: an ONNX Runtime session
 * holds no TF.js tensors). In-thread pools (`GOE_WORKERS=0`, the Lambda entry) count in `tensors` too.
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
      workerTensors: pool.workerTensors(),
    }),
  );
  return app;
}
