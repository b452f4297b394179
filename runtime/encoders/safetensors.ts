import { SafetensorsWriter } from '../codecs/index.js';
import type { BatchEncoder, ImageBodySpec } from './encoder.js';

/**
 * `application/vnd.goe.safetensors`: tensors `images` (N×H×W×C) then `classes` (I32, N). Image rows
 * stream as generated; the class column (4 bytes a row) is held until the end, since safetensors lays
 * tensors out one after the other.
 */
export function safetensorsEncoder(spec: ImageBodySpec): BatchEncoder {
  const { model, digest, seed, start, sigma2 } = spec.metadata;
  const writer = new SafetensorsWriter({
    tensors: [
      { name: 'images', dtype: spec.dtype, shape: [spec.count, ...spec.rowShape] },
      { name: 'classes', dtype: 'int32', shape: [spec.count] },
    ],
    metadata: { model, digest, seed: String(seed), start: String(start), sigma2: String(sigma2) },
  });
  const classes = new Int32Array(spec.count);
  let at = 0;
  return {
    contentType: 'application/vnd.goe.safetensors',
    contentLength: writer.header.dataOffset + writer.header.byteLength,
    head: () => [writer.headerBytes()],
    batch: (b) => {
      classes.set(b.classes, at);
      at += b.count;
      return [writer.write('images', b.data)];
    },
    end: () => {
      const tail = writer.write('classes', classes);
      writer.end();
      return [tail];
    },
  };
}
