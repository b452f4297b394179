import { log } from '../../runtime/log.js';
import { readApiKeys } from './api-keys.js';
import { syncZoo, type ZooSyncResult } from './zoo-sync.js';

type Env = Record<string, string | undefined>;

/** Where the zoo is copied when `GOE_ZOO_S3` is set and `GOE_ZOO` is not: Lambda's only writable place. */
export const DEFAULT_SYNCED_ZOO = '/tmp/goe-zoo';

/** The side effects of {@link coldStart}, replaceable in tests. */
export interface ColdStartDeps {
  readApiKeys?: (secretId: string) => Promise<string>;
  syncZoo?: (url: string, target: string) => Promise<ZooSyncResult>;
}

/**
 * Prepares the environment the API entries read, before they are imported (`api/entries/lambda.ts`
 * builds its app from `process.env` when it is evaluated):
 * - `GOE_API_KEYS_SECRET` (a Secrets Manager ARN or name) → `GOE_API_KEYS`, unless that is already set;
 * - `GOE_ZOO_S3` (`s3://bucket/zoo`) → the generators copied into `GOE_ZOO` (default `/tmp/goe-zoo`).
 * Both run at once; either failing fails the cold start, so a misconfigured instance never serves.
 */
export async function coldStart(env: Env = process.env, deps: ColdStartDeps = {}): Promise<void> {
  const started = performance.now();
  const secretId = env.GOE_API_KEYS_SECRET?.trim();
  const zooUrl = env.GOE_ZOO_S3?.trim();
  const [keys, zoo] = await Promise.all([
    secretId && !env.GOE_API_KEYS?.trim() ? (deps.readApiKeys ?? readApiKeys)(secretId) : undefined,
    zooUrl ? (deps.syncZoo ?? syncZoo)(zooUrl, env.GOE_ZOO?.trim() || DEFAULT_SYNCED_ZOO) : undefined,
  ]);
  if (keys !== undefined) env.GOE_API_KEYS = keys;
  if (zoo !== undefined) env.GOE_ZOO = env.GOE_ZOO?.trim() || DEFAULT_SYNCED_ZOO;
  log('info', 'cold start', {
    apiKeys: keys !== undefined ? `${keys.split(',').length} from secret` : env.GOE_API_KEYS ? 'env' : 'none',
    zoo: zoo ? { from: zooUrl, to: env.GOE_ZOO, ...zoo } : (env.GOE_ZOO ?? 'bundled'),
    ms: Math.round(performance.now() - started),
  });
}
