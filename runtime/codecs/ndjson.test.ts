import { describe, expect, it } from 'vitest';
import { encodeNdjson, encodeNdjsonLine, ndjsonDecoderStream, ndjsonEncoderStream } from './ndjson.js';
import {
  chunksOf,
  collect,
  concatBytes,
  codecErrorOf as errorOf,
  streamOf,
  NDJSON_SAMPLES as values,
} from './test-chunks.js';

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
