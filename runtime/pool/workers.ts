import { availableParallelism } from 'node:os';
import { type Env, goeEnv } from '../config.js';

/**
 * Compute workers to start: `GOE_WORKERS` when set (0 = run every task on the calling thread), else one
 * per core (`os.availableParallelism()`). A value that is not a whole number ≥ 0 is an error naming it.
 * @throws {Error} on a malformed `GOE_WORKERS`
 */
export function workerCount(env: Env = process.env): number {
  const raw = goeEnv('GOE_WORKERS', env);
  if (!raw) return availableParallelism();
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n > 256) {
    throw new Error(`GOE_WORKERS must be a whole number from 0 to 256 (0 = no worker threads), got "${raw}"`);
  }
  return n;
}
