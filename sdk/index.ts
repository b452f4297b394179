/**
 * `@goe/sdk`: a typed client of the outlier API (types generated from `openapi.yaml`), `streamOutliers`
 * for training loops, and typed errors. The TF.js adapter is the separate entry `@goe/sdk/tfjs`
 * (`sdk/tfjs.ts`), so this one never loads TensorFlow.js, and it uses only web APIs (`fetch`,
 * `ReadableStream`, `TextDecoder`): it runs in Node ≥ 20 and in browsers.
 */
export type { ImageOutlierBatch, OutlierBatch, OutlierRow, TextOutlierBatch } from './batch.js';
export { createGoeClient, type GoeClient, type GoeResult } from './client.js';
export {
  BodyTooLargeError,
  CountOverLimitError,
  GoeApiError,
  type GoeApiErrorBySlug,
  GoeError,
  GoeNetworkError,
  GoeProtocolError,
  InternalServerError,
  InvalidRequestError,
  isGoeApiError,
  MalformedJsonError,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  ParameterNotApplicableError,
  type ProblemField,
  RateLimitedError,
  UnauthorizedError,
  UnknownClassError,
  UnknownModelError,
  UnsupportedMediaTypeError,
} from './errors.js';
export { type AsyncIterableStream, createAsyncIterableStream } from './iterable-stream.js';
export { type MixOptions, type MixSource, mixOutliers, mixQuotas } from './mix.js';
export {
  FORMAT_MEDIA_TYPES,
  type OpenedOutliers,
  type OpenOutliersOptions,
  type OutliersInfo,
} from './request.js';
export type { RetryEvent, RetryOptions } from './retry.js';
export { type OutlierStream, type StreamOptions, type StreamRequest, streamOutliers } from './stream.js';
export type { GoeClientOptions } from './transport.js';
export type * from './types.js';
