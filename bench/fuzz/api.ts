/**
 * Property-based fuzzing of the HTTP API (fast-check): generated requests — JSON bodies and query strings
 * with unknown and prototype-named keys (`__proto__`, `constructor`), duplicated fields, unicode, huge and
 * negative numbers, wrong types, odd media types — sent to the app, each answer held to the contract:
 * never a 5xx, never a stack trace, every error an RFC 9457 problem document that names the input.
 * Used by the test suite (a short run) and `goe bench fuzz` (a long one).
 */
import fc from 'fast-check';
import { PROBLEM_BASE, PROBLEMS } from '../../api/problems.js';

/** One generated request, as data (so a failing case prints and shrinks readably). */
export interface FuzzRequest {
  method: string;
  /** Path and query, e.g. `/outliers?model=x`. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Top-level keys of a JSON-object body that the contract does not know (the answer must name one). */
  unknownKeys: string[];
}

/** Sends a request and returns the response (in process: `app.request`; over a socket: `fetch`). */
export type Send = (req: FuzzRequest) => Promise<Response>;

/** What a fuzz run saw. */
export interface ApiFuzzReport {
  runs: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Requests the client itself refused to send (e.g. a URL `fetch` cannot parse); not failures. */
  unsendable: number;
  seconds: number;
}

const KNOWN_FIELDS = [
  'model',
  'classes',
  'sigma2',
  'temperature',
  'count',
  'seed',
  'start',
  'format',
  'dtype',
];
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
];
const ACCEPTS = [
  'application/x-npy',
  'application/x-npz',
  'application/vnd.goe.safetensors',
  'application/octet-stream',
  'application/x-ndjson',
  'image/png',
  '*/*',
  'application/*',
  'image/*',
  'text/csv',
  'application/x-ndjson;q=0, */*',
  'application/x-npy;q=0.5, image/png;q=0.9',
  'application/x-npy;q=abc',
  ';;;,,,',
];

const hugeNumbers = fc.constantFrom(
  -1,
  -0,
  0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53 + 2,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
);

/** Any JSON value, biased toward the numbers and strings that break validators. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -10, max: 300 }),
    hugeNumbers,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS)), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** A plausible value for each known field, or any JSON value (wrong types included). */
function fieldValue(model: string): Record<string, fc.Arbitrary<unknown>> {
  // Mostly plausible values (so requests get past the first check and reach generation), else anything.
  const mostly = (plausible: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: plausible, weight: 4 }, { arbitrary: fc.oneof(hugeNumbers, jsonValue), weight: 1 });
  return {
    model: fc.oneof(fc.constant(model), fc.constant(model), fc.string(), fc.string({ unit: 'binary' })),
    classes: mostly(
      fc.array(fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom('Sandal', 'Bag', 'press')), {
        minLength: 1,
        maxLength: 4,
      }),
    ),
    sigma2: mostly(fc.double({ min: -5, max: 200, noNaN: true })),
    temperature: mostly(fc.double({ min: -1, max: 10, noNaN: true })),
    count: mostly(fc.integer({ min: 0, max: 10 })),
    seed: mostly(fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    start: mostly(fc.integer({ min: 0, max: 1000 })),
    format: mostly(fc.constantFrom('npy', 'npz', 'safetensors', 'ndjson', 'png', 'NPY', 'csv')),
    dtype: mostly(fc.constantFrom('uint8', 'float32', 'int8')),
  };
}

