/**
 * RFC 9457 problem documents: the one way the service reports an error. Every error path throws a
 * {@link ProblemError} (or lets an unknown error reach `onError`, which turns it into `internal-error`).
 */
import type { components } from '../sdk/schema.js';

/** Base of every problem `type` URI. */
export const PROBLEM_BASE = 'https://goe.dev/problems/';

/** The slugs openapi.yaml's `ProblemType` enum lists (generated into sdk/schema.d.ts). */
type ContractSlug = components['schemas']['ProblemType'] extends `${typeof PROBLEM_BASE}${infer S}`
  ? S
  : never;

/**
 * The stable problem slugs of the contract (openapi.yaml `ProblemType`), with their status and title.
 * `satisfies` ties the keys to the contract: a slug added to or missing from the enum is a compile error.
 */
export const PROBLEMS = {
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  'invalid-request': { status: 422, title: 'Invalid request' },
  'unknown-model': { status: 404, title: 'Unknown model' },
  'parameter-not-applicable': { status: 422, title: 'Parameter not applicable' },
  'unknown-class': { status: 422, title: 'Unknown class' },
  'count-over-limit': { status: 422, title: 'Count over limit' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  'body-too-large': { status: 413, title: 'Body too large' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'rate-limited': { status: 429, title: 'Rate limited' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'internal-error': { status: 500, title: 'Internal error' },
} as const satisfies Record<ContractSlug, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEMS;

/** The media type of problem documents. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Where a request went wrong: a JSON Pointer into the request and what is wrong there. */
export interface FieldError {
  path: string;
  message: string;
}

/** The body of a problem response. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** An error that becomes a problem response: thrown by validation, routes and middleware. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly status: number;

  constructor(
    readonly slug: ProblemSlug,
    detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = PROBLEMS[slug].status;
  }
}

/** Shorthand for `new ProblemError(...)`, for `throw problem('unknown-model', …)`. */
export function problem(
  slug: ProblemSlug,
  detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): ProblemError {
  return new ProblemError(slug, detail, extra);
}

/** The problem document for `slug`; `requestId` becomes `instance` (`urn:goe:request:<id>`). */
export function problemDocument(
  slug: ProblemSlug,
  detail: string,
  requestId?: string,
  errors?: FieldError[],
): ProblemDocument {
  const { status, title } = PROBLEMS[slug];
  return {
    type: `${PROBLEM_BASE}${slug}`,
    title,
    status,
    detail,
    ...(requestId ? { instance: `urn:goe:request:${requestId}` } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** A problem as a `Response` (`application/problem+json`), with any extra headers it carries. */
export function problemResponse(error: ProblemError, requestId?: string): Response {
  const doc = problemDocument(error.slug, error.message, requestId, error.extra.errors);
  return new Response(JSON.stringify(doc), {
    status: doc.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...error.extra.headers },
  });
}
