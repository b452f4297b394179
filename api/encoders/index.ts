import type { OutlierFormat } from '../validation/index.js';
import type { BatchEncoder, ImageBodySpec } from './encoder.js';
import { ndjsonEncoder } from './ndjson.js';
import { npyEncoder } from './npy.js';
import { npzEncoder } from './npz.js';
import { pngEncoder } from './png.js';
import { safetensorsEncoder } from './safetensors.js';

export type { BatchEncoder, EncodableBatch, ImageBodySpec, TextBodySpec } from './encoder.js';
export { CONTENT_TYPES, negotiateFormat } from './media-types.js';
export { type EncodeOptions, encodeBatches } from './stream.js';
export { textNdjsonEncoder } from './text-ndjson.js';

const ENCODERS: Readonly<Record<OutlierFormat, (spec: ImageBodySpec) => BatchEncoder>> = {
  npy: npyEncoder,
  npz: npzEncoder,
  safetensors: safetensorsEncoder,
  ndjson: ndjsonEncoder,
  png: pngEncoder,
};

/** The encoder of `format` for a body described by `spec`. */
export function imageEncoder(format: OutlierFormat, spec: ImageBodySpec): BatchEncoder {
  return ENCODERS[format](spec);
}