/** JSON text of an object with these entries, in order, duplicates kept (JSON.stringify cannot say that). */
function objectText(entries: readonly [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

/** Requests against `model` (an id the server knows). */
export function arbitraryApiRequest(model: string): fc.Arbitrary<FuzzRequest> {
  const values = fieldValue(model);
  const knownEntry = fc
    .constantFrom(...KNOWN_FIELDS)
    .chain((k) => values[k].map((v) => [k, v] as [string, unknown]));
  const unknownKey = fc.oneof(
    fc.constantFrom(...PROTO_KEYS),
    fc.string({ minLength: 1 }),
    fc.string({ unit: 'grapheme', minLength: 1 }),
  );
  const unknownEntry = fc.tuple(unknownKey, jsonValue).filter(([k]) => !KNOWN_FIELDS.includes(k));
  const entries = fc
    .tuple(
      // A small count most of the time: without one the default (256) is over the fuzz server's limit.
      fc.integer({ min: 1, max: 8 }).map((n): [string, unknown][] => [
        ['model', model],
        ['count', n],
      ]),
      fc.array(knownEntry, { maxLength: 4 }),
      fc.oneof(
        { arbitrary: fc.constant<[string, unknown][]>([]), weight: 2 },
        { arbitrary: fc.array(unknownEntry, { minLength: 1, maxLength: 2 }), weight: 1 },
      ),
      fc.boolean(),
    )
    .map(([base, known, unknown, dropModel]) => ({
      entries: [...(dropModel ? [] : base), ...known, ...unknown],
      unknownKeys: unknown.map(([k]) => k),
    }));
  const headers = fc.record(
    {
      'content-type': fc.oneof(
        { arbitrary: fc.constant('application/json'), weight: 6 },
        { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
      ),
      accept: fc.oneof(fc.constantFrom(...ACCEPTS), fc.string().filter(headerSafe)),
    },
    { requiredKeys: ['content-type'] },
  );
  const postJsonObject = fc.tuple(entries, headers).map(([{ entries: e, unknownKeys }, h]) => ({
    method: 'POST',
    url: '/outliers',
    headers: h as Record<string, string>,
    body: objectText(e),
    // Only a JSON body the server reads as JSON must answer with the unknown key named.
    unknownKeys: isJsonType(h['content-type']) ? unknownKeys : [],
  }));
  const postOther = fc
    .tuple(
      fc.oneof(
        jsonValue.map((v) => JSON.stringify(v) ?? 'null'),
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.constant(''),
        fc.constant('{"model":'),
      ),
      headers,
    )
    .map(([body, h]) => ({
      method: 'POST',
      url: '/outliers',
      headers: h as Record<string, string>,
      body,
      unknownKeys: [],
    }));
  const queryPair = fc.oneof(
    knownEntry.map(
      ([k, v]) =>
        [
          k,
          typeof v === 'string'
            ? v
            : Array.isArray(v)
              ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',')
              : (JSON.stringify(v) ?? ''),
        ] as [string, string],
    ),
    fc.tuple(unknownKey, fc.string()),
    fc.tuple(
      fc.constantFrom('__proto__[count]', 'constructor[prototype][x]', 'count[]', 'model[0]'),
      fc.string(),
    ),
  );
  const getQuery = fc
    .tuple(
      fc.array(queryPair, { maxLength: 6 }),
      fc.boolean(),
      fc.oneof(fc.constant(''), fc.constantFrom('%ZZ', '%', '&&', '=', '%00', '%C0%AF', '+')),
      headers,
    )
    .map(([pairs, withModel, raw, h]) => {
      const all: [string, string][] = withModel ? [['model', model], ...pairs] : pairs;
      const q = all.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      const { 'content-type': _drop, ...rest } = h as Record<string, string>;
      return { method: 'GET', url: `/outliers?${q}${raw}`, headers: rest, unknownKeys: [] as string[] };
    });
  const otherRoute = fc
    .tuple(
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'POST'),
      fc.oneof(
        fc.constantFrom('/models', '/healthz', '/openapi.yaml', '/outliers', '/', '/models/'),
        fc.string().map((s) => `/models/${encodeURIComponent(s)}`),
        fc.string().map((s) => `/${encodeURIComponent(s)}`),
      ),
    )
    .map(([method, url]) => ({ method, url, headers: {}, unknownKeys: [] as string[] }));
  return fc.oneof(
    { arbitrary: postJsonObject, weight: 6 },
    { arbitrary: postOther, weight: 2 },
    { arbitrary: getQuery, weight: 4 },
    { arbitrary: otherRoute, weight: 1 },
  );
}

function headerSafe(s: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(s);
}

function isJsonType(type: string | undefined): boolean {
  return type !== undefined && /^application\/json\s*(;\s*charset=utf-8)?$/i.test(type.trim());
}

const STACK = /\n\s+at |\bat .+\.(ts|js|mjs):\d+|node_modules|file:\/\//;

/** JSON Pointer of a top-level key (RFC 6901: `~` → `~0`, `/` → `~1`). */
function pointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/**
 * Checks one response against the contract; returns what is wrong, or undefined. Reads the whole body
 * (a 200 stream must complete).
 */
export async function checkApiResponse(req: FuzzRequest, res: Response): Promise<string | undefined> {
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status >= 500) return `status ${res.status}: ${new TextDecoder().decode(body).slice(0, 300)}`;
  const text = new TextDecoder().decode(body.subarray(0, 64 * 1024));
  if (res.status < 400) return undefined;
  if (req.method === 'HEAD') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) return `status ${res.status} with content-type "${type}"`;
  if (STACK.test(text)) return `a stack trace or file path in the problem: ${text.slice(0, 300)}`;
  let p: {
    type?: string;
    title?: string;
    status?: number;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  try {
    p = JSON.parse(text);
  } catch {
    return `problem body is not JSON: ${text.slice(0, 200)}`;
  }
  const slug = (p.type ?? '').slice(PROBLEM_BASE.length) as keyof typeof PROBLEMS;
  if (!p.type?.startsWith(PROBLEM_BASE) || !(slug in PROBLEMS)) return `unknown problem type ${p.type}`;
  if (p.status !== res.status || PROBLEMS[slug].status !== res.status)
    return `problem status ${p.status} on a ${res.status}`;
  if (typeof p.detail !== 'string' || p.detail.trim() === '') return 'problem without a detail';
  if (p.errors !== undefined) {
    if (!Array.isArray(p.errors) || p.errors.length === 0) return 'problem with an empty errors list';
    for (const e of p.errors)
      if (typeof e.path !== 'string' || !e.path.startsWith('/') || !e.message)
        return `bad field error ${JSON.stringify(e)}`;
  }
  // The input must be named: a field error for invalid requests, the value or header otherwise.
  if (slug === 'invalid-request' && p.errors === undefined)
    return `invalid-request without errors: ${p.detail}`;
  if (req.unknownKeys.length > 0 && slug === 'invalid-request') {
    const paths = new Set(p.errors!.map((e) => e.path));
    if (!req.unknownKeys.some((k) => paths.has(pointer(k)))) {
      return `unknown field(s) ${JSON.stringify(req.unknownKeys)} not named in ${JSON.stringify(p.errors)}`;
    }
  }
  if (slug === 'unknown-model' && !/no generator "|no model "|GET \/models/.test(p.detail))
    return `unknown-model that names no model: ${p.detail}`;
  if (slug === 'malformed-json' && !/JSON/.test(p.detail))
    return `malformed-json that does not say JSON: ${p.detail}`;
  if (slug === 'unsupported-media-type' && !/application\/json|content-type|media type/i.test(p.detail))
    return `415 that names no media type: ${p.detail}`;
  if (slug === 'not-acceptable' && !/Accept|format|served/i.test(p.detail))
    return `406 that names neither Accept nor format: ${p.detail}`;
  return undefined;
}

