/**
 * Test support for the SDK suites (not exported from the barrel): a fake `/outliers` endpoint for msw that
 * follows the contract's determinism (row i depends only on seed and i), and can break its body mid-way,
 * answer problems, or rate-limit, so the SDK's resume, retry and error paths can be driven exactly.
 */
import { HttpResponse, http } from 'msw';
import type { ImageRow, OutlierRequest, TextRow } from './types.js';

export const BASE = 'http://goe.test';
export const ROW_SHAPE: [number, number, number] = [2, 3, 1];
export const LABELS = ['zero', 'one', 'two'];
export const DIGEST = 'sha256:feed';

/** The bytes of image row `i` for `seed`: a pure function, like the real server's rows. */
export function rowBytes(seed: number, i: number): Uint8Array {
  const n = ROW_SHAPE[0] * ROW_SHAPE[1] * ROW_SHAPE[2];
  return Uint8Array.from({ length: n }, (_, k) => (seed * 31 + i * 7 + k * 13) & 255);
}

/** Class of row `i` for `seed`. */
export function rowClass(seed: number, i: number): number {
  return (seed + i) % LABELS.length;
}

/** Row `i` as the contract's NDJSON line. */
export function imageLine(seed: number, i: number): string {
  const row: ImageRow = {
    index: i,
    class: rowClass(seed, i),
    label: LABELS[rowClass(seed, i)],
    shape: ROW_SHAPE,
    dtype: 'uint8',
    data: Buffer.from(rowBytes(seed, i)).toString('base64'),
  };
  return `${JSON.stringify(row)}\n`;
}

/** Text row `i` as an NDJSON line. */
export function textLine(seed: number, i: number): string {
  const row: TextRow = {
    index: i,
    class: rowClass(seed, i),
    label: LABELS[rowClass(seed, i)],
    text: `text ${seed} ${i}`,
    tokens: [seed % 100, i, i + 1],
  };
  return `${JSON.stringify(row)}\n`;
}

/** Every request the fake server saw: its JSON body and its AbortSignal. */
export interface Seen {
  body: OutlierRequest;
  signal: AbortSignal;
  headers: Headers;
}

/** Knobs of the fake `/outliers`. */
export interface FakeOptions {
  /** Break the body of response number `r` (0-based) after `rows` rows and half a line. */
  breakAfter?: Map<number, number>;
  /** The seed the server picks when the request has none. */
  serverSeed?: number;
  /** Bytes per body chunk (rows are split across chunks). */
  chunkSize?: number;
  /** Text rows instead of image rows. */
  text?: boolean;
  /** Delay between chunks, so an early exit happens while the body is still flowing. */
  chunkDelayMs?: number;
}

/** An msw handler for `POST /outliers` and the list of requests it saw. */
export function fakeOutliers(options: FakeOptions = {}) {
  const seen: Seen[] = [];
  const handler = http.post(`${BASE}/outliers`, async ({ request }) => {
    const body = (await request.json()) as OutlierRequest;
    const r = seen.length;
    seen.push({ body, signal: request.signal, headers: request.headers });
    const seed = body.seed ?? options.serverSeed ?? 99;
    const start = body.start ?? 0;
    const count = body.count ?? 256;
    const line = options.text ? textLine : imageLine;
    let text = '';
    const cut = options.breakAfter?.get(r);
    const rows = cut === undefined ? count : Math.min(cut, count);
    for (let i = start; i < start + rows; i++) text += line(seed, i);
    if (cut !== undefined) text += line(seed, start + rows).slice(0, 20); // half a line, then the break
    const bytes = new TextEncoder().encode(text);
    const size = options.chunkSize ?? 64;
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (options.chunkDelayMs) await new Promise((res) => setTimeout(res, options.chunkDelayMs));
        if (at >= bytes.length) {
          if (cut !== undefined) {
            // Let the chunks already sent reach the client first: an error discards what is still queued.
            await new Promise((res) => setTimeout(res, 20));
            c.error(new Error('connection reset (test)'));
          } else c.close();
          return;
        }
        c.enqueue(bytes.slice(at, at + size));
        at += size;
      },
    });
    return new HttpResponse(stream, {
      headers: {
        'Content-Type': 'application/x-ndjson',
        ETag: `"${'e'.repeat(64)}"`,
        'Goe-Seed': String(seed),
        'Goe-Start': String(start),
        'Goe-Count': String(count),
        'Goe-Model-Digest': DIGEST,
        ...(options.text ? {} : { 'Goe-Row-Shape': ROW_SHAPE.join(','), 'Goe-Dtype': 'uint8' }),
        'Goe-Backend': 'test',
        'Goe-Cache': 'bypass',
      },
    });
  });
  return { handler, seen };
}

/** A problem document answer for `slug`. */
export function problem(slug: string, status: number, extra: Record<string, unknown> = {}, headers = {}) {
  return HttpResponse.json(
    { type: `https://goe.dev/problems/${slug}`, title: slug, status, detail: `${slug} (test)`, ...extra },
    { status, headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': 'req-1', ...headers } },
  );
}
