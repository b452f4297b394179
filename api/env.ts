import { type Env, type GoeVariable, goeEnv } from '../runtime/config.js';
import { workerCount } from '../runtime/pool/index.js';
import { defaultStoreUrl, openStore, type Store } from '../runtime/store/index.js';
import type { AppOptions } from './app.js';
import type { ApiLimits } from './limits.js';

/**
 * App options from the environment, for the runtime entries: `GOE_API_KEYS` (comma-separated bearer
 * keys), `GOE_MAX_COUNT`, `GOE_RATE_LIMIT` (requests/s per client), `GOE_RATE_BURST`,
 * `GOE_MAX_CONCURRENCY`, `GOE_ADMIN_KEY` (the admin key of `PUT|DELETE /models/{id}`),
 * `GOE_MAX_MODEL_BYTES` (their upload limit), the compute worker threads `GOE_WORKERS` (default one per
 * core; 0 = in-thread), and the cache store `GOE_STORE` (`storeUrl` overrides it; `none` turns the cache
 * off). Bad values are an error naming the variable, at start-up rather than per request.
 */
export function appOptionsFromEnv(
  env: Env = process.env,
  overrides: { storeUrl?: string; defaultStore?: string } = {},
): AppOptions & { store?: Store } {
  const keys = (goeEnv('GOE_API_KEYS', env) ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const limits: Partial<ApiLimits> = {};
  const int = (name: GoeVariable, key: keyof ApiLimits) => {
    const raw = goeEnv(name, env);
    if (!raw) return;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new Error(`${name} must be a whole number >= 1, got "${raw}"`);
    limits[key] = n;
  };
  int('GOE_MAX_COUNT', 'maxCount');
  int('GOE_RATE_BURST', 'burst');
  int('GOE_MAX_CONCURRENCY', 'concurrency');
  int('GOE_MAX_MODEL_BYTES', 'maxModelBytes');
  const rate = goeEnv('GOE_RATE_LIMIT', env);
  if (rate) {
    const n = Number(rate);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`GOE_RATE_LIMIT must be a number > 0, got "${rate}"`);
    limits.ratePerSecond = n;
  }
  const url =
    overrides.storeUrl ??
    (goeEnv('GOE_STORE', env) ? defaultStoreUrl(env) : (overrides.defaultStore ?? defaultStoreUrl(env)));
  const store = url === 'none' ? undefined : openStore(url, { env });
  const adminKey = goeEnv('GOE_ADMIN_KEY', env) || undefined;
  return { keys, adminKey, limits, store, workers: workerCount(env) };
}
