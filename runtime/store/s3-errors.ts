import { StoreError, StoreNotFoundError, StoreUnavailableError } from './errors.js';

/** Socket-level failures: the server is down, unreachable or stopped answering. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Translates an AWS SDK error into the store's errors, so nothing S3-specific reaches
 * callers: NoSuchKey → `StoreNotFoundError`; connection errors, timeouts and 5xx →
 * `StoreUnavailableError`; anything else → `StoreError` with the SDK error as `cause`.
 *
 * A 404 without an S3 error code counts as not-found only for HEAD (`bare404IsNotFound`),
 * which has no body to carry one. Elsewhere it means the endpoint is not an S3 server (a
 * proxy or a wrong URL) and must not pass for a cache miss.
 */
export function fromS3Error(
  error: unknown,
  url: string,
  key?: string,
  { bare404IsNotFound = false }: { bare404IsNotFound?: boolean } = {},
): StoreError {
  if (error instanceof StoreError) return error;
  const { name = '', code, message = '', $metadata } = (error ?? {}) as SdkErrorShape;
  const status = $metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') {
    return new StoreError(`bucket of ${url} does not exist`, { url, cause: error });
  }
  if (key !== undefined && (name === 'NoSuchKey' || (bare404IsNotFound && status === 404))) {
    return new StoreNotFoundError(url, key);
  }
  if (
    name === 'TimeoutError' ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (status !== undefined && status >= 500)
  ) {
    return new StoreUnavailableError(url, error);
  }
  const what = key === undefined ? '' : ` on ${JSON.stringify(key)}`;
  return new StoreError(`S3 request${what} failed in ${url}: ${name}${message ? `: ${message}` : ''}`, {
    url,
    cause: error,
  });
}
