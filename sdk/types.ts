/**
 * Names for the contract's types. Every one is derived from the generated `paths`/`components` of
 * `openapi.yaml` (`npm run gen:sdk`), never retyped by hand, so a contract change breaks the build here.
 */
import type { components, paths } from './schema.js';

type Schemas = components['schemas'];

/** The body of `POST /outliers`: model, classes, σ² or T, count, seed, start, format, dtype. */
export type OutlierRequest = NonNullable<
  paths['/outliers']['post']['requestBody']
>['content']['application/json'];
/** The query of `GET /outliers` (the cacheable form; `classes` is sent comma-separated). */
export type OutlierQuery = paths['/outliers']['get']['parameters']['query'];
/** `npy` | `safetensors` | `ndjson` | `png`. */
export type OutlierFormat = Schemas['Format'];
/** `uint8` | `float32`. */
export type ImageDtype = Schemas['ImageDtype'];
/** One NDJSON line of an image model's response. */
export type ImageRow = Schemas['ImageRow'];
/** One NDJSON line of a text model's response. */
export type TextRow = Schemas['TextRow'];
/** An RFC 9457 problem document as the server sends it. */
export type Problem = Schemas['Problem'];
/** The stable problem type URIs. */
export type ProblemType = Schemas['ProblemType'];
/** `GET /models` → one entry. */
export type ModelSummary = Schemas['ModelSummary'];
/** `GET /models/{id}`. */
export type ModelDetail = Schemas['ModelDetail'];
/** `GET /healthz`. */
export type Health = Schemas['Health'];
/** The slug of a problem type URI: `unknown-model`, `rate-limited`, … */
export type ProblemSlug = ProblemType extends `https://goe.dev/problems/${infer S}` ? S : never;
