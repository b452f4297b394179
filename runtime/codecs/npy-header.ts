/**
 * The `.npy` header: magic, version, header length and the Python-dict header text.
 * Spec: NumPy NEP 1 and the `numpy.lib.format` documentation ("Format Version 1.0/2.0/3.0").
 *
 *   \x93NUMPY  major minor  HEADER_LEN (u16 LE in 1.0, u32 LE in 2.0/3.0)  HEADER
 *
 * HEADER is `repr()` of `{'descr': ..., 'fortran_order': ..., 'shape': (...), }`, padded with spaces and
 * ended by `\n` so the whole preamble is a multiple of 64 bytes (NumPy's ARRAY_ALIGN), which keeps the
 * data aligned for memory mapping.
 */
import type { DType } from './dtype.js';
import { CodecError } from './errors.js';
import { PyLiteralError, parsePyLiteral } from './py-literal.js';
import { checkShape, type RowLayout, rowLayout } from './shape.js';

/** The six magic bytes every `.npy` file starts with. */
export const NPY_MAGIC: Uint8Array = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

// NumPy's numpy.lib.format constants: data start alignment, and the room left after the growable
// axis so a file can be appended to in place (GROWTH_AXIS_MAX_DIGITS); matching them makes our header
// byte-identical to np.save's.
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
// NumPy refuses headers past 10,000 characters unless told to trust the file; ours are far smaller, and
// this cap only stops a corrupt length from making a reader buffer without bound.
const MAX_HEADER_BYTES = 1 << 20;

/** The `descr` NumPy writes for each dtype (little-endian; `|` = byte order not applicable). */
export const NPY_DESCR: Readonly<Record<DType, string>> = { uint8: '|u1', float32: '<f4', int32: '<i4' };

/** A parsed `.npy` header with the row layout the streaming reader uses. */
export interface NpyHeader extends RowLayout {
  /** Format version as written in the file, e.g. `'1.0'`. */
  version: '1.0' | '2.0' | '3.0';
  dtype: DType;
  shape: number[];
  /** Bytes before the data: magic, version, length field and header text. */
  dataOffset: number;
  /**
   * Set when the file holds int64 (`'<i8'`, NumPy's default integer) and the caller asked to read it
   * as int32 ({@link parseNpyHeader}'s `int64`): `dtype` is then `int32` and the byte counts are int64's.
   */
  int64?: true;
}

