import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.js';
import { problem } from '../problems.js';

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** The accepted API keys (`GOE_API_KEYS`); at least one. */
  keys: readonly string[];
  /** Paths open without a key (health checks, the contract). */
  open?: readonly string[];
}

/**
 * Bearer API keys: a request without `Authorization: Bearer <key>` naming one of `keys` gets a 401
 * `unauthorized` problem with `WWW-Authenticate`. Keys are compared by SHA-256 digest in constant time
 * and are never stored or logged; the caller is known downstream as `key:<first 12 hex of the digest>`.
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<AppEnv> {
  if (options.keys.length === 0) throw new Error('bearerAuth needs at least one key');
  for (const k of options.keys) {
    if (!/^[\x21-\x7e]{8,256}$/.test(k)) {
      throw new Error('API keys must be 8 to 256 printable ASCII characters without spaces');
    }
  }
  const digests = options.keys.map(digest);
  const open = new Set(options.open ?? []);
  return async function bearerAuthMiddleware(c, next) {
    if (open.has(c.req.path)) return next();
    const header = c.req.header('authorization');
    const match = header ? /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header) : null;
    if (!match) {
      throw problem('unauthorized', 'a bearer API key is required (Authorization: Bearer <key>)', {
        headers: { 'WWW-Authenticate': 'Bearer realm="goe"' },
      });
    }
    const given = digest(match[1]);
    // Every key is compared, so the time taken does not say which (or whether an early) key matched.
    let found: Buffer | undefined;
    for (const d of digests) if (timingSafeEqual(d, given)) found = d;
    if (!found) {
      throw problem('unauthorized', 'the bearer API key is not valid', {
        headers: { 'WWW-Authenticate': 'Bearer realm="goe", error="invalid_token"' },
      });
    }
    c.set('client', `key:${found.toString('hex').slice(0, 12)}`);
    return next();
  };
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
