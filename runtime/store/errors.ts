/**
 * Base class of every error a `Store` throws. Callers catch these types only: nothing
 * backend-specific (fs codes, S3 exceptions) is part of the contract; the original error,
 * when there is one, is kept as `cause` for diagnosis.
 */
export class StoreError extends Error {
  override name = 'StoreError';
  /** The store's URL (or the offending URL for `StoreUrlError`); undefined for key errors. */
  readonly url: string | undefined;

  constructor(message: string, options: { url?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.url = options.url;
  }
}

/** The key is not a valid store key (see `assertKey`). */
export class StoreKeyError extends StoreError {
  override name = 'StoreKeyError';

  constructor(
    /** The offending key. */
    readonly key: string,
    /** Which rule it breaks, e.g. `"'..' segment"`. */
    readonly reason: string,
  ) {
    super(`invalid store key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** No object is stored under `key`. */
export class StoreNotFoundError extends StoreError {
  override name = 'StoreNotFoundError';

  constructor(
    url: string,
    /** The key that was looked up. */
    readonly key: string,
  ) {
    super(`no object ${JSON.stringify(key)} in ${url}`, { url });
  }
}

/** The store cannot be reached or did not answer in time (connection refused, timeout, 5xx). */
export class StoreUnavailableError extends StoreError {
  override name = 'StoreUnavailableError';

  constructor(url: string, cause: unknown) {
    const detail = cause instanceof Error ? `: ${cause.message || cause.name}` : '';
    super(`store ${url} is unavailable${detail}`, { url, cause });
  }
}

/** The store URL cannot be opened: unknown scheme, or a missing bucket or path. */
export class StoreUrlError extends StoreError {
  override name = 'StoreUrlError';

  constructor(
    /** The offending URL. */
    url: string,
    reason: string,
  ) {
    super(`cannot open store ${JSON.stringify(url)}: ${reason}`, { url });
  }
}
