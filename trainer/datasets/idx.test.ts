import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isDatasetError } from './errors.js';
import { decodeIdx, encodeIdx, readIdxFile } from './idx.js';

/** An IDX file written byte by byte, independently of encodeIdx. */
function handBuilt(): Uint8Array {
  // magic 0x00000803, dims 2 × 2 × 3, then 12 values
  return Uint8Array.from([
    0,
    0,
    8,
    3,
    0,
    0,
    0,
    2,
    0,
    0,
    0,
    2,
    0,
    0,
    0,
    3,
    ...Array.from({ length: 12 }, (_, i) => i * 20),
  ]);
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

describe('decodeIdx', () => {
  it('reads hand-built big-endian images', () => {
    const { shape, data } = decodeIdx(handBuilt(), 'x', 3);
    expect(shape).toEqual([2, 2, 3]);
    expect([...data]).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
  });

  it('reads dimensions above 255 big-endian', () => {
    const bytes = encodeIdx(new Uint8Array(300), [300]);
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 8, 1, 0, 0, 1, 44]);
    expect(decodeIdx(bytes, 'x', 1).shape).toEqual([300]);
  });

  it('round-trips raw and gzipped images and labels', () => {
    const images = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => (i * 7) % 256);
    const labels = Uint8Array.from([3, 1, 4]);
    for (const wrap of [(b: Uint8Array) => b, (b: Uint8Array) => new Uint8Array(gzipSync(b))]) {
      const img = decodeIdx(wrap(encodeIdx(images, [3, 28, 28])), 'images', 3);
      expect(img.shape).toEqual([3, 28, 28]);
      expect(img.data).toEqual(images);
      const lab = decodeIdx(wrap(encodeIdx(labels, [3])), 'labels', 1);
      expect(lab.shape).toEqual([3]);
      expect(lab.data).toEqual(labels);
    }
  });

  it('rejects a bad magic, naming it', () => {
    const bytes = handBuilt();
    bytes[0] = 0x50;
    expect(() => decodeIdx(bytes, '/d/x.idx')).toThrow(/\/d\/x\.idx is not an IDX file: magic 0x50000803/);
    expect(codeOf(() => decodeIdx(Uint8Array.from([0, 0, 0x42, 3, 0, 0, 0, 0]), 'x'))).toBe('bad_magic');
  });

  it('rejects labels where images are expected', () => {
    expect(() => decodeIdx(encodeIdx(new Uint8Array(2), [2]), 'l.idx', 3)).toThrow(
      /magic 0x00000801 \(rank 1\); expected 0x00000803 \(images\)/,
    );
  });

  it('rejects non-uint8 IDX types', () => {
    const bytes = handBuilt();
    bytes[2] = 0x0d;
    expect(codeOf(() => decodeIdx(bytes, 'x'))).toBe('unsupported_dtype');
    expect(() => decodeIdx(bytes, 'x')).toThrow(/float32/);
  });

  it('rejects truncated magic, header and data, and trailing bytes', () => {
    const bytes = handBuilt();
    expect(codeOf(() => decodeIdx(bytes.subarray(0, 3), 'x'))).toBe('truncated');
    expect(codeOf(() => decodeIdx(bytes.subarray(0, 10), 'x'))).toBe('truncated');
    expect(() => decodeIdx(bytes.subarray(0, 20), 'x')).toThrow(
      /declares \[2, 2, 3\] = 12 values, the file has 4/,
    );
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(codeOf(() => decodeIdx(longer, 'x'))).toBe('trailing_data');
  });

  it('rejects a damaged gzip stream', () => {
    const gz = new Uint8Array(gzipSync(handBuilt()));
    expect(codeOf(() => decodeIdx(gz.subarray(0, gz.length - 10), 'x.gz'))).toBe('bad_gzip');
    expect(codeOf(() => decodeIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'x.gz'))).toBe('bad_gzip');
  });
});

describe('readIdxFile', () => {
  it('reads a file and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'goe-idx-'));
    const file = join(dir, 'x-idx3-ubyte.gz');
    writeFileSync(file, gzipSync(handBuilt()));
    expect(readIdxFile(file).shape).toEqual([2, 2, 3]);
    expect(() => readIdxFile(join(dir, 'nope'))).toThrow(/cannot read .*nope: no such file/);
  });
});
