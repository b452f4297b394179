import { describe, expect, it } from 'vitest';
import type { NumericArray } from './dtype.js';
import {
  decodeNpy,
  encodeNpy,
  NpyDecoder,
  type NpyEvent,
  NpyWriter,
  npyDecoderStream,
  npyEncoderStream,
} from './npy.js';
import { encodeNpyHeader, parseNpyHeader } from './npy-header.js';
import { chunksOf, codeOf, collect, concatBytes, pushAll, randomChunks, streamOf } from './test-chunks.js';

function ramp<T extends NumericArray>(make: (n: number) => T, n: number, f: (i: number) => number): T {
  const out = make(n);
  for (let i = 0; i < n; i += 1) out[i] = f(i);
  return out;
}

const u8 = ramp(
  (n) => new Uint8Array(n),
  4 * 28 * 28,
  (i) => (i * 7) % 256,
);
const f32 = ramp(
  (n) => new Float32Array(n),
  5 * 3,
  (i) => (i - 7) / 3,
);
const i32 = ramp(
  (n) => new Int32Array(n),
  6,
  (i) => (i - 3) * 1_000_003,
);

/** Rows of a decode, flattened back into one array. */
function joinRows(events: NpyEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'row' ? Array.from(e.data) : []));
}

/** A hand-made `.npy` header with the given dict text, version and padding. */
function npyWithDict(dict: string, major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const bytes = new Uint8Array(total);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0], 0);
  const view = new DataView(bytes.buffer);
  if (major === 1) view.setUint16(8, total - prefix, true);
  else view.setUint32(8, total - prefix, true);
  bytes.set(new TextEncoder().encode(dict.padEnd(total - prefix - 1, ' ')), prefix);
  bytes[total - 1] = 0x0a;
  return bytes;
}

describe('npy header', () => {
  it('pads the preamble to a multiple of 64 bytes and ends in a newline', () => {
    for (const shape of [[], [0], [3], [2, 3], [4, 28, 28, 1], [123456789, 2]]) {
      const header = encodeNpyHeader('float32', shape);
      expect(header.length % 64).toBe(0);
      expect(header[header.length - 1]).toBe(0x0a);
      expect(header[6]).toBe(1);
      const text = new TextDecoder().decode(header.subarray(10));
      expect(text).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(.*\), \} *\n$/);
      expect(parseNpyHeader(header)).toMatchObject({
        version: '1.0',
        dtype: 'float32',
        shape,
        dataOffset: header.length,
      });
    }
  });

  it('writes a one-tuple with a trailing comma, as Python does', () => {
    const text = new TextDecoder().decode(encodeNpyHeader('uint8', [7]));
    expect(text).toContain("'descr': '|u1'");
    expect(text).toContain("'shape': (7,), }");
  });

  it('reads version 2.0 and 3.0 headers', () => {
    for (const major of [2, 3]) {
      const bytes = npyWithDict("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", major);
      expect(parseNpyHeader(bytes)).toMatchObject({
        version: `${major}.0`,
        dtype: 'int32',
        shape: [2, 2],
        dataOffset: 128,
      });
    }
  });

  it('switches to version 2.0 when the header outgrows a u16 length', () => {
    const shape = new Array(30_000).fill(1);
    const header = encodeNpyHeader('uint8', shape);
    expect(header[6]).toBe(2);
    expect(header.length % 64).toBe(0);
    expect(parseNpyHeader(header).shape).toEqual(shape);
  });

  it('accepts keys in any order, double quotes, and Python 2 long integers', () => {
    const bytes = npyWithDict(`{"shape": (3L, 2L), "fortran_order": False, "descr": "<f4"}`);
    expect(parseNpyHeader(bytes)).toMatchObject({ dtype: 'float32', shape: [3, 2] });
  });
});

