/**
 * Test support for the codec suites (not exported from the barrel): ways to cut a byte stream into
 * chunks, to run bytes through web streams, to read the code of the error a codec throws, and sample
 * NDJSON values with the error they raise.
 */
import { CodecError } from './errors.js';

/** The `CodecError` code `fn` throws, or undefined when it returns; any other error is rethrown. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodecError) return error.code;
    throw error;
  }
  return undefined;
}

/** `bytes` cut into pieces of `size` bytes (the last may be shorter). */
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** `bytes` cut at pseudo-random points (reproducible from `seed`), pieces of 1..maxSize bytes. */
export function randomChunks(bytes: Uint8Array, seed: number, maxSize = 97): Uint8Array[] {
  let state = seed >>> 0;
  // mulberry32: a tiny deterministic generator, so a failing split can be replayed from its seed.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(next() * maxSize);
    out.push(bytes.slice(i, i + size));
    i += size;
  }
  return out;
}

/** Concatenates byte chunks. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A readable stream of the given items. */
export function streamOf<T>(items: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
}

/** Everything a readable stream yields, in order (rejects with the stream's error). */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream as unknown as AsyncIterable<T>) out.push(item);
  return out;
}

/** Feeds `chunks` to a push-style decoder, then ends it; returns every output. */
export function pushAll<O>(
  decoder: { push(chunk: Uint8Array): O[]; end(): unknown },
  chunks: Uint8Array[],
): O[] {
  const out: O[] = [];
  for (const chunk of chunks) out.push(...decoder.push(chunk));
  const rest = decoder.end();
  if (Array.isArray(rest)) out.push(...(rest as O[]));
  return out;
}

/** Values NDJSON must carry intact: multi-byte characters, escaped newlines and U+2028, non-objects. */
export const NDJSON_SAMPLES: readonly unknown[] = [
  { index: 0, text: 'plain ascii', class: 3 },
  { index: 1, text: 'σ²=50 × naïve café — 日本語 🎲🧪', tokens: [1, 2, 3] },
  { index: 2, text: 'line\nbreak and "quotes" and \u2028 separator' },
  [1, 2.5, null, true],
  'a bare string',
  42,
];

/** The {@link CodecError} that `fn` throws; fails the test if it throws something else or nothing. */
export function codecErrorOf(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
  throw new Error('expected a CodecError');
}
