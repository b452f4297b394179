import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodePng } from '../../runtime/codecs/index.js';
import { isDatasetError } from './errors.js';
import { encodeIdx } from './idx.js';
import { loadImagePath } from './user-path.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'goe-user-'));
const pixels = (n: number) => Uint8Array.from({ length: n * 784 }, (_, i) => (i * 31) % 256);

function write(dir: string, name: string, bytes: Uint8Array | string): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isDatasetError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('loadImagePath: .npy', () => {
  const dir = tmp();

  it('reads uint8 N×28×28 and N×28×28×1', () => {
    for (const shape of [
      [3, 28, 28],
      [3, 28, 28, 1],
    ]) {
      const file = write(dir, `u8-${shape.length}.npy`, encodeNpy(pixels(3), shape));
      const s = loadImagePath(file);
      expect(s.name).toBe(`u8-${shape.length}.npy`);
      expect(s.shape).toEqual([3, 28, 28, 1]);
      expect(s.images).toEqual(pixels(3));
    }
  });

  it('quantises float32 in [0, 1] by round(x · 255)', () => {
    const data = Float32Array.from({ length: 784 }, (_, i) => (i % 5) / 4);
    const s = loadImagePath(write(dir, 'f32.npy', encodeNpy(data, [1, 28, 28])));
    expect([...s.images.subarray(0, 5)]).toEqual([0, 64, 128, 191, 255]);
  });

  it('rejects float32 outside [0, 1], naming the value', () => {
    const data = new Float32Array(784);
    data[17] = 1.5;
    const file = write(dir, 'over.npy', encodeNpy(data, [1, 28, 28]));
    expect(() => loadImagePath(file)).toThrow(
      `${file}: float32 pixels must lie in [0, 1], got 1.5 at flat index 17`,
    );
    data[17] = Number.NaN;
    expect(codeOf(() => loadImagePath(write(dir, 'nan.npy', encodeNpy(data, [1, 28, 28]))))).toBe(
      'bad_value',
    );
  });

  it('rejects other sizes and shapes, naming them', () => {
    const f32 = write(dir, 'big.npy', encodeNpy(new Uint8Array(2 * 32 * 32), [2, 32, 32]));
    expect(() => loadImagePath(f32)).toThrow(`expected 28×28 images, got 32×32 in ${f32}`);
    const flat = write(dir, 'flat.npy', encodeNpy(new Uint8Array(2 * 784), [2, 784]));
    expect(() => loadImagePath(flat)).toThrow(/got shape \[2, 784\]/);
    const rgb = write(dir, 'rgb.npy', encodeNpy(new Uint8Array(3 * 784), [1, 28, 28, 3]));
    expect(() => loadImagePath(rgb)).toThrow(/got shape \[1, 28, 28, 3\]/);
  });

  it('rejects int32 and broken files', () => {
    const i32 = write(dir, 'i32.npy', encodeNpy(new Int32Array(784), [1, 28, 28]));
    expect(() => loadImagePath(i32)).toThrow(
      /holds int32 values; expected uint8 \(0–255\) or float32 in \[0, 1\]/,
    );
    const whole = encodeNpy(pixels(2), [2, 28, 28]);
    expect(codeOf(() => loadImagePath(write(dir, 'cut.npy', whole.subarray(0, whole.length - 5))))).toBe(
      'truncated',
    );
    expect(codeOf(() => loadImagePath(write(dir, 'fake.npy', 'not numpy at all')))).toBe('bad_magic');
  });
});

describe('loadImagePath: IDX', () => {
  const dir = tmp();
  const idx = encodeIdx(pixels(4), [4, 28, 28]);

  it('reads raw and gzipped files, by magic whatever the name', () => {
    for (const [name, bytes] of [
      ['digits-idx3-ubyte', idx],
      ['digits-idx3-ubyte.gz', gzipSync(idx)],
      ['anything.bin', gzipSync(idx)],
    ] as const) {
      const s = loadImagePath(write(dir, name, bytes));
      expect(s.name).toBe(name);
      expect(s.shape).toEqual([4, 28, 28, 1]);
      expect(s.images).toEqual(pixels(4));
    }
  });

  it('rejects a label file and other sizes', () => {
    const labels = write(dir, 'labels-idx1-ubyte', encodeIdx(new Uint8Array(4), [4]));
    expect(() => loadImagePath(labels)).toThrow(/expected 0x00000803 \(images\)/);
    const small = write(dir, 'small-idx3-ubyte', encodeIdx(new Uint8Array(16 * 16), [1, 16, 16]));
    expect(() => loadImagePath(small)).toThrow(`expected 28×28 images, got 16×16 in ${small}`);
  });
});

