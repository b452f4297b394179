import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { zooDir } from '../generators/registry.js';
import type { RuntimePreference } from '../generators/twin.js';
import { log as runtimeLog } from '../runtime/log.js';
import type { Store } from '../runtime/store/index.js';
import { ResponseCache } from './cache/index.js';
import { loadContract } from './contract.js';
import { GeneratorPool } from './generators.js';
import type { AppEnv } from './hono-env.js';
import { type ApiLimits, DEFAULT_LIMITS } from './limits.js';
import type { Logger } from './log.js';
import { accessLog, bearerAuth, bodyLimit, rateLimit, requestId } from './middleware/index.js';
import { PAGE_PATHS, pageRoutes } from './page/index.js';
import { PROBLEMS, ProblemError, type ProblemSlug, problem, problemResponse } from './problems.js';
import { contractRoutes } from './routes/contract.js';
import { healthRoutes } from './routes/health.js';
import { adminGuard, isModelUpload, modelAdminRoutes } from './routes/model-admin.js';
import { modelRoutes } from './routes/models.js';
import { outlierRoutes } from './routes/outliers.js';
import { compileSchema } from './validation/index.js';
import { VERSION } from './version.js';

/** Everything a goe API app is built from; nothing is read from globals or the environment here. */
export interface AppOptions {
  /** Zoo folder; default `zooDir()` (`GOE_ZOO` or the bundled `zoo/`). Ignored when `pool` is given. */
  zoo?: string;
  /** The generators; default a lazy pool over `zoo`. Pass one to share it or to observe it in tests. */
  pool?: GeneratorPool;
  /** Store of the response cache; none → no cache (`Goe-Cache: bypass`). The caller owns and closes it. */
  store?: Store;
  limits?: Partial<ApiLimits>;
  /** Bearer API keys; empty or absent → no auth. */
  keys?: readonly string[];
  /** The admin key of `PUT|DELETE /models/{id}` (`Goe-Admin-Key` header); absent → those routes are closed. */
  adminKey?: string;
  /** Monotonic milliseconds, for rate limits and durations. */
  clock?: () => number;
  /** Wall-clock milliseconds, for the cache's back-off after a store failure. */
  now?: () => number;
  /** Names the TF.js backend (ETags, /healthz); default the compute workers' choice. */
  backend?: () => Promise<string>;
  /** Compute worker threads of the default pool (default `GOE_WORKERS`, else one per core; 0 = in-thread). */
  workers?: number;
  /** TF.js or goe's cGANs through their ONNX twins (default `GOE_RUNTIME`, else `auto`; generators/twin.ts). */
  runtime?: RuntimePreference;
  log?: Logger;
  /** Rows per generator forward pass (default 256). */
  batchSize?: number;
  /** The caller's address for per-client limits when no key names it (set by the runtime entry). */
  clientAddress?: (c: Context<AppEnv>) => string | undefined;
}

// Paths that answer without a key and outside the limits: load balancers and SDK generators need them.
// The preview page and its files are open too: the page asks for the key and sends it with its own requests.
const OPEN_PATHS = ['/healthz', '/openapi.yaml', ...PAGE_PATHS];
// Methods each route answers; any other is a 405 with `Allow`.
const ROUTES: ReadonlyArray<[string, string]> = [
  ['/outliers', 'GET, HEAD, POST'],
  ['/models', 'GET, HEAD'],
  ['/models/:id', 'GET, HEAD, PUT, DELETE'],
  ['/healthz', 'GET, HEAD'],
  ['/openapi.yaml', 'GET, HEAD'],
  ...PAGE_PATHS.map((p): [string, string] => [p, 'GET, HEAD']),
];

/**
 * The goe HTTP API as a Hono app: `POST|GET /outliers`, `GET /models`, `GET /models/{id}`,
 * `GET /healthz`, `GET /openapi.yaml`, and the preview page at `GET /`. Runtime entries (Node, Lambda) wrap it;
 * it imports none of them.
 */
export function buildApp(options: AppOptions = {}): Hono<AppEnv> {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? runtimeLog;
  const clock = options.clock ?? (() => performance.now());
  const keys = options.keys ?? [];
  const contract = loadContract();
  const pool = options.pool ?? generatorPoolFor(options, log);
  const cache = options.store
    ? new ResponseCache({ store: options.store, log, maxBytes: limits.cacheMaxBytes, now: options.now })
    : undefined;

  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(accessLog(log, clock));
  if (keys.length > 0) app.use(bearerAuth({ keys, open: OPEN_PATHS }));
  app.use(
    rateLimit({
      ratePerSecond: limits.ratePerSecond,
      burst: limits.burst,
      concurrency: limits.concurrency,
      now: clock,
      clientOf: options.clientAddress,
      open: OPEN_PATHS,
    }),
  );
  app.use(adminGuard(options.adminKey));
  // Model uploads get their own, larger limit; the admin key is checked before their body is read.
  const requestBody = bodyLimit(limits.maxBodyBytes);
  const uploadBody = bodyLimit(limits.maxModelBytes);
  app.use((c, next) => (isModelUpload(c.req.method, c.req.path) ? uploadBody : requestBody)(c, next));

  app.route(
    '/',
    outlierRoutes({
      pool,
      cache,
      validator: compileSchema(contract, 'OutlierRequest'),
      limits,
      log,
      authenticated: keys.length > 0,
    }),
  );
  app.route('/', modelRoutes(pool));
  app.route('/', modelAdminRoutes(pool));
  app.route('/', healthRoutes(pool, VERSION));
  app.route('/', contractRoutes(contract.text));
  app.route('/', pageRoutes());
  for (const [path, allow] of ROUTES) {
    app.all(path, (c) => {
      throw problem(
        'method-not-allowed',
        `${c.req.method} is not allowed on ${c.req.path} (allowed: ${allow})`,
        {
          headers: { Allow: allow },
        },
      );
    });
  }

  app.notFound((c) =>
    problemResponse(problem('not-found', `no route ${c.req.method} ${clip(c.req.path)}`), c.get('requestId')),
  );
  app.onError((error, c) => {
    const id = c.get('requestId');
    if (error instanceof ProblemError) return problemResponse(error, id);
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(problem(slugOf(error.status), error.message || 'bad request'), id);
    }
    log('error', 'unhandled error', {
      requestId: id,
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return problemResponse(
      problem('internal-error', `an unexpected error occurred; report request id ${id}`),
      id,
    );
  });
  return app;
}

/**
 * The generator pool `buildApp` makes when given none: the zoo's generators on `options.workers` compute
 * workers. Runtime entries that must close its workers make it here and pass it as `pool`.
 */
export function generatorPoolFor(options: AppOptions, log: Logger = runtimeLog): GeneratorPool {
  return new GeneratorPool({
    zoo: options.zoo ?? zooDir(),
    backend: options.backend,
    batchSize: options.batchSize,
    workers: options.workers,
    runtime: options.runtime,
    onError: (error) => log('error', 'compute worker failed', { error: error.message }),
  });
}

function slugOf(status: number): ProblemSlug {
  const found = (Object.keys(PROBLEMS) as ProblemSlug[]).find((s) => PROBLEMS[s].status === status);
  return found ?? 'invalid-request';
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