describe('npy sync round trip', () => {
  const cases: [string, NumericArray, number[]][] = [
    ['uint8 4-D', u8, [4, 28, 28, 1]],
    ['float32 2-D', f32, [5, 3]],
    ['int32 1-D', i32, [6]],
    ['scalar', Float32Array.of(Math.PI), []],
    ['empty', new Uint8Array(0), [0, 28, 28]],
    ['rows of nothing', new Int32Array(0), [5, 0]],
  ];
  it.each(cases)('%s', (_name, data, shape) => {
    const bytes = encodeNpy(data, shape);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual(shape);
    expect(back.data.constructor).toBe(data.constructor);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('keeps float32 bit patterns (NaN, ±Infinity, -0, subnormals)', () => {
    const data = Float32Array.of(Number.NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38);
    const back = decodeNpy(encodeNpy(data, [6])).data;
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(data.buffer));
  });

  it('decodes from a buffer at an odd offset into an aligned copy', () => {
    const bytes = encodeNpy(f32, [5, 3]);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Array.from(decodeNpy(shifted.subarray(1)).data)).toEqual(Array.from(f32));
  });

  it('rejects data that does not fill the shape', () => {
    expect(codeOf(() => encodeNpy(new Uint8Array(5), [2, 3]))).toBe('bad_argument');
    expect(codeOf(() => encodeNpy(new Uint8Array(6), [2, -3]))).toBe('bad_argument');
    expect(codeOf(() => encodeNpy([1, 2] as unknown as Uint8Array, [2]))).toBe('dtype_mismatch');
  });
});

describe('npy streaming writer', () => {
  it('emits the header before any row, then the rows as written', async () => {
    const stream = streamOf([u8.subarray(0, 784), u8.subarray(784, 3 * 784), u8.subarray(3 * 784)]);
    const chunks = await collect(
      stream.pipeThrough(npyEncoderStream({ dtype: 'uint8', shape: [4, 28, 28, 1] })),
    );
    expect(chunks.map((c) => c.length)).toEqual([128, 784, 2 * 784, 784]);
    expect(concatBytes(chunks)).toEqual(encodeNpy(u8, [4, 28, 28, 1]));
  });

  it('enqueues the header before the first batch is written', async () => {
    const encoder = npyEncoderStream({ dtype: 'float32', shape: [5, 3] });
    const reader = encoder.readable.getReader();
    const first = await reader.read();
    expect(parseNpyHeader(first.value!)).toMatchObject({ shape: [5, 3], dtype: 'float32' });
    reader.releaseLock();
  });

  it('copies rows, so reusing the batch buffer cannot change queued bytes', () => {
    const writer = new NpyWriter({ dtype: 'int32', shape: [2, 1] });
    writer.header();
    const batch = Int32Array.of(1);
    const first = writer.write(batch);
    batch[0] = 2;
    expect(Array.from(first)).toEqual([1, 0, 0, 0]);
  });

  it('errors at the end when fewer rows were written than declared', async () => {
    const stream = streamOf([f32.subarray(0, 6)]).pipeThrough(
      npyEncoderStream({ dtype: 'float32', shape: [5, 3] }),
    );
    await expect(collect(stream)).rejects.toMatchObject({ code: 'too_little_data', value: 2 });
  });

  it('errors as soon as more rows are written than declared', async () => {
    const stream = streamOf([f32, f32.subarray(0, 3)]).pipeThrough(
      npyEncoderStream({ dtype: 'float32', shape: [5, 3] }),
    );
    await expect(collect(stream)).rejects.toMatchObject({ code: 'too_much_data' });
  });

  it('rejects partial rows, other dtypes, and out-of-order calls', () => {
    const writer = new NpyWriter({ dtype: 'float32', shape: [5, 3] });
    expect(codeOf(() => writer.write(f32))).toBe('misuse');
    writer.header();
    expect(codeOf(() => writer.header())).toBe('misuse');
    expect(codeOf(() => writer.write(f32.subarray(0, 4)))).toBe('partial_row');
    expect(codeOf(() => writer.write(new Uint8Array(3) as unknown as Float32Array))).toBe('dtype_mismatch');
    writer.write(f32);
    writer.end();
    expect(codeOf(() => writer.write(f32))).toBe('misuse');
  });

  it('rejects a bad declared shape at construction', () => {
    expect(codeOf(() => new NpyWriter({ dtype: 'uint8', shape: [2.5] }))).toBe('bad_argument');
    expect(codeOf(() => new NpyWriter({ dtype: 'float32', shape: [2 ** 40, 2 ** 20] }))).toBe('bad_argument');
  });
});

