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

const ALL_FORMATS: readonly OutlierFormat[] = ['npy', 'npz', 'safetensors', 'ndjson', 'png'];

/**
 * The format of a response: `format` from the request when given, else the best match of `Accept`
 * among the `served` formats (highest q; among equal q, the first listed). No Accept or `*∕*` → ndjson;
 * `application/*` → ndjson; `image/*` → png. Ranges with q=0 are refusals. An explicit `format` is
 * returned as is: whether the model serves it is the plan's check.
 * @throws {ProblemError} `not-acceptable` when Accept names nothing served here
 */
export function negotiateFormat(
  format: OutlierFormat | undefined,
  accept: string | undefined,
  served: readonly OutlierFormat[] = ALL_FORMATS,
): OutlierFormat {
  if (format) return format;
  if (accept === undefined || accept.trim() === '') return 'ndjson';
  let best: { format: OutlierFormat; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (range === '') continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([01](\.\d{0,3})?)$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q <= 0) continue;
    const match = matchRange(range);
    if (match && served.includes(match) && (!best || q > best.q)) best = { format: match, q };
  }
  if (!best) {
    const types = ACCEPTED.filter(([, f]) => served.includes(f))
      .map(([t]) => t)
      .join(', ');
    const shown = accept.length > 80 ? `${accept.slice(0, 77)}...` : accept;
    throw problem('not-acceptable', `Accept "${shown}" names no format served here (${types})`);
  }
  return best.format;
}

function matchRange(range: string): OutlierFormat | undefined {
  if (range === '*/*' || range === 'application/*') return 'ndjson';
  if (range === 'image/*') return 'png';
  return ACCEPTED.find(([type]) => type === range)?.[1];
}
