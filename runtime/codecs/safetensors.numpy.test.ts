/**
 * An independent reader for our safetensors: a short Python script that follows the format spec with
 * struct, json and numpy.frombuffer (the `safetensors` package is not installed here), and checks the
 * rules the reference loader enforces (8-byte u64 length, JSON starting with '{', full coverage).
 * Needs python3 with numpy (Debian `python3-numpy`); fails, never skips, without it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPythonJson } from '../../test/helpers/python.js';
import { decodeSafetensors, type SafetensorsChunk, safetensorsEncoderStream } from './safetensors.js';
import { collect, concatBytes, streamOf } from './test-chunks.js';

const SCRIPT = `
import json, struct, sys, numpy as np
DTYPES = {"U8": np.uint8, "F32": np.dtype("<f4"), "I32": np.dtype("<i4")}
def load(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert raw[8:9] == b"{", "header must start with {"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    buf = raw[8 + n:]
    spans = sorted(tuple(t["data_offsets"]) for t in header.values())
    pos = 0
    for b, e in spans:
        assert b == pos, "hole or overlap"
        pos = e
    assert pos == len(buf), "buffer not fully indexed"
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        a = np.frombuffer(buf[b:e], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        flat = a.ravel()
        out[name] = {"shape": list(a.shape), "dtype": str(a.dtype),
                     "values": (flat.view("<u4") if a.dtype == np.float32 else flat).tolist()}
    return {"n": n, "metadata": meta, "tensors": out}
d = sys.argv[1]
result = {"ours": load(f"{d}/ours.safetensors")}
# A file written independently of our encoder, in another layout (classes first, keys reversed).
cls = np.array([2, 0, 1], dtype="<i4")
img = (np.arange(3 * 2 * 2, dtype="<f4") / 4 - 1).reshape(3, 2, 2)
header = {"images": {"dtype": "F32", "shape": [3, 2, 2], "data_offsets": [12, 12 + img.nbytes]},
          "classes": {"dtype": "I32", "shape": [3], "data_offsets": [0, 12]},
          "__metadata__": {"format": "np"}}
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(f"{d}/theirs.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + cls.tobytes() + img.tobytes())
print(json.dumps(result))
`;

const images = Float32Array.from({ length: 5 * 28 * 28 }, (_, i) => Math.cos(i) * 3);
images.set([Number.NaN, -0, Infinity], 0);
const classes = Int32Array.of(9, 0, -1, 2147483647, 4);

describe('safetensors with an independent NumPy reader', () => {
  let dir: string;
  let seen: {
    ours: {
      n: number;
      metadata: Record<string, string>;
      tensors: Record<string, { shape: number[]; dtype: string; values: number[] }>;
    };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'goe-safetensors-'));
    const chunks: SafetensorsChunk[] = [];
    for (let row = 0; row < 5; row += 1)
      chunks.push({ tensor: 'images', data: images.subarray(row * 784, (row + 1) * 784) });
    chunks.push({ tensor: 'classes', data: classes });
    const encoder = safetensorsEncoderStream({
      tensors: [
        { name: 'images', dtype: 'float32', shape: [5, 28, 28, 1] },
        { name: 'classes', dtype: 'int32', shape: [5] },
      ],
      metadata: { generator: 'fmnist-cgan', 'σ²': '50' },
    });
    writeFileSync(
      join(dir, 'ours.safetensors'),
      concatBytes(await collect(streamOf(chunks).pipeThrough(encoder))),
    );
    seen = runPythonJson(['numpy'], SCRIPT, [dir]);
  });

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('reads our streamed file with identical shapes, dtypes and values', () => {
    expect(seen.ours.metadata).toEqual({ generator: 'fmnist-cgan', 'σ²': '50' });
    expect((8 + seen.ours.n) % 8).toBe(0);
    expect(seen.ours.tensors.images).toEqual({
      shape: [5, 28, 28, 1],
      dtype: 'float32',
      values: Array.from(new Uint32Array(images.buffer)),
    });
    expect(seen.ours.tensors.classes).toEqual({ shape: [5], dtype: 'int32', values: Array.from(classes) });
  });

  it('we read a file laid out by Python', () => {
    const file = decodeSafetensors(readFileSync(join(dir, 'theirs.safetensors')));
    expect(Object.keys(file.tensors)).toEqual(['classes', 'images']);
    expect(file.tensors.classes.data).toEqual(Int32Array.of(2, 0, 1));
    expect(file.tensors.images.shape).toEqual([3, 2, 2]);
    expect(Array.from(file.tensors.images.data)).toEqual(Array.from({ length: 12 }, (_, i) => i / 4 - 1));
    expect(file.metadata).toEqual({ format: 'np' });
  });
});
