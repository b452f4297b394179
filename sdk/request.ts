/**
 * One `/outliers` request with retries: opens the response and hands over the raw body for incremental
 * decoding (openapi-fetch `parseAs: 'stream'`). 429/502/503/504 and failed connections are retried with
 * backoff; other error answers become typed errors at once.
 */
import { GoeApiError, GoeNetworkError, problemError } from './errors.js';
import { backoffDelay, type RetryOptions, retryPolicy, sleep, TRANSIENT_STATUSES } from './retry.js';
import type { GoeTransport } from './transport.js';
import type { ImageDtype, OutlierFormat, OutlierQuery, OutlierRequest } from './types.js';

/** The media type that asks for each format (also sent as `format`, which wins on the server). */
export const FORMAT_MEDIA_TYPES: Readonly<Record<OutlierFormat, string>> = {
  npy: 'application/x-npy',
  npz: 'application/x-npz',
  safetensors: 'application/vnd.goe.safetensors',
  ndjson: 'application/x-ndjson',
  png: 'image/png',
};

/** What the response headers say about the rows (see the `Outliers` response of the contract). */
export interface OutliersInfo {
  /** 200 with a body, or 304 when `If-None-Match` named this content. */
  status: 200 | 304;
  /** The strong validator as sent, quotes included: `"<sha256 hex>"`. */
  etag: string | undefined;
  /** The seed used (the server's pick when the request had none). */
  seed: number | undefined;
  start: number | undefined;
  count: number | undefined;
  /** `sha256:<hex>` of the generator's weights. */
  modelDigest: string | undefined;
  /** H, W, C of one image row; undefined for text. */
  rowShape: number[] | undefined;
  dtype: ImageDtype | undefined;
  backend: string | undefined;
  cache: 'hit' | 'miss' | 'bypass' | undefined;
  requestId: string | undefined;
  contentType: string | undefined;
}

/** An opened `/outliers` response: its metadata and the unread body (null for 304). */
export interface OpenedOutliers {
  info: OutliersInfo;
  body: ReadableStream<Uint8Array> | null;
  response: Response;
}

/** How to send an `/outliers` request. */
export interface OpenOutliersOptions {
  /** The body format to ask for (default ndjson). */
  format?: OutlierFormat;
  /** `POST` (default) or the cacheable `GET` form with the fields as query parameters. */
  method?: 'POST' | 'GET';
  /** An ETag from an earlier response; the answer is then 304 without a body when it still names the content. */
  ifNoneMatch?: string;
  signal?: AbortSignal;
  retry?: RetryOptions | false;
}

/**
 * Sends the request, retrying transient failures; resolves once the headers of a 200 or 304 arrived.
 * Rejects with a {@link GoeApiError} subclass for an error answer, {@link GoeNetworkError} when the
 * connection kept failing, or the signal's reason when aborted.
 */
export async function openOutliers(
  transport: GoeTransport,
  request: OutlierRequest,
  options: OpenOutliersOptions = {},
): Promise<OpenedOutliers> {
  const format = options.format ?? request.format ?? 'ndjson';
  const body: OutlierRequest = { ...request, format };
  const policy = retryPolicy(options.retry);
  const { signal } = options;
  const header = options.ifNoneMatch === undefined ? {} : { 'If-None-Match': options.ifNoneMatch };
  const headers = { Accept: FORMAT_MEDIA_TYPES[format] };
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    let failure: { error: unknown; reason: 'rate-limited' | 'unavailable' | 'network'; status?: number };
    try {
      const result =
        options.method === 'GET'
          ? await transport.GET('/outliers', {
              params: { query: toQuery(body), header },
              headers,
              parseAs: 'stream',
              signal,
            })
          : await transport.POST('/outliers', {
              params: { header },
              body,
              headers,
              parseAs: 'stream',
              signal,
            });
      const { response } = result;
      if (response.status === 200 || response.status === 304) {
        return {
          info: readInfo(response),
          body: response.status === 200 ? (response.body ?? emptyBody()) : null,
          response,
        };
      }
      const error = problemError(result.error, { response, request: body });
      if (!TRANSIENT_STATUSES.has(response.status)) throw error;
      failure = {
        error,
        reason: response.status === 429 ? 'rate-limited' : 'unavailable',
        status: response.status,
      };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof GoeApiError) throw err;
      failure = { error: err, reason: 'network' };
    }
    const retryAfterMs = failure.error instanceof GoeApiError ? failure.error.retryAfterMs : undefined;
    if (attempt >= policy.retries || (retryAfterMs ?? 0) > policy.maxRetryAfterMs) {
      if (failure.error instanceof GoeApiError) throw failure.error;
      throw new GoeNetworkError(`${networkMessage(failure.error)} (${attempt + 1} attempts)`, {
        cause: failure.error,
        attempts: attempt + 1,
      });
    }
    const delayMs = backoffDelay(policy, attempt + 1, retryAfterMs);
    policy.onRetry?.({ attempt: attempt + 1, delayMs, ...failure });
    await sleep(delayMs, signal);
  }
}

/** The request as GET query parameters (`classes` as strings, serialised comma-separated by the transport). */
export function toQuery(request: OutlierRequest): OutlierQuery {
  const { classes, ...rest } = request;
  return classes === undefined ? rest : { ...rest, classes: classes.map(String) };
}

/** Reads the `Goe-*` headers of an `/outliers` answer. */
export function readInfo(response: Response): OutliersInfo {
  const h = response.headers;
  const int = (name: string) => {
    const v = h.get(name);
    return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
  };
  const shape = h.get('goe-row-shape');
  const dtype = h.get('goe-dtype');
  const cache = h.get('goe-cache');
  return {
    status: response.status === 304 ? 304 : 200,
    etag: h.get('etag') ?? undefined,
    seed: int('goe-seed'),
    start: int('goe-start'),
    count: int('goe-count'),
    modelDigest: h.get('goe-model-digest') ?? undefined,
    rowShape: shape ? shape.split(',').map(Number) : undefined,
    dtype: dtype === 'uint8' || dtype === 'float32' ? dtype : undefined,
    backend: h.get('goe-backend') ?? undefined,
    cache: cache === 'hit' || cache === 'miss' || cache === 'bypass' ? cache : undefined,
    requestId: h.get('x-request-id') ?? undefined,
    contentType: h.get('content-type') ?? undefined,
  };
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (c) => c.close() });
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:9` rather than undici's bare `fetch failed`. */
export function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
