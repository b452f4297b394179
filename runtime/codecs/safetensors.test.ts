import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsChunk,
  SafetensorsDecoder,
  type SafetensorsEvent,
  SafetensorsWriter,
  safetensorsDecoderStream,
  safetensorsEncoderStream,
} from './safetensors.js';
import { parseSafetensorsHeader } from './safetensors-header.js';
import { chunksOf, codeOf, collect, concatBytes, pushAll, randomChunks, streamOf } from './test-chunks.js';

const images = Float32Array.from({ length: 4 * 2 * 3 }, (_, i) => i / 8 - 1);
const classes = Int32Array.of(3, 1, 4, 1);
const spec = {
  tensors: [
    { name: 'images', dtype: 'float32', shape: [4, 2, 3] },
    { name: 'classes', dtype: 'int32', shape: [4] },
  ],
  metadata: { generator: 'fmnist-cgan', sigma2: '50' },
} as const;

/** Bytes of a file with a hand-written header JSON and buffer. */
function rawFile(header: unknown, buffer: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

describe('safetensors sync round trip', () => {
  it('encodes tensors in order with 8-byte-aligned data and metadata', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'images', data: images, shape: [4, 2, 3] },
        { name: 'classes', data: classes, shape: [4] },
        { name: 'pixels', data: Uint8Array.of(1, 2, 255), shape: [3] },
      ],
      spec.metadata,
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(json).toEqual({
      __metadata__: { generator: 'fmnist-cgan', sigma2: '50' },
      images: { dtype: 'F32', shape: [4, 2, 3], data_offsets: [0, 96] },
      classes: { dtype: 'I32', shape: [4], data_offsets: [96, 112] },
      pixels: { dtype: 'U8', shape: [3], data_offsets: [112, 115] },
    });
    const file = decodeSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(['images', 'classes', 'pixels']);
    expect(file.tensors.images).toEqual({ dtype: 'float32', shape: [4, 2, 3], data: images });
    expect(file.tensors.classes).toEqual({ dtype: 'int32', shape: [4], data: classes });
    expect(file.tensors.pixels.data).toEqual(Uint8Array.of(1, 2, 255));
    expect(file.metadata).toEqual(spec.metadata);
  });

  it('handles scalars, empty tensors, no tensors, and awkward names', () => {
    const bytes = encodeSafetensors([
      { name: '__proto__', data: Float32Array.of(2.5), shape: [] },
      { name: 'none', data: new Uint8Array(0), shape: [0, 28] },
      { name: 'naïve "quoted"', data: Int32Array.of(-7), shape: [1] },
    ]);
    const file = decodeSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(['__proto__', 'none', 'naïve "quoted"']);
    expect(Object.getPrototypeOf(file.tensors)).toBe(Object.prototype);
    expect(Array.from(Object.values(file.tensors)[0].data)).toEqual([2.5]);
    expect(file.tensors.none.shape).toEqual([0, 28]);
    expect(decodeSafetensors(encodeSafetensors([]))).toEqual({ tensors: {}, metadata: {} });
  });

  it('rejects bad tensor lists', () => {
    expect(codeOf(() => encodeSafetensors([{ name: 'a', data: new Uint8Array(3), shape: [2] }]))).toBe(
      'bad_argument',
    );
    const twice = { name: 'a', data: new Uint8Array(1), shape: [1] };
    expect(codeOf(() => encodeSafetensors([twice, twice]))).toBe('bad_argument');
    expect(codeOf(() => encodeSafetensors([{ ...twice, name: '__metadata__' }]))).toBe('bad_argument');
    expect(codeOf(() => encodeSafetensors([twice], { n: 5 as unknown as string }))).toBe('bad_argument');
  });
});

describe('safetensors streaming writer', () => {
  it('emits the header first, then each write, and matches the sync encoder', async () => {
    const chunks: SafetensorsChunk[] = [
      { tensor: 'images', data: images.subarray(0, 6) },
      { tensor: 'images', data: images.subarray(6) },
      { tensor: 'classes', data: classes },
    ];
    const out = await collect(streamOf(chunks).pipeThrough(safetensorsEncoderStream(spec)));
    expect(out.map((c) => c.length).slice(1)).toEqual([24, 72, 16]);
    expect(parseSafetensorsHeader(out[0]).tensors.map((t) => t.name)).toEqual(['images', 'classes']);
    const whole = encodeSafetensors(
      [
        { name: 'images', data: images, shape: [4, 2, 3] },
        { name: 'classes', data: classes, shape: [4] },
      ],
      spec.metadata,
    );
    expect(concatBytes(out)).toEqual(whole);
  });

  it('errors at the end when a tensor is short', async () => {
    const chunks: SafetensorsChunk[] = [{ tensor: 'images', data: images }];
    await expect(collect(streamOf(chunks).pipeThrough(safetensorsEncoderStream(spec)))).rejects.toMatchObject(
      {
        code: 'too_little_data',
        message: expect.stringContaining("'classes'"),
      },
    );
  });

  it('keeps tensors in declared order', () => {
    const writer = new SafetensorsWriter(spec);
    expect(codeOf(() => writer.write('images', images))).toBe('misuse');
    writer.headerBytes();
    writer.write('images', images.subarray(0, 6));
    expect(codeOf(() => writer.write('classes', classes))).toBe('too_little_data');
    writer.write('images', images.subarray(6));
    writer.write('classes', classes);
    expect(codeOf(() => writer.write('images', images.subarray(0, 6)))).toBe('too_much_data');
    expect(codeOf(() => writer.write('labels', classes))).toBe('bad_argument');
    expect(codeOf(() => writer.write('classes', images as unknown as Int32Array))).toBe('dtype_mismatch');
    writer.end();
  });

  it('rejects partial rows and overflow', () => {
    const writer = new SafetensorsWriter(spec);
    writer.headerBytes();
    expect(codeOf(() => writer.write('images', images.subarray(0, 5)))).toBe('partial_row');
    expect(codeOf(() => writer.write('images', Float32Array.from({ length: 30 })))).toBe('too_much_data');
  });
});

