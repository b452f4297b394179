import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.js';
import type { Logger } from '../log.js';
import { onBodyDone } from './on-body-done.js';

/**
 * One structured log line per request, written when its body has been sent (or cut): method, path,
 * status, duration, bytes and how the body ended. Query strings and headers are not logged, so neither
 * are API keys.
 */
export function accessLog(
  log: Logger,
  now: () => number = performance.now.bind(performance),
): MiddlewareHandler<AppEnv> {
  return async function accessLogMiddleware(c, next) {
    const started = now();
    await next();
    const status = c.res.status;
    c.res = onBodyDone(
      c.res,
      (outcome, bytes) => {
        log(status >= 500 ? 'error' : 'info', 'request', {
          requestId: c.get('requestId'),
          method: c.req.method,
          path: c.req.path,
          status,
          ms: Math.round((now() - started) * 10) / 10,
          ...(bytes === undefined ? {} : { bytes }),
          body: outcome,
          ...(c.get('client') ? { client: c.get('client') } : {}),
        });
      },
      c.req.method === 'HEAD' || !c.get('streaming'),
    );
  };
}
