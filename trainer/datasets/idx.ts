/**
 * IDX files, the format of MNIST and Fashion-MNIST (Y. LeCun et al., "THE MNIST DATABASE of handwritten
 * digits"): magic `0x00 0x00 type rank`, then `rank` big-endian uint32 dimensions, then the values in C
 * order. Images are magic 0x00000803 (uint8, N×rows×cols), labels 0x00000801 (uint8, N). Files may be
 * gzipped (detected by the 1f 8b magic, not by the name).
 */
import { gunzipIfNeeded, readBytes } from './bytes.js';
import { DatasetError } from './errors.js';

/** A decoded IDX array: its dimensions and its uint8 values in C order. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** IDX type byte → name, for the error when a file holds a type other than uint8. */
const IDX_TYPES: Readonly<Record<number, string>> = {
  8: 'uint8',
  9: 'int8',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

/** The IDX magic for uint8 images (rank 3). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** The IDX magic for uint8 labels (rank 1). */
export const IDX_LABELS_MAGIC = 0x00000801;

const hex = (magic: number) => `0x${magic.toString(16).padStart(8, '0')}`;

/** True when (already inflated) `bytes` start like an IDX file of uint8 values. */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08 && bytes[3] >= 1;
}

/**
 * Decodes an IDX file (gzipped or raw) of uint8 values. The values are a view into the (inflated) bytes,
 * not a copy.
 *
 * @param source the path or name used in error messages
 * @param rank the rank the caller expects (3 for images, 1 for labels); a different magic is an error
 * @throws {DatasetError} `bad_gzip`, `bad_magic`, `unsupported_dtype`, `truncated` or `trailing_data`
 */
export function decodeIdx(bytes: Uint8Array, source = 'IDX data', rank?: number): IdxArray {
  const raw = gunzipIfNeeded(bytes, source);
  if (raw.length < 4) {
    throw new DatasetError('truncated', `${source} ends after ${raw.length} bytes, inside the IDX magic`, {
      path: source,
      value: raw.length,
    });
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const type = raw[2];
  const ndim = raw[3];
  if (raw[0] !== 0 || raw[1] !== 0 || !(type in IDX_TYPES) || ndim === 0) {
    throw new DatasetError(
      'bad_magic',
      `${source} is not an IDX file: magic ${hex(magic)} (expected 0x000008NN, e.g. ${hex(IDX_IMAGES_MAGIC)} for images)`,
      { path: source, value: magic },
    );
  }
  if (type !== 0x08) {
    throw new DatasetError(
      'unsupported_dtype',
      `${source} holds IDX ${IDX_TYPES[type]} values; goe reads uint8 IDX files only`,
      { path: source, value: IDX_TYPES[type] },
    );
  }
  if (rank !== undefined && ndim !== rank) {
    const want = rank === 3 ? 'images' : rank === 1 ? 'labels' : `rank ${rank}`;
    throw new DatasetError(
      'bad_magic',
      `${source} has IDX magic ${hex(magic)} (rank ${ndim}); expected ${hex(0x800 + rank)} (${want})`,
      { path: source, value: magic },
    );
  }
  const headerLength = 4 + 4 * ndim;
  if (raw.length < headerLength) {
    throw new DatasetError(
      'truncated',
      `${source} ends after ${raw.length} bytes, inside its IDX header of ${headerLength} bytes`,
      { path: source, value: raw.length },
    );
  }
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  const end = headerLength + count;
  if (raw.length < end) {
    throw new DatasetError(
      'truncated',
      `${source} is truncated: its header declares [${shape.join(', ')}] = ${count} values, the file has ${raw.length - headerLength}`,
      { path: source, value: raw.length },
    );
  }
  if (raw.length > end) {
    throw new DatasetError(
      'trailing_data',
      `${source} has ${raw.length - end} bytes after the [${shape.join(', ')}] values its header declares`,
      { path: source, value: raw.length - end },
    );
  }
  return { shape, data: raw.subarray(headerLength, end) };
}

/** Encodes uint8 values as a raw (not gzipped) IDX file; for fixtures and exports. */
export function encodeIdx(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length < 1 || shape.length > 255 || data.length !== count) {
    throw new DatasetError(
      'bad_argument',
      `encodeIdx: ${data.length} values do not fill shape [${shape.join(', ')}]`,
      { value: [...shape] },
    );
  }
  const out = new Uint8Array(4 + 4 * shape.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x800 + shape.length);
  shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d);
  });
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/** Reads and decodes an IDX file (gzipped or raw); see {@link decodeIdx}. */
export function readIdxFile(path: string, rank?: number): IdxArray {
  return decodeIdx(readBytes(path), path, rank);
}
