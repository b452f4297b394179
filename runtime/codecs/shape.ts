import { BYTES_PER_ELEMENT, type DType } from './dtype.js';
import { CodecError } from './errors.js';

/**
 * How an array of a given shape splits into rows along its first axis — the unit the streaming writers
 * accept and the incremental readers emit. A 0-d array (a scalar) is one row of one element.
 */
export interface RowLayout {
  /** Number of rows: `shape[0]`, or 1 for a scalar. */
  rowCount: number;
  /** Shape of one row: `shape.slice(1)`. */
  rowShape: number[];
  /** Elements in one row. */
  rowSize: number;
  /** Bytes in one row. */
  rowBytes: number;
  /** Elements in the whole array. */
  size: number;
  /** Bytes in the whole array. */
  byteLength: number;
}

/**
 * Checks that `shape` is a list of non-negative safe integers whose byte size is a safe integer, and
 * returns a copy. `what` names the shape in the error.
 */
export function checkShape(shape: unknown, dtype: DType, what = 'shape'): number[] {
  if (!Array.isArray(shape)) {
    throw new CodecError('bad_argument', `${what} must be an array of non-negative integers`, {
      value: shape,
    });
  }
  let size = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new CodecError('bad_argument', `${what} has an invalid dimension ${String(dim)}`, {
        value: shape,
      });
    }
    size *= dim;
  }
  if (!Number.isSafeInteger(size * BYTES_PER_ELEMENT[dtype])) {
    throw new CodecError('bad_argument', `${what} [${shape.join(', ')}] is too large`, { value: shape });
  }
  return [...shape];
}

/** The row layout of a checked shape. */
export function rowLayout(shape: readonly number[], dtype: DType): RowLayout {
  const rowShape = shape.slice(1);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const rowCount = shape.length === 0 ? 1 : shape[0];
  const size = rowCount * rowSize;
  const bytes = BYTES_PER_ELEMENT[dtype];
  return { rowCount, rowShape, rowSize, rowBytes: rowSize * bytes, size, byteLength: size * bytes };
}
