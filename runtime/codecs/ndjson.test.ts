import { describe, expect, it } from 'vitest';
import { CodecError } from './errors.js';
import { encodeNdjson, encodeNdjsonLine, ndjsonDecoderStream, ndjsonEncoderStream } from './ndjson.js';
import { chunksOf, collect, concatBytes, streamOf } from './test-chunks.js';

const values = [
  { index: 0, text: 'plain ascii', class: 3 },
  { index: 1, text: 'σ²=50 × naïve café — 日本語 🎲🧪', tokens: [1, 2, 3] },
  { index: 2, text: 'line\nbreak and "quotes" and \u2028 separator' },
  [1, 2.5, null, true],
  'a bare string',
  42,
];

function errorOf(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
  throw new Error('expected a CodecError');
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('ndjson encoder', () => {
  it('writes one JSON text per line, each ending in a newline', () => {
    const text = new TextDecoder().decode(encodeNdjson(values));
    const lines = text.split('\n');
    expect(lines).toHaveLength(values.length + 1);
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l))).toEqual(values);
  });

  it('streams one chunk per value', async () => {
    const chunks = await collect(streamOf(values).pipeThrough(ndjsonEncoderStream()));
    expect(chunks).toHaveLength(values.length);
    expect(concatBytes(chunks)).toEqual(encodeNdjson(values));
  });

  it('refuses values JSON cannot hold', () => {
    expect(errorOf(() => encodeNdjsonLine(undefined)).code).toBe('bad_value');
    expect(errorOf(() => encodeNdjsonLine(() => 1)).code).toBe('bad_value');
    expect(errorOf(() => encodeNdjsonLine({ n: 1n })).code).toBe('bad_value');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorOf(() => encodeNdjsonLine(cyclic)).code).toBe('bad_value');
  });
});

// The incremental decoder itself is the SDK's, tested in sdk/ndjson.test.ts; here its web-stream form.
describe('ndjson decoder stream', () => {
  const encoded = encodeNdjson(values);

  it("decodes the encoder's output chunk by chunk", async () => {
    expect(await collect(streamOf(chunksOf(encoded, 3)).pipeThrough(ndjsonDecoderStream()))).toEqual(values);
  });

  it('rejects with the line of malformed JSON', async () => {
    const text = bytes('{"ok":1}\n\n{"broken": tru}\n{"ok":2}\n');
    await expect(collect(streamOf([text]).pipeThrough(ndjsonDecoderStream()))).rejects.toMatchObject({
      code: 'bad_json',
      line: 3,
    });
  });
});
