import { type Accept, parseAccept } from 'hono/utils/accept';
import { problem } from '../problems.js';
import type { OutlierFormat } from '../validation/index.js';

/** The `Content-Type` each format is sent with. */
export const CONTENT_TYPES: Readonly<Record<OutlierFormat, string>> = {
  npy: 'application/x-npy',
  npz: 'application/x-npz',
  safetensors: 'application/vnd.goe.safetensors',
  ndjson: 'application/x-ndjson',
  png: 'image/png',
};

/** Media types a client may ask for in `Accept`, and the format each selects (CONTRACT.md). */
const ACCEPTED: ReadonlyArray<[string, OutlierFormat]> = [
  ['application/x-npy', 'npy'],
  ['application/x-npz', 'npz'],
  ['application/vnd.goe.safetensors', 'safetensors'],
  ['application/octet-stream', 'safetensors'],
  ['application/x-ndjson', 'ndjson'],
  ['image/png', 'png'],
];

// Also the server's preference among formats an Accept ranks equally (RFC 9110 §12.1: the server decides).
const ALL_FORMATS: readonly OutlierFormat[] = ['ndjson', 'npy', 'npz', 'safetensors', 'png'];

/** How closely an Accept range matches a media type: 0 no match, 1 `*∕*`, 2 `type/*`, 3 the type, +1 per parameter. */
function specificity(range: Accept, type: string): number {
  const r = range.type.toLowerCase();
  const extra = Object.keys(range.params).filter((k) => k.toLowerCase() !== 'q').length;
  if (r === type) return 3 + extra;
  if (r === `${type.split('/')[0]}/*`) return 2 + extra;
  if (r === '*/*' || r === '*') return 1 + extra;
  return 0;
}

/**
 * The quality `accept` gives `format`: that of the most specific range matching any media type that
 * selects it (RFC 9110 §12.5.1: "text/plain;q=0, text/*" refuses text/plain), 0 when none matches.
 * Media-type parameters other than q (e.g. `charset=utf-8`) make a range more specific but are not
 * compared: every body here has exactly one encoding.
 */
function qualityOf(format: OutlierFormat, accept: readonly Accept[]): number {
  let best = { s: 0, q: 0 };
  for (const [type, f] of ACCEPTED) {
    if (f !== format) continue;
    for (const range of accept) {
      const s = specificity(range, type);
      if (s > best.s || (s === best.s && s > 0 && range.q > best.q)) best = { s, q: range.q };
    }
  }
  return best.q;
}

/**
 * The format of a response: `format` from the request when given, else the one of the `served` formats
 * `Accept` rates highest (RFC 9110 §12.5.1): each format takes the q of the most specific range that
 * matches it, q = 0 means "not acceptable", and formats rated equally go by the server's preference
 * (ndjson, npy, safetensors, png). No Accept → ndjson; `*∕*` → ndjson; `application/*` → ndjson;
 * `image/*` → png. An explicit `format` is returned as is: whether the model serves it is the plan's check.
 * Parsing is hono's `parseAccept` (quoted strings, whitespace, bad q values); the precedence rule, which
 * no installed negotiator applies per format with server-side tie breaks (negotiator breaks ties by the
 * client's order, hono/accepts lets `*∕*` match nothing), is written here.
 *
 * @throws {ProblemError} `not-acceptable` (406, with `Vary: Accept`) when Accept rates every served format 0
 */
export function negotiateFormat(
  format: OutlierFormat | undefined,
  accept: string | undefined,
  served: readonly OutlierFormat[] = ALL_FORMATS,
): OutlierFormat {
  if (format) return format;
  if (accept === undefined || accept.trim() === '')
    return ALL_FORMATS.find((f) => served.includes(f)) ?? 'ndjson';
  const ranges = parseAccept(accept);
  let best: { format: OutlierFormat; q: number } | undefined;
  for (const f of ALL_FORMATS) {
    if (!served.includes(f)) continue;
    const q = qualityOf(f, ranges);
    if (q > 0 && (!best || q > best.q)) best = { format: f, q };
  }
  if (!best) {
    const types = ACCEPTED.filter(([, f]) => served.includes(f))
      .map(([t]) => t)
      .join(', ');
    const shown = accept.length > 80 ? `${accept.slice(0, 77)}...` : accept;
    throw problem('not-acceptable', `Accept "${shown}" names no format served here (${types})`, {
      headers: { Vary: 'Accept' },
    });
  }
  return best.format;
}
