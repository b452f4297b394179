/**
 * The goe SDK: a typed client of the outlier API (types generated from `openapi.yaml`), `streamOutliers`
 * for training loops, and typed errors. The TF.js adapter lives in `sdk/tfjs.ts`, apart, so this entry
 * never loads TensorFlow.js.
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
