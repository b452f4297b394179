/**
 * Typed errors. Every problem document of the contract (RFC 9457, `type` = `https://goe.dev/problems/<slug>`)
 * becomes a {@link GoeApiError} subclass with a `slug` discriminant, carrying the offending parameter and
 * the value the SDK sent for it when the problem names one (`errors[].path`, a JSON Pointer).
 */
import type { OutlierRequest, Problem, ProblemSlug } from './types.js';

const PROBLEM_PREFIX = 'https://goe.dev/problems/';

/** Base class of every error the SDK raises or returns. */
export class GoeError extends Error {
  override name = 'GoeError';
}

/** Where a problem document says the request went wrong. */
export interface ProblemField {
  /** JSON Pointer into the request, e.g. `/classes/1`. */
  path: string;
  message: string;
}

/** Context the SDK adds to a problem: the response it came in and the request that caused it. */
export interface ApiErrorContext {
  response?: Response;
  /** The request as sent, used to report the value at the offending pointer. */
  request?: Partial<OutlierRequest>;
}

/**
 * An HTTP error answer. `slug` discriminates (`'unknown'` for an answer that is not a goe problem, e.g. a
 * proxy's HTML 502); `param`/`value` name the offending request field and the value sent for it.
 */
export class GoeApiError extends GoeError {
  override name = 'GoeApiError';
  readonly slug: ProblemSlug | 'unknown' = 'unknown';
  /** The problem type URI (`about:blank` when the server sent no problem document). */
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly instance: string | undefined;
  readonly errors: readonly ProblemField[];
  /** The top-level request field the problem names (`classes` for the pointer `/classes/1`). */
  readonly param: string | undefined;
  /** The JSON Pointer of the first error (`/classes/1`). */
  readonly pointer: string | undefined;
  /** The value the SDK sent at {@link pointer}, when it knows the request. */
  readonly value: unknown;
  /** `X-Request-Id` of the answer: quote it when reporting a server fault. */
  readonly requestId: string | undefined;
  /** `Retry-After` in milliseconds, when the answer had one. */
  readonly retryAfterMs: number | undefined;
  readonly response: Response | undefined;

  constructor(problem: Problem | UnknownProblem, context: ApiErrorContext = {}) {
    super(`${problem.title} (${problem.status}): ${problem.detail}`);
    this.type = problem.type;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.pointer = this.errors[0]?.path;
    this.param = this.pointer?.split('/')[1]?.replaceAll('~1', '/').replaceAll('~0', '~') || undefined;
    this.value =
      this.pointer !== undefined && context.request
        ? resolvePointer(context.request, this.pointer)
        : undefined;
    this.response = context.response;
    this.requestId = context.response?.headers.get('x-request-id') ?? undefined;
    this.retryAfterMs = parseRetryAfter(context.response?.headers.get('retry-after') ?? null);
  }
}

/** A problem-shaped description of an answer that was not a goe problem document. */
interface UnknownProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemField[];
}

/** 400: the body is not JSON. */
export class MalformedJsonError extends GoeApiError {
  override name = 'MalformedJsonError';
  override readonly slug = 'malformed-json';
}
/** 422: the request breaks the schema; `errors` lists each violation. */
export class InvalidRequestError extends GoeApiError {
  override name = 'InvalidRequestError';
  override readonly slug = 'invalid-request';
}
/** 404: no generator with that id. */
export class UnknownModelError extends GoeApiError {
  override name = 'UnknownModelError';
  override readonly slug = 'unknown-model';
}
/** 422: `sigma2` sent to a text model or `temperature` to an image model. */
export class ParameterNotApplicableError extends GoeApiError {
  override name = 'ParameterNotApplicableError';
  override readonly slug = 'parameter-not-applicable';
}
/** 422: a class the generator does not have. */
export class UnknownClassError extends GoeApiError {
  override name = 'UnknownClassError';
  override readonly slug = 'unknown-class';
}
/** 422: `count` over the server's limit (or over 1024 for png). */
export class CountOverLimitError extends GoeApiError {
  override name = 'CountOverLimitError';
  override readonly slug = 'count-over-limit';
}
/** 415: the POST body was not `application/json`. */
export class UnsupportedMediaTypeError extends GoeApiError {
  override name = 'UnsupportedMediaTypeError';
  override readonly slug = 'unsupported-media-type';
}
/** 406: `Accept` names no format the server serves. */
export class NotAcceptableError extends GoeApiError {
  override name = 'NotAcceptableError';
  override readonly slug = 'not-acceptable';
}
/** 413: the request body is over 16 KiB. */
export class BodyTooLargeError extends GoeApiError {
  override name = 'BodyTooLargeError';
  override readonly slug = 'body-too-large';
}
/** 401: the server wants a valid bearer API key. */
export class UnauthorizedError extends GoeApiError {
  override name = 'UnauthorizedError';
  override readonly slug = 'unauthorized';
}
/** 429: the key's rate or concurrency limit; {@link GoeApiError.retryAfterMs} says when to come back. */
export class RateLimitedError extends GoeApiError {
  override name = 'RateLimitedError';
  override readonly slug = 'rate-limited';
}
/** 404: no such route (check `baseUrl`). */
export class NotFoundError extends GoeApiError {
  override name = 'NotFoundError';
  override readonly slug = 'not-found';
}
/** 405: wrong method for the route. */
export class MethodNotAllowedError extends GoeApiError {
  override name = 'MethodNotAllowedError';
  override readonly slug = 'method-not-allowed';
}
/** 500: a server fault, never caused by bad input; report {@link GoeApiError.requestId}. */
export class InternalServerError extends GoeApiError {
  override name = 'InternalServerError';
  override readonly slug = 'internal-error';
}

