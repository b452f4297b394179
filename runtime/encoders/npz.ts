import { NpzWriter } from '../codecs/index.js';
import type { BatchEncoder, ImageBodySpec } from './encoder.js';

/**
 * `application/x-npz`: NumPy's `.npz` (a stored ZIP, as `np.savez` writes) of `images` (N×H×W×C),
 * `classes` (int32, N) and `indices` (int64, N), which `np.load` reads with nothing but NumPy. Image rows
 * stream as generated; the class column (4 bytes a row) is held until the end. The exact size is known
 * up front; bodies over 4 GiB are refused by the plan (no ZIP64).
 */
export function npzEncoder(spec: ImageBodySpec): BatchEncoder {
  const writer = new NpzWriter({
    count: spec.count,
    rowShape: spec.rowShape,
    dtype: spec.dtype,
    start: spec.metadata.start,
  });
  return {
    contentType: 'application/x-npz',
    contentLength: writer.byteLength,
    head: () => writer.head(),
    batch: (b) => writer.images(b.data, b.classes),
    end: () => writer.end(),
  };
}
