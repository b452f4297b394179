import { PNG_MAX_COUNT } from '../runtime/encoders/index.js';

/** The service's bounds; every one can be set per app (`buildApp`) and most from the environment (`api/env.ts`). */
export interface ApiLimits {
  /** Largest `count` (GOE_MAX_COUNT). */
  maxCount: number;
  /** Largest `count` of a PNG preview grid. */
  pngMaxCount: number;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** Sustained requests per second per client (GOE_RATE_LIMIT). */
  ratePerSecond: number;
  /** Burst of requests per client (GOE_RATE_BURST). */
  burst: number;
  /** Open requests per client, streams included (GOE_MAX_CONCURRENCY). */
  concurrency: number;
  /** Largest body the response cache stores. */
  cacheMaxBytes: number;
  /** Largest model upload of `PUT /models/{id}` in bytes (GOE_MAX_MODEL_BYTES). */
  maxModelBytes: number;
}

/** The contract's defaults (CONTRACT.md): 1,000,000 rows, 1,024 for PNG, 16 KiB bodies. */
export const DEFAULT_LIMITS: Readonly<ApiLimits> = {
  maxCount: 1_000_000,
  pngMaxCount: PNG_MAX_COUNT,
  maxBodyBytes: 16 * 1024,
  ratePerSecond: 50,
  burst: 100,
  concurrency: 16,
  cacheMaxBytes: 256 * 1024 * 1024,
  maxModelBytes: 256 * 1024 * 1024,
};
