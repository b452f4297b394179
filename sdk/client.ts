/**
 * `createGoeClient`: the typed client of a goe server. Like openapi-fetch (which it wraps), calls return
 * their errors as data — `{ data, response }` or `{ error, response }` — and throw only on misuse.
 */
import { GoeError, GoeNetworkError, problemError } from './errors.js';
import { networkMessage, type OpenedOutliers, type OpenOutliersOptions, openOutliers } from './request.js';
import { type OutlierStream, type StreamOptions, type StreamRequest, streamOutliersWith } from './stream.js';
import { createTransport, type GoeClientOptions, type GoeTransport } from './transport.js';
import type { Health, ModelDetail, ModelSummary, OutlierRequest } from './types.js';

/**
 * What a call returns: the data, or a typed error ({@link GoeApiError} subclass for an error answer,
 * {@link GoeNetworkError} when the server could not be reached). An abort of your signal rejects instead.
 */
export type GoeResult<T> =
  | { data: T; error?: never; response: Response }
  | { data?: never; error: GoeError; response: Response | undefined };

/** The client {@link createGoeClient} returns. */
export interface GoeClient {
  /** `GET /models`: every generator, sorted by id. */
  listModels(init?: { signal?: AbortSignal }): Promise<GoeResult<ModelSummary[]>>;
  /** `GET /models/{id}`: modality, classes, row shape, σ²/T defaults and ranges, digest. */
  getModel(id: string, init?: { signal?: AbortSignal }): Promise<GoeResult<ModelDetail>>;
  /** `GET /healthz`: the backend and the generators loaded. */
  health(init?: { signal?: AbortSignal }): Promise<GoeResult<Health>>;
  /** Streams outliers as typed batches; see the stand-alone `streamOutliers` for the details. */
  streamOutliers(request: StreamRequest, options?: StreamOptions): OutlierStream;
  /**
   * Opens an `/outliers` response in any format (npy, npz, safetensors, ndjson, png) and hands over the raw body,
   * after retrying 429/503; `goe pull` uses it. The caller reads or cancels `data.body`.
   */
  openOutliers(request: OutlierRequest, options?: OpenOutliersOptions): Promise<GoeResult<OpenedOutliers>>;
  /** The underlying openapi-fetch client, for routes the wrapper does not cover. */
  readonly raw: GoeTransport;
}

/**
 * A client of a goe server.
 *
 * @example
 * ```ts
 * const goe = createGoeClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.GOE_API_KEY });
 * const { data, error } = await goe.getModel('fashion-mnist-cgan');
 * if (error) throw error;
 * console.log(data.classes, data.defaultSigma2);
 * ```
 */
export function createGoeClient(options: GoeClientOptions): GoeClient {
  const raw = createTransport(options);
  return {
    raw,
    listModels: (init) =>
      call(
        () => raw.GET('/models', init),
        (d) => d.models,
        init?.signal,
      ),
    getModel(id, init) {
      if (typeof id !== 'string' || id === '') throw new TypeError('getModel: id must be a non-empty string');
      // openapi-fetch widens the generated tuple `shape` to number[]; the schema type is the contract's.
      return call(
        () => raw.GET('/models/{id}', { params: { path: { id } }, ...init }),
        (d) => d as ModelDetail,
        init?.signal,
      );
    },
    health: (init) =>
      call(
        () => raw.GET('/healthz', init),
        (d) => d,
        init?.signal,
      ),
    streamOutliers: (request, streamOptions) => streamOutliersWith(raw, request, streamOptions),
    async openOutliers(request, openOptions) {
      try {
        const opened = await openOutliers(raw, request, openOptions);
        return { data: opened, response: opened.response };
      } catch (err) {
        if (openOptions?.signal?.aborted || !(err instanceof GoeError)) throw err;
        return {
          error: err,
          response: 'response' in err ? (err.response as Response | undefined) : undefined,
        };
      }
    },
  };
}

async function call<R, T>(
  send: () => Promise<{ data?: R; error?: unknown; response: Response }>,
  pick: (data: R) => T,
  signal: AbortSignal | undefined,
): Promise<GoeResult<T>> {
  let result: { data?: R; error?: unknown; response: Response };
  try {
    result = await send();
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    return {
      error: new GoeNetworkError(networkMessage(err), { cause: err, attempts: 1 }),
      response: undefined,
    };
  }
  const { response } = result;
  if (!response.ok || result.data === undefined) {
    return { error: problemError(result.error, { response }), response };
  }
  return { data: pick(result.data), response };
}
