import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.js';
import { problem } from '../problems.js';
import { onBodyDone } from './on-body-done.js';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Sustained requests per second per client (token refill rate). */
  ratePerSecond: number;
  /** Requests a client may make at once after being idle (bucket size). */
  burst: number;
  /** Requests (including bodies still streaming) a client may have open at once. */
  concurrency: number;
  /** Milliseconds on a monotonic clock; injectable for tests. */
  now?: () => number;
  /** The caller when auth did not name one (e.g. the socket's address); default one shared bucket. */
  clientOf?: (c: Context<AppEnv>) => string | undefined;
  /** A slot whose body never reported its end is reclaimed after this long (an adapter that drops bodies). */
  leaseMs?: number;
  /** Paths exempt from limits. */
  open?: readonly string[];
}

// Past this many clients, idle buckets that have refilled are forgotten (they would start full anyway).
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
  /** Start times of open requests. */
  open: Map<number, number>;
}

/**
 * Per-client token bucket and concurrency limit. Over either → 429 `rate-limited` with `Retry-After`
 * (whole seconds). A slot is held until the response body has been sent or cut, so a long stream counts
 * for its whole length.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { ratePerSecond, burst, concurrency } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1) || !(concurrency >= 1)) {
    throw new Error('rateLimit needs ratePerSecond > 0, burst >= 1 and concurrency >= 1');
  }
  const now = options.now ?? (() => performance.now());
  const leaseMs = options.leaseMs ?? 15 * 60_000;
  const open = new Set(options.open ?? []);
  const buckets = new Map<string, Bucket>();
  let nextSlot = 0;

  const refill = (b: Bucket, t: number) => {
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * ratePerSecond);
    b.at = t;
    for (const [slot, since] of b.open) if (t - since > leaseMs) b.open.delete(slot);
  };

  return async function rateLimitMiddleware(c, next) {
    if (open.has(c.req.path)) return next();
    const client = c.get('client') ?? options.clientOf?.(c) ?? 'anonymous';
    if (!c.get('client')) c.set('client', client);
    const t = now();
    let b = buckets.get(client);
    if (!b) {
      b = { tokens: burst, at: t, open: new Map() };
      buckets.set(client, b);
    }
    refill(b, t);
    if (b.open.size >= concurrency) {
      throw problem(
        'rate-limited',
        `${concurrency} requests are already open for this client; retry after 1 s`,
        {
          headers: { 'Retry-After': '1' },
        },
      );
    }
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
      throw problem('rate-limited', `too many requests for this client; retry after ${wait} s`, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    b.tokens -= 1;
    const slot = nextSlot++;
    b.open.set(slot, t);
    const bucket = b;
    const release = () => {
      bucket.open.delete(slot);
    };
    if (buckets.size > MAX_BUCKETS) sweep(buckets, t, refill, burst);
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    c.res = onBodyDone(c.res, release, c.req.method === 'HEAD' || !c.get('streaming'));
  };
}

function sweep(
  buckets: Map<string, Bucket>,
  t: number,
  refill: (b: Bucket, t: number) => void,
  burst: number,
) {
  for (const [client, b] of buckets) {
    refill(b, t);
    if (b.open.size === 0 && b.tokens >= burst) buckets.delete(client);
  }
}
