/**
 * The real reader: NumPy's `np.load` (through Python's zipfile, which checks every CRC-32 on read) opens
 * goe's `.npz` alone and finds `images`, `classes` and `indices`. Needs python3 with numpy (Debian
 * `python3-numpy`); fails, never skips, without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPythonJson } from '../../test/helpers/python.js';
import { CodecError } from './errors.js';
import { NPZ_MAX_BYTES, NpzWriter, npzByteLength } from './npz.js';
import { concatBytes } from './test-chunks.js';

const SCRIPT = `
import json, sys, zipfile, numpy as np
path = sys.argv[1]
bad = zipfile.ZipFile(path).testzip()
with np.load(path, allow_pickle=False) as z:
    out = {k: {"shape": list(z[k].shape), "dtype": str(z[k].dtype),
               "values": (z[k].ravel().view('<u4') if z[k].dtype == np.float32 else z[k].ravel()).tolist()}
           for k in z.files}
print(json.dumps({"files": sorted(out), "bad": bad, "arrays": out}))
`;

const dir = mkdtempSync(join(tmpdir(), 'goe-npz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  files: string[];
  bad: string | null;
  arrays: Record<string, { shape: number[]; dtype: string; values: number[] }>;
}

function write(writer: NpzWriter, batches: [Uint8Array | Float32Array, number[]][]): Uint8Array {
  const chunks = [...writer.head()];
  for (const [rows, classes] of batches) chunks.push(...writer.images(rows, classes));
  chunks.push(...writer.end());
  return concatBytes(chunks);
}

describe('NpzWriter, read by numpy', () => {
  it('writes images, classes and indices that np.load reads alone, at the declared length', () => {
    const rowShape = [2, 3, 1];
    const rows = Uint8Array.from({ length: 5 * 6 }, (_, i) => (i * 37) % 256);
    const writer = new NpzWriter({ count: 5, rowShape, dtype: 'uint8', start: 2 ** 40 });
    const bytes = write(writer, [
      [rows.subarray(0, 12), [3, 1]],
      [rows.subarray(12), [0, 9, 4]],
    ]);
    expect(bytes.length).toBe(writer.byteLength);
    expect(bytes.length).toBe(npzByteLength({ count: 5, rowShape, dtype: 'uint8', start: 0 }));
    writeFileSync(join(dir, 'u8.npz'), bytes);
    const seen = runPythonJson<Seen>(['numpy'], SCRIPT, [join(dir, 'u8.npz')]);
    expect(seen.bad).toBeNull();
    expect(seen.files).toEqual(['classes', 'images', 'indices']);
    expect(seen.arrays.images).toEqual({ shape: [5, 2, 3, 1], dtype: 'uint8', values: [...rows] });
    expect(seen.arrays.classes).toEqual({ shape: [5], dtype: 'int32', values: [3, 1, 0, 9, 4] });
    expect(seen.arrays.indices).toEqual({
      shape: [5],
      dtype: 'int64',
      values: [0, 1, 2, 3, 4].map((i) => 2 ** 40 + i),
    });
  });

  it('writes float32 rows bit for bit, and an empty body numpy still opens', () => {
    const f = Float32Array.of(0, 1, 0.5, Number.NaN, -0, 1e-45);
    const bytes = write(new NpzWriter({ count: 3, rowShape: [2], dtype: 'float32', start: 0 }), [
      [f, [1, 1, 2]],
    ]);
    writeFileSync(join(dir, 'f32.npz'), bytes);
    const seen = runPythonJson<Seen>(['numpy'], SCRIPT, [join(dir, 'f32.npz')]);
    expect(seen.arrays.images.values).toEqual([...new Uint32Array(f.buffer)]);
    const empty = write(new NpzWriter({ count: 0, rowShape: [28, 28, 1], dtype: 'uint8', start: 0 }), []);
    writeFileSync(join(dir, 'empty.npz'), empty);
    const none = runPythonJson<Seen>(['numpy'], SCRIPT, [join(dir, 'empty.npz')]);
    expect(none.arrays.images.shape).toEqual([0, 28, 28, 1]);
  });

  it('gives the same bytes however the rows are batched', () => {
    const rows = Uint8Array.from({ length: 4 * 4 }, (_, i) => i);
    const spec = { count: 4, rowShape: [4], dtype: 'uint8' as const, start: 7 };
    const one = write(new NpzWriter(spec), [[rows, [0, 1, 2, 3]]]);
    const many = write(new NpzWriter(spec), [
      [rows.subarray(0, 4), [0]],
      [rows.subarray(4), [1, 2, 3]],
    ]);
    expect(Buffer.from(many).equals(Buffer.from(one))).toBe(true);
  });

  it('refuses a body over 4 GiB (no ZIP64) and rows without classes, naming both', () => {
    expect(
      () => new NpzWriter({ count: 6_000_000, rowShape: [28, 28, 1], dtype: 'float32', start: 0 }),
    ).toThrow(new RegExp(`at most ${NPZ_MAX_BYTES}`));
    const w = new NpzWriter({ count: 2, rowShape: [1], dtype: 'uint8', start: 0 });
    w.head();
    expect(() => w.images(Uint8Array.of(1, 2), [0])).toThrow(CodecError);
    expect(() => w.images(Uint8Array.of(1, 2), [0])).toThrow(/2 rows came with 1 classes/);
    expect(() => w.end()).toThrow(/too|fewer|rows/i);
  });
});