// `satisfies` makes a slug added to the contract's ProblemType enum a compile error until it has a class.
const BY_SLUG = {
  'malformed-json': MalformedJsonError,
  'invalid-request': InvalidRequestError,
  'unknown-model': UnknownModelError,
  'parameter-not-applicable': ParameterNotApplicableError,
  'unknown-class': UnknownClassError,
  'count-over-limit': CountOverLimitError,
  'unsupported-media-type': UnsupportedMediaTypeError,
  'not-acceptable': NotAcceptableError,
  'body-too-large': BodyTooLargeError,
  unauthorized: UnauthorizedError,
  'rate-limited': RateLimitedError,
  'not-found': NotFoundError,
  'method-not-allowed': MethodNotAllowedError,
  'internal-error': InternalServerError,
} as const satisfies Record<ProblemSlug, typeof GoeApiError>;

/** The error class of each problem slug. */
export type GoeApiErrorBySlug = { [S in ProblemSlug]: InstanceType<(typeof BY_SLUG)[S]> };

/**
 * The connection failed or broke and the retries ran out (or retrying was off). `cause` holds the last
 * underlying error.
 */
export class GoeNetworkError extends GoeError {
  override name = 'GoeNetworkError';
  /** Requests made before giving up. */
  readonly attempts: number;
  constructor(message: string, options: { cause?: unknown; attempts: number }) {
    super(message, { cause: options.cause });
    this.attempts = options.attempts;
  }
}

/**
 * The server answered 200 but broke the contract: a row that does not decode, rows out of order, or a
 * resumed response from a different generator digest. Retrying would not help.
 */
export class GoeProtocolError extends GoeError {
  override name = 'GoeProtocolError';
}

/**
 * The typed error for an HTTP error answer. `body` is what the answer held (a parsed problem document
 * when it was one); a body that is not a goe problem becomes a plain {@link GoeApiError} (`slug: 'unknown'`).
 */
export function problemError(body: unknown, context: ApiErrorContext & { response: Response }): GoeApiError {
  const { response } = context;
  if (isProblem(body)) {
    const slug = body.type.slice(PROBLEM_PREFIX.length);
    const Class: typeof GoeApiError | undefined = Object.hasOwn(BY_SLUG, slug)
      ? BY_SLUG[slug as ProblemSlug]
      : undefined;
    if (Class) return new Class(body, context);
    return new GoeApiError(body, context);
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return new GoeApiError(
    {
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: text || `the server answered ${response.status} without a problem document`,
    },
    context,
  );
}

/** True when `err` is a {@link GoeApiError}, narrowed to the class of `slug` when one is given. */
export function isGoeApiError<S extends ProblemSlug>(err: unknown, slug: S): err is GoeApiErrorBySlug[S];
export function isGoeApiError(err: unknown): err is GoeApiError;
export function isGoeApiError(err: unknown, slug?: ProblemSlug): boolean {
  return err instanceof GoeApiError && (slug === undefined || err.slug === slug);
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const p = body as Record<string, unknown>;
  return (
    typeof p.type === 'string' &&
    p.type.startsWith(PROBLEM_PREFIX) &&
    typeof p.status === 'number' &&
    typeof p.title === 'string' &&
    typeof p.detail === 'string'
  );
}

/** The value at an RFC 6901 JSON Pointer, or undefined. */
function resolvePointer(root: unknown, pointer: string): unknown {
  if (!pointer.startsWith('/')) return undefined;
  let at: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) in milliseconds from `now`; undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
