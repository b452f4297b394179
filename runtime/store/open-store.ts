import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { goeCacheDir } from '../cache-dir.js';
import { type Env, goeEnv } from '../config.js';
import { StoreUrlError } from './errors.js';
import { FileStore } from './file-store.js';
import { type S3Credentials, S3Store } from './s3-store.js';
import type { Store } from './store.js';

/**
 * The store used when `GOE_STORE` is unset: `store/` in goe's user cache directory (`GOE_CACHE_DIR`, else
 * `~/.cache/goe`), beside the pull cache. Why not `.goe` in the working directory: a server started from a
 * project folder would write its cache into that project.
 */
export function embeddedStoreUrl(env: Env = process.env): string {
  return pathToFileURL(join(goeCacheDir(env), 'store')).href;
}

/** Options of `openStore`; each falls back to the environment. */
export interface OpenStoreOptions {
  /** S3-compatible endpoint; default `GOE_S3_ENDPOINT`. */
  endpoint?: string;
  /** Default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's own resolution. */
  region?: string;
  /** Default `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, then the SDK chain. */
  credentials?: S3Credentials;
  /** Where the variables are read; default `process.env`. */
  env?: Env;
  /** Base of relative `file://` URLs; default `process.cwd()`. */
  cwd?: string;
}

/** `GOE_STORE` if set (and not blank), else {@link embeddedStoreUrl} (the user cache directory). */
export function defaultStoreUrl(env: Env = process.env): string {
  return goeEnv('GOE_STORE', env) ?? embeddedStoreUrl(env);
}

/**
 * Opens the store a URL names (default: `defaultStoreUrl()` of the same environment):
 * - `file:///abs/dir` — a local directory; `file://rel/dir` (e.g. `file://.goe`) is relative
 *   to `cwd`, a deliberate departure from RFC 8089 that keeps such URLs short;
 * - `s3://bucket/prefix` — an S3 bucket prefix, at `endpoint` when one is given.
 *
 * @throws {StoreUrlError} for another scheme, a missing path or bucket, or an invalid bucket name.
 */
export function openStore(url?: string, options: OpenStoreOptions = {}): Store {
  const env = options.env ?? process.env;
  url ??= defaultStoreUrl(env);
  if (url.startsWith('file://')) {
    return new FileStore(filePath(url, options.cwd ?? process.cwd()));
  }
  if (url.startsWith('s3://')) {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1);
    if (bucket === '') throw new StoreUrlError(url, 'no bucket (expected s3://bucket/prefix)');
    if (/[?#]/.test(rest)) throw new StoreUrlError(url, 'query and fragment are not supported');
    return new S3Store({
      bucket,
      prefix,
      endpoint: options.endpoint ?? goeEnv('GOE_S3_ENDPOINT', env),
      region: options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined),
      credentials: options.credentials ?? envCredentials(env),
    });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new StoreUrlError(
    url,
    `${scheme === undefined ? 'no scheme' : `unknown scheme '${scheme}:'`} (expected file:// or s3://)`,
  );
}

function filePath(url: string, cwd: string): string {
  const rest = url.slice('file://'.length);
  if (rest === '') throw new StoreUrlError(url, 'no path (expected file:///abs/dir or file://rel/dir)');
  if (rest.startsWith('/')) {
    try {
      return fileURLToPath(url);
    } catch (error) {
      throw new StoreUrlError(url, error instanceof Error ? error.message : String(error));
    }
  }
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    throw new StoreUrlError(url, 'malformed percent-encoding');
  }
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function envCredentials(env: Env): S3Credentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}
