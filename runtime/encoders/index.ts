/**
 * Batch encoders: generated rows in, the bytes of one file format out (npy, npz, safetensors, NDJSON, PNG grid).
 * One set for every writer — the HTTP API streams them, `goe sample` writes them to a file.
 */
import type { BatchEncoder, ImageBodySpec, ImageRows } from './encoder.js';
import { ndjsonEncoder } from './ndjson.js';
import { npyEncoder } from './npy.js';
import { npzEncoder } from './npz.js';
import { pngEncoder } from './png.js';
import { safetensorsEncoder } from './safetensors.js';

export type { BatchEncoder, ImageBodySpec, ImageRows, TextBodySpec } from './encoder.js';
export { rowBytes } from './encoder.js';
export { ndjsonEncoder } from './ndjson.js';
export { npyEncoder } from './npy.js';
export { npzEncoder } from './npz.js';
export { PNG_MAX_COUNT, pngEncoder } from './png.js';
export { safetensorsEncoder } from './safetensors.js';

/** The image formats there is an encoder for (the contract's `Format`). */
export type ImageFormat = 'npy' | 'npz' | 'safetensors' | 'ndjson' | 'png';

const ENCODERS: Readonly<Record<ImageFormat, (spec: ImageBodySpec) => BatchEncoder>> = {
  npy: npyEncoder,
  npz: npzEncoder,
  safetensors: safetensorsEncoder,
  ndjson: ndjsonEncoder,
  png: pngEncoder,
};

/** The encoder of `format` for a body described by `spec`. */
export function imageEncoder(format: ImageFormat, spec: ImageBodySpec): BatchEncoder {
  return ENCODERS[format](spec);
}

/**
 * The chunks of `encoder`'s output over `source`, in order: head, one group per batch, end. Pulling
 * drives generation (one batch per pull), so a file written from it keeps memory at about one batch.
 */
export async function* encodeChunks<B = ImageRows>(
  source: AsyncIterable<B>,
  encoder: BatchEncoder<B>,
): AsyncGenerator<Uint8Array> {
  yield* encoder.head();
  for await (const batch of source) yield* encoder.batch(batch);
  yield* encoder.end();
}
