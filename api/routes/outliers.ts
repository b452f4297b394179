import { type Context, Hono } from 'hono';
import type { ResponseCache } from '../cache/index.js';
import { negotiateFormat } from '../encoders/index.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';
import type { Logger } from '../log.js';
import { type PlanLimits, planOutliers, SERVED_FORMATS } from '../outliers/plan.js';
import { respondOutliers } from '../outliers/respond.js';
import {
  type OutlierRequest,
  parseOutlierBody,
  parseOutlierQuery,
  type SchemaValidator,
} from '../validation/index.js';

/** What the outlier routes need. */
export interface OutlierRouteDeps {
  pool: GeneratorPool;
  cache?: ResponseCache;
  validator: SchemaValidator;
  limits: PlanLimits;
  log: Logger;
  authenticated: boolean;
}

/** `POST /outliers` (JSON body) and `GET /outliers` (the same fields as a query string). */
export function outlierRoutes(deps: OutlierRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const serve = async (c: Context<AppEnv>, req: OutlierRequest) => {
    const accept = c.req.header('accept');
    // Negotiate over every format first, so a hopeless Accept is a 406 whatever the model.
    negotiateFormat(req.format, accept);
    const manifest = await deps.pool.manifest(req.model);
    // Then among the model's formats: `*/*, application/x-npy` to a text model is ndjson, not a 406.
    const format = negotiateFormat(req.format, accept, manifest && SERVED_FORMATS[manifest.modality]);
    // The ETag names what computes the rows: the TF.js backend, or ONNX Runtime (a cGAN's twin).
    const backend = manifest ? await deps.pool.backendOf(req.model) : '';
    const plan = planOutliers(req, manifest, format, backend, deps.limits);
    return respondOutliers(c, plan, deps);
  };
  app.post('/outliers', (c) =>
    serve(c, parseOutlierBody(deps.validator, c.req.header('content-type'), c.get('body'))),
  );
  app.get('/outliers', (c) => serve(c, parseOutlierQuery(deps.validator, new URL(c.req.url).searchParams)));
  return app;
}
