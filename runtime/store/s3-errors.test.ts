import { describe, expect, it } from 'vitest';
import { StoreError, StoreNotFoundError, StoreUnavailableError } from './errors.js';
import { fromS3Error } from './s3-errors.js';

const url = 's3://b/p';
const sdkError = (name: string, status?: number, code?: string) =>
  Object.assign(new Error(`${name} happened`), { name, code, $metadata: { httpStatusCode: status } });

describe('fromS3Error', () => {
  it('maps NoSuchKey to StoreNotFoundError with the key', () => {
    const error = fromS3Error(sdkError('NoSuchKey', 404), url, 'k');
    expect(error).toBeInstanceOf(StoreNotFoundError);
    expect(error).toMatchObject({ key: 'k', url });
  });

  it('maps a bare 404 to StoreNotFoundError only when asked (HEAD has no error body)', () => {
    const bare = sdkError('NotFound', 404);
    expect(fromS3Error(bare, url, 'k', { bare404IsNotFound: true })).toBeInstanceOf(StoreNotFoundError);
    // Why: a non-S3 endpoint (proxy, wrong URL) answering 404 to a GET is not a cache miss.
    const error = fromS3Error(bare, url, 'k');
    expect(error).not.toBeInstanceOf(StoreNotFoundError);
    expect(error).toBeInstanceOf(StoreError);
  });

  it.each([
    ['connection refused', sdkError('Error', undefined, 'ECONNREFUSED')],
    ['a timeout', sdkError('TimeoutError')],
    ['a 503', sdkError('SlowDown', 503)],
    ['a 500', sdkError('InternalError', 500)],
  ])('maps %s to StoreUnavailableError keeping the cause', (_, cause) => {
    const error = fromS3Error(cause, url, 'k');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.cause).toBe(cause);
  });

  it('maps anything else to a plain StoreError naming the S3 error', () => {
    const cause = sdkError('AccessDenied', 403);
    const error = fromS3Error(cause, url, 'k');
    expect(error.constructor).toBe(StoreError);
    expect(error.message).toBe('S3 request on "k" failed in s3://b/p: AccessDenied: AccessDenied happened');
    expect(error.cause).toBe(cause);
  });

  it('passes store errors through unchanged', () => {
    const original = new StoreNotFoundError(url, 'k');
    expect(fromS3Error(original, url, 'k')).toBe(original);
  });
});
