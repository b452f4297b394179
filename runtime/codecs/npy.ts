/**
 * NumPy `.npy` (format 1.0/2.0/3.0; NumPy NEP 1 and `numpy.lib.format`): a streaming writer that emits
 * the header first and rows as they are produced, an incremental reader that emits rows as soon as their
 * bytes arrive, and sync helpers for whole files. C order only; dtypes uint8, float32, int32.
 */
import { ByteQueue } from './byte-queue.js';
import {
  type DType,
  type DTypeArrayMap,
  dtypeOf,
  fromLittleEndianBytes,
  type NumericArray,
} from './dtype.js';
import { CodecError } from './errors.js';
import { encodeNpyHeader, type NpyHeader, npyHeaderLength, parseNpyHeader } from './npy-header.js';
import { RowAssembler, RowSink } from './rows.js';
import { checkShape } from './shape.js';
import { codecStream } from './stream.js';

/** What an `.npy` stream declares before its first row. */
export interface NpySpec<D extends DType = DType> {
  dtype: D;
  /** Full shape, first axis = number of rows. */
  shape: readonly number[];
}

/**
 * Writes one `.npy` array: `header()` once, then `write(rows)` per batch, then `end()`, which throws
 * `too_little_data` if fewer rows were written than declared. Each call returns the bytes to send.
 */
export class NpyWriter<D extends DType = DType> {
  readonly spec: NpySpec<D>;
  #sink: RowSink<D>;
  #state: 'new' | 'open' | 'ended' = 'new';

  constructor(spec: NpySpec<D>) {
    const shape = checkShape(spec.shape, spec.dtype);
    this.spec = { dtype: spec.dtype, shape };
    this.#sink = new RowSink(spec.dtype, shape, '.npy');
  }

  /** Rows written so far. */
  get rowsWritten(): number {
    return this.#sink.rowsWritten;
  }

  /** The header bytes; must be called once, first. */
  header(): Uint8Array {
    if (this.#state !== 'new') throw new CodecError('misuse', '.npy header() called twice');
    this.#state = 'open';
    return encodeNpyHeader(this.spec.dtype, this.spec.shape);
  }

  /** The bytes of one batch of whole rows (a flat typed array of the declared dtype, copied). */
  write(rows: DTypeArrayMap[D]): Uint8Array {
    if (this.#state !== 'open') {
      throw new CodecError(
        'misuse',
        `.npy write() ${this.#state === 'new' ? 'before header()' : 'after end()'}`,
      );
    }
    return this.#sink.accept(rows);
  }

  /** Checks that the declared shape was filled. */
  end(): void {
    if (this.#state !== 'open') {
      throw new CodecError('misuse', `.npy end() ${this.#state === 'new' ? 'before header()' : 'twice'}`);
    }
    this.#state = 'ended';
    this.#sink.end();
  }
}

/**
 * A `TransformStream` from row batches to `.npy` bytes. The header is enqueued at once, so a client
 * sees the shape before the first batch is generated; the stream errors if the rows written do not
 * fill the declared shape.
 */
export function npyEncoderStream<D extends DType>(
  spec: NpySpec<D>,
): TransformStream<DTypeArrayMap[D], Uint8Array> {
  return codecStream(() => {
    const writer = new NpyWriter(spec);
    return {
      start: () => [writer.header()],
      push: (rows) => {
        const bytes = writer.write(rows);
        return bytes.length === 0 ? [] : [bytes];
      },
      end: () => {
        writer.end();
        return [];
      },
    };
  });
}

/** What the incremental `.npy` reader emits: the header once, then each row in order. */
export type NpyEvent =
  | { type: 'header'; header: NpyHeader }
  | {
      type: 'row';
      /** Row index along the first axis. */
      index: number;
      /** The row's values, flat in C order (shape `header.rowShape`), in a buffer of its own. */
      data: NumericArray;
    };

/**
 * Incremental `.npy` reader: feed chunks of any size with `push()`; each call returns the events that
 * became complete. `end()` throws `truncated` if the input stopped early. Bytes past the declared data
 * are an error (`trailing_data`), since they mean the stream is not the array its header describes.
 */
export class NpyDecoder {
  #queue = new ByteQueue();
  #header: NpyHeader | undefined;
  #rows: RowAssembler | undefined;
  #ended = false;

  /** The header, once it has been read. */
  get header(): NpyHeader | undefined {
    return this.#header;
  }

