/**
 * Incremental NDJSON decoding (spec: ndjson-spec 1.0, github.com/ndjson/ndjson-spec): one JSON text per
 * line, UTF-8, each followed by `\n`; `\r\n` and empty lines are accepted. Correct across chunk boundaries
 * that split lines or multi-byte characters, and names the line of any malformed JSON. Only `TextDecoder`
 * and `JSON`, so it runs in browsers as in Node. The server and CLI use this copy through
 * `runtime/codecs` (which adds the encoder and the web-stream wrappers).
 */
import { CodecError } from './codec-error.js';

/** Options of the NDJSON decoder. */
export interface NdjsonDecoderOptions {
  /**
   * Require the last line to end in `\n`, as the spec says. On (the default) a stream cut off right
   * after a complete value is reported as `truncated` instead of passing silently.
   */
  requireFinalNewline?: boolean;
}

/**
 * Incremental NDJSON reader: `push()` bytes in chunks of any size and get back the values of the lines
 * they completed; `end()` returns the last value, if the stream did not end in a newline and that is
 * allowed. Malformed JSON is `bad_json` and invalid UTF-8 is `bad_utf8`, each with the 1-based line.
 */
export class NdjsonDecoder<T = unknown> {
  // fatal: invalid UTF-8 is an error, not U+FFFD; stream: a character split across chunks is held back.
  #text = new TextDecoder('utf-8', { fatal: true });
  #pending = '';
  #line = 0; // lines completed so far
  #ended = false;
  readonly #requireFinalNewline: boolean;

  constructor(options: NdjsonDecoderOptions = {}) {
    this.#requireFinalNewline = options.requireFinalNewline ?? true;
  }

  /** Lines completed so far. */
  get lines(): number {
    return this.#line;
  }

  /** Adds a chunk and returns the values of the lines it completed. */
  push(chunk: Uint8Array): T[] {
    if (this.#ended) throw new CodecError('misuse', 'NDJSON push() after end()');
    const values: T[] = [];
    // Decode line by line: 0x0A never occurs inside a multi-byte UTF-8 sequence, so the split is safe, and
    // a decoding error then belongs to exactly the line being read.
    for (let start = 0; start < chunk.length; ) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl + 1;
      for (const value of this.#take(this.#decode(chunk.subarray(start, end), true))) values.push(value);
      start = end;
    }
    return values;
  }

  /** Marks the end of input and returns the value of an unterminated last line, if allowed. */
  end(): T[] {
    if (this.#ended) return [];
    this.#ended = true;
    const values = this.#take(this.#decode(new Uint8Array(0), false));
    if (this.#pending.trim() === '') return values;
    const line = this.#line + 1;
    if (this.#requireFinalNewline) {
      throw new CodecError('truncated', `NDJSON stream ended inside line ${line} (no final newline)`, {
        value: preview(this.#pending),
        line,
      });
    }
    values.push(this.#parse(this.#pending, line));
    this.#pending = '';
    return values;
  }

  #decode(chunk: Uint8Array, stream: boolean): string {
    try {
      return this.#text.decode(chunk, { stream });
    } catch (cause) {
      const line = this.#line + 1;
      throw new CodecError('bad_utf8', `NDJSON line ${line} is not valid UTF-8`, { line, cause });
    }
  }

  #take(text: string): T[] {
    const values: T[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = this.#pending + text.slice(start, nl);
      this.#pending = '';
      start = nl + 1;
      this.#line += 1;
      // Tolerate \r\n and skip blank lines, as the spec allows.
      const body = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (body.trim() !== '') values.push(this.#parse(body, this.#line));
    }
    this.#pending += text.slice(start);
    return values;
  }

  #parse(text: string, line: number): T {
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new CodecError('bad_json', `NDJSON line ${line} is not valid JSON: ${(cause as Error).message}`, {
        value: preview(text),
        line,
        cause,
      });
    }
  }
}

/** Decodes whole NDJSON bytes into values. */
export function decodeNdjson<T = unknown>(bytes: Uint8Array, options?: NdjsonDecoderOptions): T[] {
  const decoder = new NdjsonDecoder<T>(options);
  return [...decoder.push(bytes), ...decoder.end()];
}

function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
