/**
 * Streaming writers and incremental readers for the formats goe serves: NumPy `.npy`, safetensors,
 * NDJSON, and PNG (single images and labelled preview grids).
 */
export { ByteQueue } from './byte-queue.js';
export {
  BYTES_PER_ELEMENT,
  DTYPES,
  type DType,
  type DTypeArrayMap,
  dtypeOf,
  fromLittleEndianBytes,
  type NumericArray,
  toLittleEndianBytes,
} from './dtype.js';
export { CodecError, type CodecErrorCode, type CodecErrorOptions, isCodecError } from './errors.js';
export { fontCharacters, GLYPH_HEIGHT, GLYPH_WIDTH, glyph, hasGlyph } from './font5x7.js';
export { encodeGridPng, type GridOptions, renderGrid } from './grid.js';
export {
  decodeNdjson,
  encodeNdjson,
  encodeNdjsonLine,
  NdjsonDecoder,
  type NdjsonDecoderOptions,
  ndjsonDecoderStream,
  ndjsonEncoderStream,
} from './ndjson.js';
export {
  type AnyNdArray,
  decodeNpy,
  encodeNpy,
  type NdArray,
  NpyDecoder,
  type NpyEvent,
  type NpySpec,
  NpyWriter,
  npyDecoderStream,
  npyEncoderStream,
} from './npy.js';
export { encodeNpyHeader, NPY_DESCR, NPY_MAGIC, type NpyHeader, parseNpyHeader } from './npy-header.js';
export { NPZ_MAX_BYTES, type NpzSpec, NpzWriter, npzByteLength } from './npz.js';
export { decodePng, encodePng, type PngChannels, type PngImage } from './png.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsChunk,
  SafetensorsDecoder,
  type SafetensorsEvent,
  type SafetensorsFile,
  type SafetensorsInput,
  type SafetensorsSpec,
  SafetensorsWriter,
  safetensorsDecoderStream,
  safetensorsEncoderStream,
} from './safetensors.js';
export {
  parseSafetensorsHeader,
  SAFETENSORS_DTYPE,
  type SafetensorsHeader,
  type TensorInfo,
  type TensorSpec,
} from './safetensors-header.js';
export { checkShape, type RowLayout, rowLayout } from './shape.js';
export { codecStream, type PushCodec } from './stream.js';
export { drawText, measureText, type RawImage } from './text.js';
