import { describe, expect, it } from 'vitest';
// Test-only helpers shared with the codec suites; nothing the SDK ships imports from runtime/.
import {
  chunksOf,
  concatBytes,
  codecErrorOf as errorOf,
  pushAll,
  randomChunks,
  NDJSON_SAMPLES as values,
} from '../runtime/codecs/test-chunks.js';
import { decodeNdjson, NdjsonDecoder } from './ndjson.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('ndjson incremental decoder', () => {
  const encoded = bytes(values.map((v) => `${JSON.stringify(v)}\n`).join(''));

  it.each([
    ['whole', [encoded]],
    ['1-byte chunks (splitting every multi-byte character)', chunksOf(encoded, 1)],
    ['random splits', randomChunks(encoded, 5, 9)],
    ['more random splits', randomChunks(encoded, 6, 40)],
  ])('decodes every value (%s)', (_name, chunks) => {
    expect(pushAll(new NdjsonDecoder(), chunks)).toEqual(values);
  });

  it('emits a value as soon as its newline arrives', () => {
    const decoder = new NdjsonDecoder();
    expect(decoder.push(bytes('{"a":'))).toEqual([]);
    expect(decoder.push(bytes('1}'))).toEqual([]);
    expect(decoder.push(bytes('\n{"b"'))).toEqual([{ a: 1 }]);
    expect(decoder.push(bytes(':2}\n'))).toEqual([{ b: 2 }]);
    expect(decoder.end()).toEqual([]);
  });

  it('accepts CRLF and skips blank lines', () => {
    expect(decodeNdjson(bytes('{"a":1}\r\n\r\n  \n[2]\n'))).toEqual([{ a: 1 }, [2]]);
  });

  it('names the line of malformed JSON', () => {
    const text = bytes('{"ok":1}\n\n{"broken": tru}\n{"ok":2}\n');
    const error = errorOf(() => pushAll(new NdjsonDecoder(), chunksOf(text, 1)));
    expect(error).toMatchObject({ code: 'bad_json', line: 3, value: '{"broken": tru}' });
    expect(error.message).toMatch(/line 3/);
  });

  it('names the line of invalid UTF-8, even when the bad byte ends a chunk', () => {
    const text = concatBytes([bytes('"a"\n"b"\n"c'), Uint8Array.of(0xc3, 0x28), bytes('"\n')]);
    for (const chunks of [[text], chunksOf(text, 1)]) {
      expect(errorOf(() => pushAll(new NdjsonDecoder(), chunks))).toMatchObject({
        code: 'bad_utf8',
        line: 3,
      });
    }
    // A multi-byte character cut off by the end of input.
    const cut = concatBytes([bytes('"a"\n"'), Uint8Array.of(0xe2, 0x80)]);
    expect(errorOf(() => decodeNdjson(cut))).toMatchObject({ code: 'bad_utf8', line: 2 });
  });

  it('reports a stream cut inside a line as truncated', () => {
    const cut = encoded.subarray(0, encoded.length - 1);
    expect(errorOf(() => decodeNdjson(cut))).toMatchObject({ code: 'truncated', line: values.length });
    // Cut mid-value, it is still truncation rather than bad JSON.
    expect(errorOf(() => decodeNdjson(bytes('{"a":1}\n{"b":')))).toMatchObject({
      code: 'truncated',
      line: 2,
    });
  });

  it('accepts a missing final newline when asked to', () => {
    expect(decodeNdjson(bytes('{"a":1}\n{"b":2}'), { requireFinalNewline: false })).toEqual([
      { a: 1 },
      { b: 2 },
    ]);
    expect(
      errorOf(() => decodeNdjson(bytes('{"a":1}\n{"b":'), { requireFinalNewline: false })),
    ).toMatchObject({
      code: 'bad_json',
      line: 2,
    });
  });

  it('refuses input after end()', () => {
    const decoder = new NdjsonDecoder();
    decoder.end();
    expect(errorOf(() => decoder.push(bytes('1\n'))).code).toBe('misuse');
  });
});
