import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  CountOverLimitError,
  GoeApiError,
  InternalServerError,
  InvalidRequestError,
  isGoeApiError,
  MalformedJsonError,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  ParameterNotApplicableError,
  parseRetryAfter,
  RateLimitedError,
  UnauthorizedError,
  UnknownClassError,
  UnknownModelError,
  UnsupportedMediaTypeError,
} from './errors.js';
import { streamOutliers } from './stream.js';
import { BASE, problem } from './test-fixtures.js';
import type { ProblemSlug } from './types.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Every slug of the contract's ProblemType enum, its status and the class the SDK raises.
const CASES: [ProblemSlug, number, typeof GoeApiError][] = [
  ['malformed-json', 400, MalformedJsonError],
  ['invalid-request', 422, InvalidRequestError],
  ['unknown-model', 404, UnknownModelError],
  ['parameter-not-applicable', 422, ParameterNotApplicableError],
  ['unknown-class', 422, UnknownClassError],
  ['count-over-limit', 422, CountOverLimitError],
  ['unsupported-media-type', 415, UnsupportedMediaTypeError],
  ['not-acceptable', 406, NotAcceptableError],
  ['body-too-large', 413, BodyTooLargeError],
  ['unauthorized', 401, UnauthorizedError],
  ['rate-limited', 429, RateLimitedError],
  ['not-found', 404, NotFoundError],
  ['method-not-allowed', 405, MethodNotAllowedError],
  ['internal-error', 500, InternalServerError],
];

async function firstError(request: Parameters<typeof streamOutliers>[0]): Promise<unknown> {
  try {
    for await (const _ of streamOutliers(request, { baseUrl: BASE, retry: false })) return undefined;
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('problem documents become typed errors', () => {
  it.each(CASES)(
    '%s (%i) → its class, with type, status, title, detail and request id',
    async (slug, status, Class) => {
      server.use(http.post(`${BASE}/outliers`, () => problem(slug, status)));
      const err = await firstError({ model: 'm', count: 1, seed: 1 });
      expect(err).toBeInstanceOf(Class);
      expect(err).toBeInstanceOf(GoeApiError);
      const e = err as GoeApiError;
      expect(e.slug).toBe(slug);
      expect(e.name).toBe(Class.name);
      expect(e).toMatchObject({
        type: `https://goe.dev/problems/${slug}`,
        status,
        title: slug,
        detail: `${slug} (test)`,
        requestId: 'req-1',
      });
      expect(isGoeApiError(err, slug)).toBe(true);
    },
  );

  it('carries the offending parameter and the value that was sent', async () => {
    server.use(
      http.post(`${BASE}/outliers`, () =>
        problem('unknown-class', 422, { errors: [{ path: '/classes/1', message: 'unknown class' }] }),
      ),
    );
    const err = (await firstError({
      model: 'm',
      classes: ['Bag', 'Hat'],
      count: 1,
      seed: 1,
    })) as UnknownClassError;
    expect(err).toBeInstanceOf(UnknownClassError);
    expect(err).toMatchObject({ param: 'classes', pointer: '/classes/1', value: 'Hat' });
    expect(err.errors).toEqual([{ path: '/classes/1', message: 'unknown class' }]);

    server.use(
      http.post(`${BASE}/outliers`, () =>
        problem('parameter-not-applicable', 422, {
          errors: [{ path: '/temperature', message: 'image model' }],
        }),
      ),
    );
    const na = (await firstError({ model: 'm', temperature: 2, count: 1, seed: 1 })) as GoeApiError;
    expect(na).toMatchObject({ slug: 'parameter-not-applicable', param: 'temperature', value: 2 });
  });

  it('an answer without a problem document is a GoeApiError with slug "unknown"', async () => {
    server.use(
      http.post(
        `${BASE}/outliers`,
        () => new HttpResponse('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
      ),
    );
    const err = (await firstError({ model: 'm', count: 1, seed: 1 })) as GoeApiError;
    expect(err).toBeInstanceOf(GoeApiError);
    expect(err).toMatchObject({ slug: 'unknown', status: 502, type: 'about:blank', title: 'Bad Gateway' });
    expect(err.detail).toContain('Bad gateway');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
