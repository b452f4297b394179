/**
 * NDJSON (spec: ndjson-spec 1.0, github.com/ndjson/ndjson-spec): one JSON text per line, UTF-8, each
 * followed by `\n`. The encoder writes one value per line; the incremental decoder is the SDK's
 * (`sdk/ndjson.ts`: the SDK ships alone and the server may depend on it, never the reverse), re-exported
 * here beside its web-stream form.
 */
import { NdjsonDecoder, type NdjsonDecoderOptions } from '../../sdk/ndjson.js';
import { CodecError } from './errors.js';
import { codecStream } from './stream.js';

export { decodeNdjson, NdjsonDecoder, type NdjsonDecoderOptions } from '../../sdk/ndjson.js';

const encoder = new TextEncoder();

/** One value as an NDJSON line (UTF-8, ending in `\n`); throws `bad_value` for what JSON cannot hold. */
export function encodeNdjsonLine(value: unknown): Uint8Array {
  return encoder.encode(lineText(value));
}

/** Many values as NDJSON bytes. */
export function encodeNdjson(values: Iterable<unknown>): Uint8Array {
  return encoder.encode(Array.from(values, lineText).join(''));
}

function lineText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new CodecError('bad_value', `value cannot be written as JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  // JSON.stringify returns undefined for undefined, functions and symbols: there is no line to write.
  if (text === undefined) {
    throw new CodecError('bad_value', `a ${typeof value} cannot be written as JSON`, { value: typeof value });
  }
  // JSON.stringify escapes control characters, so the text has no raw newline that would split the line.
  return `${text}\n`;
}

/** A `TransformStream` from values to NDJSON bytes, one chunk per line. */
export function ndjsonEncoderStream(): TransformStream<unknown, Uint8Array> {
  return codecStream(() => ({ push: (value) => [encodeNdjsonLine(value)], end: () => [] }));
}

/** A `TransformStream` from NDJSON bytes to values. */
export function ndjsonDecoderStream<T = unknown>(
  options?: NdjsonDecoderOptions,
): TransformStream<Uint8Array, T> {
  return codecStream(() => {
    const decoder = new NdjsonDecoder<T>(options);
    return { push: (chunk) => decoder.push(chunk), end: () => decoder.end() };
  });
}