  /** Adds a chunk and returns the events it completed. */
  push(chunk: Uint8Array): NpyEvent[] {
    if (this.#ended) throw new CodecError('misuse', '.npy push() after end()');
    this.#queue.push(chunk);
    const events: NpyEvent[] = [];
    if (this.#header === undefined) {
      const length = npyHeaderLength(this.#queue.peek(Math.min(this.#queue.length, 12)));
      if (length === undefined || this.#queue.length < length) return events;
      this.#header = parseNpyHeader(this.#queue.read(length));
      this.#rows = new RowAssembler(this.#header.dtype, this.#header.shape);
      events.push({ type: 'header', header: this.#header });
    }
    this.#rows!.drain(this.#queue, (index, data) => events.push({ type: 'row', index, data }));
    if (this.#rows!.done && this.#queue.length > 0) {
      throw new CodecError('trailing_data', `.npy stream has bytes after the declared data`, {
        value: this.#queue.length,
        offset: this.#queue.consumed,
      });
    }
    return events;
  }

  /** Marks the end of input; throws `truncated` unless the header and every row were complete. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#header === undefined) {
      throw new CodecError(
        'truncated',
        `.npy stream ended inside the header after ${this.#queue.length} bytes`,
        {
          value: this.#queue.length,
          offset: this.#queue.consumed + this.#queue.length,
        },
      );
    }
    const rows = this.#rows!;
    if (!rows.done) {
      const { rowCount, rowBytes } = rows.layout;
      throw new CodecError(
        'truncated',
        `.npy stream ended after ${rows.nextRow} of ${rowCount} rows (${this.#queue.length} of ${rowBytes} bytes of the next row)`,
        { value: rows.nextRow, offset: this.#queue.consumed + this.#queue.length },
      );
    }
  }
}

/** A `TransformStream` from `.npy` bytes to {@link NpyEvent}s. */
export function npyDecoderStream(): TransformStream<Uint8Array, NpyEvent> {
  return codecStream(() => {
    const decoder = new NpyDecoder();
    return {
      push: (chunk) => decoder.push(chunk),
      end: () => {
        decoder.end();
        return [];
      },
    };
  });
}

/** A whole array: flat C-order data with its shape. */
export interface NdArray<D extends DType = DType> {
  dtype: D;
  shape: number[];
  data: DTypeArrayMap[D];
}

/** {@link NdArray} as a union discriminated by `dtype`. */
export type AnyNdArray = { [D in DType]: NdArray<D> }[DType];

/** Encodes a whole array as `.npy` bytes; the dtype follows the typed array. */
export function encodeNpy(data: NumericArray, shape: readonly number[]): Uint8Array {
  const dtype = dtypeOf(data);
  const dims = checkShape(shape, dtype);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new CodecError(
      'bad_argument',
      `encodeNpy: ${data.length} values do not fill shape [${dims.join(', ')}]`,
      {
        value: data.length,
      },
    );
  }
  const writer = new NpyWriter({ dtype, shape: dims });
  const header = writer.header();
  const body = writer.write(data);
  writer.end();
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Decodes a whole `.npy` file; throws `truncated` or `trailing_data` if its length disagrees with its
 * header. int64 (`'<i8'`, NumPy's default integer, e.g. `np.save('labels.npy', np.array([0, 1]))`) is
 * read as int32 when every value fits, else `bad_value` naming the first that does not.
 */
export function decodeNpy(bytes: Uint8Array): AnyNdArray {
  const length = npyHeaderLength(bytes.subarray(0, 12));
  if (length === undefined || bytes.length < length) {
    throw new CodecError('truncated', `.npy file ended inside the header after ${bytes.length} bytes`, {
      value: bytes.length,
    });
  }
  const header = parseNpyHeader(bytes.subarray(0, length), { int64: true });
  const end = header.dataOffset + header.byteLength;
  if (bytes.length < end) {
    throw new CodecError(
      'truncated',
      `.npy file has ${bytes.length - length} of ${header.byteLength} data bytes`,
      {
        value: bytes.length,
        offset: bytes.length,
      },
    );
  }
  if (bytes.length > end) {
    throw new CodecError(
      'trailing_data',
      `.npy file has ${bytes.length - end} bytes after the declared data`,
      {
        value: bytes.length - end,
        offset: end,
      },
    );
  }
  if (header.int64) {
    return { dtype: 'int32', shape: header.shape, data: narrowInt64(bytes.subarray(header.dataOffset, end)) };
  }
  return {
    dtype: header.dtype,
    shape: header.shape,
    data: fromLittleEndianBytes(header.dtype, bytes.subarray(header.dataOffset, end)),
  } as AnyNdArray;
}

/** Little-endian int64 values as int32; `bad_value` for the first outside [−2^31, 2^31 − 1]. */
function narrowInt64(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) {
    const v = view.getBigInt64(i * 8, true);
    if (v < -2147483648n || v > 2147483647n) {
      throw new CodecError('bad_value', `.npy int64 value ${v} at index ${i} does not fit int32`, {
        value: String(v),
        offset: i,
      });
    }
    out[i] = Number(v);
  }
  return out;
}