describe('loadImagePath: PNG folder', () => {
  it('reads grey, RGB and RGBA PNGs in name order, colour turned grey', () => {
    const dir = join(tmp(), 'my-set');
    mkdirSync(dir);
    write(dir, 'b.png', encodePng(new Uint8Array(784).fill(200), 28, 28, 1));
    const rgb = new Uint8Array(784 * 3);
    for (let i = 0; i < 784; i++) rgb.set([255, 0, 0], i * 3);
    write(dir, 'a.png', encodePng(rgb, 28, 28, 3));
    const rgba = new Uint8Array(784 * 4).fill(50);
    write(dir, 'c.PNG', encodePng(rgba, 28, 28, 4));
    write(dir, 'README.txt', 'ignored');
    const s = loadImagePath(`${dir}/`);
    expect(s.name).toBe('my-set');
    expect(s.shape).toEqual([3, 28, 28, 1]);
    expect([s.images[0], s.images[784], s.images[2 * 784]]).toEqual([76, 200, 50]); // a (red → luma), b, c
  });

  it('reads a PNG whose tRNS marks a colour transparent with that colour kept', () => {
    // What PNG optimisers and Pillow's save(transparency=255) write: white background marked transparent.
    const withTrns = (png: Uint8Array, data: number[]) => {
      const body = Uint8Array.of(...Buffer.from('tRNS'), ...data);
      const chunk = Buffer.alloc(12 + data.length);
      chunk.writeUInt32BE(data.length, 0);
      chunk.set(body, 4);
      chunk.writeUInt32BE(crc32(body), 8 + data.length);
      return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]); // after IHDR
    };
    const grey = Uint8Array.from({ length: 784 }, (_, i) => (i % 5 === 0 ? 30 : 255));
    const rgb = Uint8Array.from({ length: 784 * 3 }, (_, i) => grey[Math.floor(i / 3)]);
    const plain = join(tmp(), 'plain');
    const marked = join(tmp(), 'marked');
    mkdirSync(plain);
    mkdirSync(marked);
    write(plain, 'a.png', encodePng(grey, 28, 28, 1));
    write(plain, 'b.png', encodePng(rgb, 28, 28, 3));
    write(marked, 'a.png', withTrns(encodePng(grey, 28, 28, 1), [0, 255]));
    write(marked, 'b.png', withTrns(encodePng(rgb, 28, 28, 3), [0, 255, 0, 255, 0, 255]));
    const want = loadImagePath(plain).images;
    expect(want.subarray(0, 784)).toEqual(grey);
    expect(loadImagePath(marked).images).toEqual(want);
  });

  it('names a PNG of another size', () => {
    const dir = tmp();
    write(dir, 'ok.png', encodePng(new Uint8Array(784), 28, 28, 1));
    const bad = write(dir, 'wide.png', encodePng(new Uint8Array(28 * 32), 28, 32, 1));
    expect(() => loadImagePath(dir)).toThrow(`expected 28×28 images, got 28×32 in ${bad}`);
  });

  it('rejects an empty folder and an unreadable PNG', () => {
    const dir = tmp();
    write(dir, 'x.jpg', 'not a png');
    expect(() => loadImagePath(dir)).toThrow(`${dir} holds no .png images`);
    const broken = write(dir, 'broken.png', 'not a png');
    expect(() => loadImagePath(dir)).toThrow(`${broken} is not a readable PNG`);
  });
});

describe('loadImagePath: other paths', () => {
  it('names a missing path', () => {
    const missing = join(tmp(), 'nope.npy');
    expect(() => loadImagePath(missing)).toThrow(`cannot read ${missing}: no such file or folder`);
    expect(codeOf(() => loadImagePath(missing))).toBe('unreadable');
  });

  it('rejects a file of another kind', () => {
    const dir = tmp();
    const png = write(dir, 'one.png', encodePng(new Uint8Array(784), 28, 28, 1));
    expect(() => loadImagePath(png)).toThrow(
      /neither an IDX image file .* nor a \.npy array; for PNG images, name the folder/,
    );
    expect(codeOf(() => loadImagePath(write(dir, 'notes.txt', 'hello')))).toBe('unsupported_format');
  });
});