describe('safetensors incremental reader', () => {
  const bytes = encodeSafetensors(
    [
      { name: 'images', data: images, shape: [4, 2, 3] },
      { name: 'classes', data: classes, shape: [4] },
    ],
    spec.metadata,
  );

  function check(events: SafetensorsEvent[]): void {
    expect(events.map((e) => e.type)).toEqual(['header', 'row', 'row', 'row', 'row', 'tensor']);
    const rows = events.filter((e) => e.type === 'row');
    expect(rows.map((r) => [r.tensor, r.index])).toEqual([
      ['images', 0],
      ['images', 1],
      ['images', 2],
      ['images', 3],
    ]);
    expect(rows.flatMap((r) => Array.from(r.data))).toEqual(Array.from(images));
    expect(events[5]).toEqual({
      type: 'tensor',
      tensor: 'classes',
      array: { dtype: 'int32', shape: [4], data: classes },
    });
    expect(events[0]).toMatchObject({ type: 'header', header: { metadata: spec.metadata } });
  }

  it.each([
    ['whole', [bytes]],
    ['1-byte chunks', chunksOf(bytes, 1)],
    ['random splits', randomChunks(bytes, 11)],
    ['small random splits', randomChunks(bytes, 12, 5)],
  ])('streams rows of the first tensor and later tensors whole (%s)', (_name, chunks) => {
    check(pushAll(new SafetensorsDecoder(), chunks));
  });

  it('works as a web stream', async () => {
    check(await collect(streamOf(randomChunks(bytes, 13)).pipeThrough(safetensorsDecoderStream())));
  });

  it('streams the tensor that comes first in the buffer, whatever the JSON key order', () => {
    const buffer = concatBytes([new Uint8Array(Int32Array.of(7, 8).buffer), Uint8Array.of(1, 2, 3, 4)]);
    const file = rawFile(
      {
        later: { dtype: 'U8', shape: [2, 2], data_offsets: [8, 12] },
        first: { dtype: 'I32', shape: [2], data_offsets: [0, 8] },
      },
      buffer,
    );
    const events = pushAll(new SafetensorsDecoder(), chunksOf(file, 3));
    expect(events.map((e) => (e.type === 'header' ? 'header' : `${e.type}:${e.tensor}`))).toEqual([
      'header',
      'row:first',
      'row:first',
      'tensor:later',
    ]);
  });

  it('fails on truncated input, naming what is missing', async () => {
    for (const [cut, message] of [
      [4, /inside the header/],
      [20, /inside the header/],
      [bytes.length - 20, /ended after 3 of 4 rows of 'images'/],
      [bytes.length - 1, /15 of 16 bytes of tensor 'classes'/],
    ] as const) {
      const decoder = new SafetensorsDecoder();
      for (const chunk of chunksOf(bytes.subarray(0, cut), 1)) decoder.push(chunk);
      expect(() => decoder.end()).toThrowError(message);
      expect(codeOf(() => decodeSafetensors(bytes.subarray(0, cut)))).toBe('truncated');
    }
    await expect(
      collect(streamOf([bytes.subarray(0, bytes.length - 1)]).pipeThrough(safetensorsDecoderStream())),
    ).rejects.toMatchObject({ code: 'truncated' });
  });

  it('fails on bytes after the buffer', () => {
    const long = concatBytes([bytes, Uint8Array.of(0)]);
    expect(codeOf(() => pushAll(new SafetensorsDecoder(), chunksOf(long, 1)))).toBe('trailing_data');
    expect(codeOf(() => decodeSafetensors(long))).toBe('trailing_data');
  });

  it('rejects a non-safetensors stream as soon as it can tell', () => {
    const npy = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0);
    expect(codeOf(() => new SafetensorsDecoder().push(npy))).toBe('header_too_large');
    const notJson = rawFile('[1, 2]');
    expect(codeOf(() => new SafetensorsDecoder().push(notJson.subarray(0, 9)))).toBe('bad_magic');
  });

  it.each([
    ['invalid JSON', '{"a": ', 'bad_header'],
    ['an unsupported dtype', { a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, 'unsupported_dtype'],
    [
      'a size that disagrees with the shape',
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } },
      'bad_header',
    ],
    ['a hole', { a: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, 'bad_header'],
    [
      'an overlap',
      {
        a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] },
        b: { dtype: 'U8', shape: [2], data_offsets: [1, 3] },
      },
      'bad_header',
    ],
    ['a bad shape', { a: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } }, 'bad_header'],
    ['missing offsets', { a: { dtype: 'U8', shape: [1] } }, 'bad_header'],
    ['non-string metadata', { __metadata__: { n: 1 } }, 'bad_header'],
    ['a zero header length', '', 'bad_header'],
  ])('rejects a header with %s', (_name, header, code) => {
    expect(codeOf(() => decodeSafetensors(rawFile(header, new Uint8Array(4))))).toBe(code);
  });

  it('rejects a header that is not UTF-8', () => {
    const file = rawFile('{"\xff": 1}');
    file[10] = 0xff;
    expect(codeOf(() => decodeSafetensors(file))).toBe('bad_utf8');
  });
});