describe('npy incremental reader', () => {
  const bytes = encodeNpy(f32, [5, 3]);

  it.each([
    ['whole', [bytes]],
    ['1-byte chunks', chunksOf(bytes, 1)],
    ['random splits', randomChunks(bytes, 1)],
    ['other random splits', randomChunks(bytes, 2, 7)],
  ])('emits the header, then every row in order (%s)', (_name, chunks) => {
    const events = pushAll(new NpyDecoder(), chunks);
    expect(events[0]).toMatchObject({
      type: 'header',
      header: { dtype: 'float32', shape: [5, 3], rowCount: 5, rowShape: [3] },
    });
    expect(events.slice(1).map((e) => (e.type === 'row' ? e.index : -1))).toEqual([0, 1, 2, 3, 4]);
    expect(events.slice(1).every((e) => e.type === 'row' && e.data instanceof Float32Array)).toBe(true);
    expect(joinRows(events)).toEqual(Array.from(f32));
  });

  it('emits each row as soon as its last byte arrives', () => {
    const decoder = new NpyDecoder();
    const header = decoder.push(bytes.subarray(0, 128));
    expect(header.map((e) => e.type)).toEqual(['header']);
    expect(decoder.push(bytes.subarray(128, 128 + 11))).toEqual([]);
    expect(decoder.push(bytes.subarray(128 + 11, 128 + 12)).map((e) => e.type)).toEqual(['row']);
    expect(decoder.push(bytes.subarray(128 + 12, 128 + 36)).length).toBe(2);
  });

  it('round-trips every dtype through encoder and decoder streams with random chunking', async () => {
    for (const [data, shape] of [
      [u8, [4, 28, 28, 1]],
      [i32, [6]],
      [new Int32Array(0), [0, 4]],
    ] as [NumericArray, number[]][]) {
      const encoded = encodeNpy(data, shape);
      const events = await collect(streamOf(randomChunks(encoded, 3)).pipeThrough(npyDecoderStream()));
      expect(events[0]).toMatchObject({ type: 'header', header: { shape } });
      expect(joinRows(events)).toEqual(Array.from(data));
    }
  });

  it('emits zero-byte rows right after the header', () => {
    const events = pushAll(new NpyDecoder(), [encodeNpy(new Uint8Array(0), [3, 0])]);
    expect(events.map((e) => e.type)).toEqual(['header', 'row', 'row', 'row']);
  });

  it('fails on bad magic at the first wrong byte', () => {
    expect(codeOf(() => new NpyDecoder().push(Uint8Array.of(0x89)))).toBe('bad_magic');
    expect(codeOf(() => decodeNpy(new TextEncoder().encode('PK\x03\x04 not npy at all')))).toBe('bad_magic');
  });

  it('fails on a truncated body, naming the rows it got', async () => {
    const cut = bytes.subarray(0, bytes.length - 5);
    const decoder = new NpyDecoder();
    for (const chunk of chunksOf(cut, 1)) decoder.push(chunk);
    expect(() => decoder.end()).toThrowError(/ended after 4 of 5 rows/);
    expect(codeOf(() => decodeNpy(cut))).toBe('truncated');
    await expect(collect(streamOf([cut]).pipeThrough(npyDecoderStream()))).rejects.toMatchObject({
      code: 'truncated',
      value: 4,
    });
  });

  it('fails on a truncated header', () => {
    for (const n of [0, 3, 9, 60]) {
      const decoder = new NpyDecoder();
      decoder.push(bytes.subarray(0, n));
      expect(codeOf(() => decoder.end())).toBe('truncated');
      expect(codeOf(() => decodeNpy(bytes.subarray(0, n)))).toBe('truncated');
    }
  });

  it('fails on bytes after the declared data', () => {
    const long = concatBytes([bytes, Uint8Array.of(0)]);
    expect(codeOf(() => pushAll(new NpyDecoder(), chunksOf(long, 1)))).toBe('trailing_data');
    expect(codeOf(() => decodeNpy(long))).toBe('trailing_data');
  });

  it.each([
    ['Fortran order', "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 'unsupported_order'],
    ['float64', "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 'unsupported_dtype'],
    ['big-endian float32', "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 'unsupported_dtype'],
    [
      'a structured dtype',
      "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
      'unsupported_dtype',
    ],
    ['a missing key', "{'descr': '<f4', 'shape': (2,), }", 'bad_header'],
    ['an extra key', "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 'bad_header'],
    ['a negative dimension', "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 'bad_header'],
    ['a float dimension', "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 'bad_header'],
    ['a non-literal', "{'descr': numpy.float32, 'fortran_order': False, 'shape': (2,), }", 'bad_header'],
    ['an unclosed dict', "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 'bad_header'],
  ])('rejects a header with %s', (_name, dict, code) => {
    expect(codeOf(() => new NpyDecoder().push(npyWithDict(dict)))).toBe(code);
  });

  it('rejects unknown versions and oversized header lengths', () => {
    const bad = encodeNpy(i32, [6]);
    bad[6] = 4;
    expect(codeOf(() => decodeNpy(bad))).toBe('bad_header');
    const huge = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0x7f);
    expect(codeOf(() => new NpyDecoder().push(huge))).toBe('header_too_large');
  });
});