/**
 * Runs `runs` generated requests through `send`, checking each; throws (with fast-check's shrunk
 * counterexample) on the first violation. Object.prototype must come out untouched.
 */
export async function fuzzApi(
  send: Send,
  options: { model: string; runs: number; seed?: number },
): Promise<ApiFuzzReport> {
  const t0 = performance.now();
  const statuses: Record<string, number> = {};
  let unsendable = 0;
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).join();
  await fc
    .assert(
      fc.asyncProperty(arbitraryApiRequest(options.model), async (req) => {
        let res: Response;
        try {
          res = await send(req);
        } catch (err) {
          // fetch refuses some generated URLs and headers before anything is sent: not the server's answer.
          if (
            err instanceof TypeError &&
            !/fetch failed|socket|ECONN/i.test(String(err.cause ?? err.message))
          ) {
            unsendable++;
            return;
          }
          throw err;
        }
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const wrong = await checkApiResponse(req, res);
        if (wrong) throw new Error(wrong);
        if (
          Object.getOwnPropertyNames(Object.prototype).join() !== protoKeys ||
          ({} as Record<string, unknown>).count !== undefined
        ) {
          throw new Error('Object.prototype was modified');
        }
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: true },
    )
    .catch(withCause);
  return { runs: options.runs, statuses, unsendable, seconds: (performance.now() - t0) / 1000 };
}

/** `fuzzApi`'s request as `app.request` / `fetch` arguments. */
export function requestInit(req: FuzzRequest): RequestInit {
  return {
    method: req.method,
    headers: req.headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
  };
}

/** fast-check's failure with the property's own message appended (its message alone says only "failed"). */
function withCause(err: unknown): never {
  const cause = (err as Error).cause;
  if (cause instanceof Error) (err as Error).message += `\nCaused by: ${cause.message}`;
  throw err;
}
