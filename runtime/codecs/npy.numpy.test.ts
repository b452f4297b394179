/**
 * The real reader: NumPy loads our `.npy` files with the same shape, dtype and values, and we read the
 * files NumPy writes. Needs python3 with numpy (Debian `python3-numpy`); fails, never skips, without it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPythonJson } from '../../test/helpers/python.js';
import type { NumericArray } from './dtype.js';
import { decodeNpy, encodeNpy, npyEncoderStream } from './npy.js';
import { collect, concatBytes, streamOf } from './test-chunks.js';

// Loads each file, reports what NumPy sees (float32 as bit patterns, so NaN and -0 compare exactly), and
// re-saves it with np.save so the test can compare bytes; also writes arrays our reader must refuse.
const SCRIPT = `
import json, sys, numpy as np
out = {}
d = sys.argv[1]
for name in json.loads(sys.argv[2]):
    a = np.load(f"{d}/{name}.npy", allow_pickle=False)
    flat = a.ravel()
    values = flat.view('<u4') if a.dtype == np.float32 else flat
    out[name] = {"shape": list(a.shape), "dtype": str(a.dtype), "c": bool(a.flags.c_contiguous),
                 "values": values.tolist()}
    np.save(f"{d}/{name}.resaved.npy", a)
np.save(f"{d}/fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save(f"{d}/float64.npy", np.arange(3, dtype=np.float64))
np.save(f"{d}/bool.npy", np.array([True, False]))
print(json.dumps({"version": np.__version__, "files": out}))
`;

interface Seen {
  shape: number[];
  dtype: string;
  c: boolean;
  values: number[];
}

function bitsOf(data: NumericArray): number[] {
  return data instanceof Float32Array
    ? Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length))
    : Array.from(data);
}

const u8 = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => (i * 31 + (i >> 5)) % 256);
const f32 = Float32Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
f32.set([Number.NaN, Infinity, -Infinity, -0, 1e-45], 0);
const i32 = Int32Array.of(0, 1, -1, 2147483647, -2147483648, 9);

const arrays: Record<string, { data: NumericArray; shape: number[]; dtype: string }> = {
  images_u8: { data: u8, shape: [3, 28, 28, 1], dtype: 'uint8' },
  latents_f32: { data: f32, shape: [7, 5], dtype: 'float32' },
  classes_i32: { data: i32, shape: [6], dtype: 'int32' },
  scalar_f32: { data: Float32Array.of(0.1), shape: [], dtype: 'float32' },
  empty_u8: { data: new Uint8Array(0), shape: [0, 28, 28], dtype: 'uint8' },
};

describe('npy with NumPy as the reader', () => {
  let dir: string;
  let seen: { version: string; files: Record<string, Seen> };
  let streamed: Uint8Array;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'goe-npy-'));
    for (const [name, { data, shape }] of Object.entries(arrays))
      writeFileSync(join(dir, `${name}.npy`), encodeNpy(data, shape));
    // One file written through the streaming encoder, batch by batch.
    const batches = [u8.subarray(0, 784), u8.subarray(784)];
    streamed = concatBytes(
      await collect(
        streamOf(batches).pipeThrough(npyEncoderStream({ dtype: 'uint8', shape: [3, 28, 28, 1] })),
      ),
    );
    writeFileSync(join(dir, 'streamed_u8.npy'), streamed);
    seen = runPythonJson(['numpy'], SCRIPT, [dir, JSON.stringify([...Object.keys(arrays), 'streamed_u8'])]);
  });

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(arrays))('numpy.load reads %s with identical shape, dtype and values', (name) => {
    const { data, shape, dtype } = arrays[name];
    expect(seen.files[name]).toEqual({ shape, dtype, c: true, values: bitsOf(data) });
  });

  it('numpy.load reads a streamed file like a whole one', () => {
    expect(seen.files.streamed_u8).toEqual(seen.files.images_u8);
  });

  it.each(Object.keys(arrays))('our bytes for %s equal np.save of the same array', (name) => {
    const ours = readFileSync(join(dir, `${name}.npy`));
    const theirs = readFileSync(join(dir, `${name}.resaved.npy`));
    expect(new Uint8Array(ours)).toEqual(new Uint8Array(theirs));
  });

  it.each(Object.keys(arrays))('decodeNpy reads np.save output of %s', (name) => {
    const back = decodeNpy(readFileSync(join(dir, `${name}.resaved.npy`)));
    expect(back.shape).toEqual(arrays[name].shape);
    expect(bitsOf(back.data)).toEqual(bitsOf(arrays[name].data));
  });

  it.each([
    ['fortran', 'unsupported_order'],
    ['float64', 'unsupported_dtype'],
    ['bool', 'unsupported_dtype'],
  ])('decodeNpy refuses NumPy %s arrays with a clear error', (name, code) => {
    expect(() => decodeNpy(readFileSync(join(dir, `${name}.npy`)))).toThrowError(
      expect.objectContaining({ code }),
    );
  });
});
