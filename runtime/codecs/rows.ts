/**
 * The row bookkeeping shared by the streaming writers and incremental readers: an array of known shape
 * travels as whole rows along its first axis, and both ends check the count against the declared shape.
 */
import type { ByteQueue } from './byte-queue.js';
import {
  type DType,
  type DTypeArrayMap,
  expectDtype,
  fromLittleEndianBytes,
  toLittleEndianBytes,
} from './dtype.js';
import { CodecError } from './errors.js';
import { type RowLayout, rowLayout } from './shape.js';

/** Accepts whole rows for one declared array and turns them into little-endian bytes. */
export class RowSink<D extends DType = DType> {
  readonly layout: RowLayout;
  #written = 0; // elements

  /** `what` names the array in errors, e.g. `.npy` or `tensor 'images'`. */
  constructor(
    readonly dtype: D,
    readonly shape: readonly number[],
    readonly what: string,
  ) {
    this.layout = rowLayout(shape, dtype);
  }

  /** Rows accepted so far. */
  get rowsWritten(): number {
    return this.layout.rowSize === 0 ? 0 : this.#written / this.layout.rowSize;
  }

  /** True once every declared element has been written. */
  get complete(): boolean {
    return this.#written === this.layout.size;
  }

  /** Validates one write of whole rows and returns its bytes (a copy). */
  accept(data: DTypeArrayMap[D]): Uint8Array {
    const rows = expectDtype(data, this.dtype, this.what);
    const { rowSize, size } = this.layout;
    if (rows.length === 0) return new Uint8Array(0);
    if (rows.length % rowSize !== 0) {
      throw new CodecError(
        'partial_row',
        `${this.what}: a write of ${rows.length} values is not a whole number of rows of ${rowSize}`,
        { value: rows.length },
      );
    }
    if (this.#written + rows.length > size) {
      throw new CodecError(
        'too_much_data',
        `${this.what}: writing ${rows.length / rowSize} rows after ${this.rowsWritten} exceeds the declared ${this.layout.rowCount}`,
        { value: (this.#written + rows.length) / rowSize },
      );
    }
    this.#written += rows.length;
    return toLittleEndianBytes(rows);
  }

  /** Throws `too_little_data` unless the declared shape is filled. */
  end(): void {
    if (!this.complete) {
      throw new CodecError(
        'too_little_data',
        `${this.what}: ended after ${this.rowsWritten} of ${this.layout.rowCount} declared rows`,
        { value: this.rowsWritten },
      );
    }
  }
}

/** Cuts whole rows of one array out of a {@link ByteQueue} as their bytes arrive. */
export class RowAssembler<D extends DType = DType> {
  readonly layout: RowLayout;
  #next = 0;

  constructor(
    readonly dtype: D,
    readonly shape: readonly number[],
  ) {
    this.layout = rowLayout(shape, dtype);
  }

  /** Index of the next row to be completed. */
  get nextRow(): number {
    return this.#next;
  }

  /** True once every row has been emitted. */
  get done(): boolean {
    return this.#next === this.layout.rowCount;
  }

  /** Calls `emit` for each row whose bytes are all in `queue`, consuming them. */
  drain(queue: ByteQueue, emit: (index: number, data: DTypeArrayMap[D]) => void): void {
    const { rowBytes, rowCount } = this.layout;
    while (this.#next < rowCount && queue.length >= rowBytes) {
      const data = fromLittleEndianBytes(this.dtype, queue.read(rowBytes));
      emit(this.#next, data);
      this.#next += 1;
    }
  }
}
