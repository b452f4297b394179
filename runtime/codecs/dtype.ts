import { CodecError } from './errors.js';

/** Element types the codecs read and write: images (uint8), activations/latents (float32), token ids and classes (int32). */
export type DType = 'uint8' | 'float32' | 'int32';

/** The typed array that holds each {@link DType}. */
export interface DTypeArrayMap {
  uint8: Uint8Array;
  float32: Float32Array;
  int32: Int32Array;
}

/** Any typed array a codec accepts or returns. */
export type NumericArray = DTypeArrayMap[DType];

/** All supported dtypes, in a stable order. */
export const DTYPES: readonly DType[] = ['uint8', 'float32', 'int32'];

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { uint8: 1, float32: 4, int32: 4 };

/** The dtype of a typed array, or a `dtype_mismatch` error for any other value. */
export function dtypeOf(data: unknown): DType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  const what = data === null ? 'null' : typeof data === 'object' ? data.constructor?.name : typeof data;
  throw new CodecError('dtype_mismatch', `expected a Uint8Array, Float32Array or Int32Array, got ${what}`, {
    value: what,
  });
}

/** Throws `dtype_mismatch` unless `data` is the typed array of `dtype`. */
export function expectDtype<D extends DType>(data: unknown, dtype: D, what: string): DTypeArrayMap[D] {
  const actual = dtypeOf(data);
  if (actual !== dtype) {
    throw new CodecError('dtype_mismatch', `${what}: expected ${dtype} data, got ${actual}`, {
      value: actual,
    });
  }
  return data as DTypeArrayMap[D];
}

// Every format here is little-endian. Node runs little-endian on all its tier-1 platforms, but a
// big-endian host (s390x) is supported by Node, so byte order is handled rather than assumed.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The little-endian bytes of `data`, as a fresh copy: writers hand these downstream, and a caller that
 * reuses its array for the next batch must not change bytes already queued.
 */
export function toLittleEndianBytes(data: NumericArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (!HOST_LITTLE_ENDIAN && data.BYTES_PER_ELEMENT === 4) swap32(bytes);
  return bytes;
}

/**
 * A typed array of `dtype` over little-endian `bytes`. The bytes are copied, so the result never aliases
 * the caller's buffer and is always aligned for its element size.
 */
export function fromLittleEndianBytes<D extends DType>(dtype: D, bytes: Uint8Array): DTypeArrayMap[D] {
  const copy = bytes.slice();
  if (!HOST_LITTLE_ENDIAN && BYTES_PER_ELEMENT[dtype] === 4) swap32(copy);
  return viewAs(dtype, copy);
}

/** A view (no copy) of `dtype` over an aligned, host-order byte buffer owned by the caller. */
function viewAs<D extends DType>(dtype: D, bytes: Uint8Array): DTypeArrayMap[D] {
  const n = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  switch (dtype) {
    case 'uint8':
      return bytes as DTypeArrayMap[D];
    case 'float32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, n) as DTypeArrayMap[D];
    default:
      return new Int32Array(bytes.buffer, bytes.byteOffset, n) as DTypeArrayMap[D];
  }
}

function swap32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
