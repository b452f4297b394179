import type { components } from '../../sdk/schema.js';
import { problem } from '../problems.js';
import type { SchemaValidator } from './schema.js';

/** Output formats of `POST /outliers`: the contract's `Format`. */
export type OutlierFormat = components['schemas']['Format'];

/**
 * A request that passed the `OutlierRequest` schema of openapi.yaml: the type generated from that
 * schema (sdk/schema.d.ts, `npm run gen:sdk`), so the code after validation reads exactly what it allows.
 */
export type OutlierRequest = components['schemas']['OutlierRequest'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A POST body → a validated request. Order of checks: media type (415), JSON syntax (400), schema (422).
 * @throws {ProblemError}
 */
export function parseOutlierBody(
  validator: SchemaValidator,
  contentType: string | undefined,
  body: Uint8Array,
): OutlierRequest {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    throw problem(
      'unsupported-media-type',
      contentType
        ? `the body must be application/json, not "${clip(contentType)}"`
        : 'the body must be application/json (no Content-Type was sent)',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (err) {
    throw problem('malformed-json', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  return validated(validator, value);
}

/** Query fields that hold numbers; the rest are strings, `classes` a comma-separated list. */
const NUMERIC = new Set(['sigma2', 'temperature', 'count', 'seed', 'start']);
const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The query string of `GET /outliers` → the same object a POST body would hold, then validated by the
 * same schema. A field given twice is an error rather than a silent pick.
 * @throws {ProblemError}
 */
export function parseOutlierQuery(validator: SchemaValidator, query: URLSearchParams): OutlierRequest {
  const out: Record<string, unknown> = {};
  const errors: { path: string; message: string }[] = [];
  for (const [key, raw] of query) {
    if (key in out) {
      errors.push({ path: `/${key}`, message: 'is given more than once' });
      continue;
    }
    if (key === 'classes') {
      out.classes = raw === '' ? [] : raw.split(',').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    } else if (NUMERIC.has(key) && NUMBER_TEXT.test(raw)) {
      out[key] = Number(raw);
    } else {
      out[key] = raw;
    }
  }
  if (errors.length > 0) throw problem('invalid-request', 'the query string has repeated fields', { errors });
  return validated(validator, out);
}

function validated(validator: SchemaValidator, value: unknown): OutlierRequest {
  const errors = validator.errors(value);
  if (errors.length > 0) {
    throw problem('invalid-request', 'the request does not match the OutlierRequest schema', { errors });
  }
  return value as OutlierRequest;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