/** The header bytes for a C-order array, byte-identical to `np.save` (NumPy ≥ 1.23). */
export function encodeNpyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  const dims = checkShape(shape, dtype);
  const shapeRepr = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let text = `{'descr': '${NPY_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  // np.save reserves digits after the header for the first axis to grow (numpy.lib.format._write_array_header).
  if (dims.length > 0) text += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(dims[0]).length));
  // As numpy.lib.format._wrap_header: the pad is 1..64 spaces (64, not 0, when already aligned), and
  // version 2.0 (u32 length) is used only when the length does not fit 1.0's u16.
  const padFor = (prefix: number) => ARRAY_ALIGN - ((prefix + text.length + 1) % ARRAY_ALIGN);
  const major = text.length + 1 + padFor(10) <= 0xffff ? 1 : 2;
  const prefix = major === 1 ? 10 : 12;
  const pad = padFor(prefix);
  const total = prefix + text.length + pad + 1;
  const out = new Uint8Array(total);
  out.set(NPY_MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, total - prefix, true);
  else view.setUint32(8, total - prefix, true);
  for (let i = 0; i < text.length; i += 1) out[prefix + i] = text.charCodeAt(i);
  out.fill(0x20, prefix + text.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

/**
 * Looks at the first bytes of a stream and returns the full header length (the data offset) once the
 * fixed preamble is complete, or `undefined` while more bytes are needed. Bad magic or an unknown
 * version is rejected as soon as the offending byte is visible, so a wrong stream fails at once.
 */
export function npyHeaderLength(prefix: Uint8Array): number | undefined {
  const seen = Math.min(prefix.length, NPY_MAGIC.length);
  for (let i = 0; i < seen; i += 1) {
    if (prefix[i] !== NPY_MAGIC[i]) {
      throw new CodecError('bad_magic', 'not a .npy stream: it does not start with \\x93NUMPY', {
        value: Array.from(prefix.subarray(0, seen)),
        offset: i,
      });
    }
  }
  if (prefix.length < 8) return undefined;
  const major = prefix[6];
  const minor = prefix[7];
  if (!(major >= 1 && major <= 3 && minor === 0)) {
    throw new CodecError('bad_header', `unsupported .npy format version ${major}.${minor}`, {
      value: `${major}.${minor}`,
      offset: 6,
    });
  }
  const fieldBytes = major === 1 ? 2 : 4;
  if (prefix.length < 8 + fieldBytes) return undefined;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > MAX_HEADER_BYTES) {
    throw new CodecError('header_too_large', `.npy header length ${length} exceeds ${MAX_HEADER_BYTES}`, {
      value: length,
      offset: 8,
    });
  }
  return 8 + fieldBytes + length;
}

/**
 * Parses a complete header (`bytes` holds at least the data offset's worth of bytes). With `int64`,
 * an `'<i8'` array is accepted as int32 (see {@link NpyHeader.int64}); streaming readers leave it off.
 */
export function parseNpyHeader(bytes: Uint8Array, { int64 = false }: { int64?: boolean } = {}): NpyHeader {
  const dataOffset = npyHeaderLength(bytes);
  if (dataOffset === undefined || bytes.length < dataOffset) {
    throw new CodecError('truncated', `.npy header is incomplete (${bytes.length} bytes)`, {
      value: bytes.length,
    });
  }
  const major = bytes[6];
  const start = major === 1 ? 10 : 12;
  const raw = bytes.subarray(start, dataOffset);
  // 1.0 and 2.0 headers are latin-1, 3.0 is UTF-8 (numpy.lib.format); TextDecoder's 'latin1' is really
  // windows-1252, so latin-1 is decoded by code unit.
  const text = major === 3 ? new TextDecoder('utf-8').decode(raw) : latin1(raw);
  let dict: ReturnType<typeof parsePyLiteral>;
  try {
    dict = parsePyLiteral(text);
  } catch (error) {
    if (!(error instanceof PyLiteralError)) throw error;
    throw new CodecError('bad_header', `.npy header is not a Python literal: ${error.message}`, {
      value: text.trim(),
      offset: start + error.position,
      cause: error,
    });
  }
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw new CodecError('bad_header', '.npy header is not a dict', { value: text.trim() });
  }
  const keys = Object.keys(dict).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw new CodecError('bad_header', `.npy header keys must be descr, fortran_order, shape; got ${keys}`, {
      value: text.trim(),
    });
  }
  const descr = dict.descr;
  const wide = int64 && typeof descr === 'string' && /^[<=]?i8$/.test(descr);
  const dtype = wide ? 'int32' : dtypeOfDescr(descr);
  if (dict.fortran_order !== false) {
    const value = dict.fortran_order;
    throw new CodecError(
      dict.fortran_order === true ? 'unsupported_order' : 'bad_header',
      dict.fortran_order === true
        ? '.npy array is in Fortran (column-major) order; only C order can be streamed by rows — save it with np.ascontiguousarray'
        : `.npy fortran_order must be True or False, got ${String(value)}`,
      { value },
    );
  }
  const shape = checkHeaderShape(dict.shape, dtype);
  const layout = rowLayout(shape, dtype);
  return {
    version: `${major}.0` as NpyHeader['version'],
    dtype,
    shape,
    dataOffset,
    ...layout,
    // int64 elements are twice int32's bytes.
    ...(wide ? { int64: true, rowBytes: 2 * layout.rowBytes, byteLength: 2 * layout.byteLength } : {}),
  };
}

function dtypeOfDescr(descr: unknown): DType {
  if (typeof descr === 'string') {
    if (/^[|<>=]?u1$/.test(descr)) return 'uint8';
    if (descr === '<f4') return 'float32';
    if (descr === '<i4') return 'int32';
  }
  throw new CodecError(
    'unsupported_dtype',
    `.npy dtype ${JSON.stringify(descr)} is not supported; expected '|u1' (uint8), '<f4' (float32) or '<i4' (int32)`,
    { value: descr },
  );
}

function checkHeaderShape(shape: unknown, dtype: DType): number[] {
  try {
    return checkShape(shape, dtype);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new CodecError('bad_header', `.npy ${error.message}`, { value: shape });
  }
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  // In slices: spreading a large header into one call would overflow the argument limit.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}
