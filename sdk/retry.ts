/**
 * Retry policy for transient failures: 429 and 502/503/504 answers, connections that fail, and streams that
 * break mid-body. Exponential backoff with jitter, never sooner than the server's `Retry-After`.
 */

/** How the SDK retries; pass `retry: false` to fail on the first transient error. */
export interface RetryOptions {
  /** Retries after the first try; for a stream, consecutive failures without a new row (default 5). */
  retries?: number;
  /** Delay before the first retry; doubles each time (default 250 ms). */
  baseDelayMs?: number;
  /** Cap of the exponential delay (default 20 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is raised instead (default 120 s). */
  maxRetryAfterMs?: number;
  /** Called before each wait, e.g. to log "retrying in 2 s after 429". */
  onRetry?: (event: RetryEvent) => void;
  /** Source of jitter in [0, 1) (default `Math.random`); tests pin it. */
  random?: () => number;
}

/** What is retried and after how long. */
export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: 'rate-limited' | 'unavailable' | 'network' | 'broken-stream';
  /** The HTTP status, for `rate-limited` and `unavailable`. */
  status?: number;
  error: unknown;
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

/** HTTP statuses worth retrying: the server or a proxy says "not now", not "no". */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Fills in the defaults (idempotent: a policy passes through unchanged); `false` means no retries.
 * Throws `RangeError` on nonsense values (misuse).
 */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  const o = options === false ? { retries: 0 } : (options ?? {});
  const policy: RetryPolicy = {
    retries: o.retries ?? 5,
    baseDelayMs: o.baseDelayMs ?? 250,
    maxDelayMs: o.maxDelayMs ?? 20_000,
    maxRetryAfterMs: o.maxRetryAfterMs ?? 120_000,
    random: o.random ?? Math.random,
    onRetry: o.onRetry,
  };
  for (const key of ['retries', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const v = policy[key];
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`retry.${key} must be a number ≥ 0, got ${v}`);
  }
  return policy;
}

/**
 * The wait before retry number `attempt` (1-based): "equal jitter" over `base · 2^(attempt−1)` capped at
 * `maxDelayMs` — half fixed, half random, so clients that failed together do not return together — and
 * never less than `retryAfterMs`.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + (policy.random() * exp) / 2;
  return Math.round(Math.max(retryAfterMs ?? 0, jittered));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
