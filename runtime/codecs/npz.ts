/**
 * NumPy `.npz` with labels: a ZIP archive (stored, not deflated) of three `.npy` arrays, the layout of
 * `np.savez`, so `np.load(f)` reads it with nothing but NumPy:
 * - `images`  N×H×W×C (`|u1`, or `<f4` in [0, 1]), streamed as rows are produced;
 * - `classes` N (`<i4`), the class index of each row, held until the images are written (4 bytes a row);
 * - `indices` N (`<i8`), the row index of each row (`start … start + N − 1`).
 *
 * The ZIP container is written here by hand rather than with a zip library, on purpose: the body must be
 * byte-identical for the same rows (fixed 1980-01-01 timestamps, no extra fields, no OS attributes) and
 * its exact size must be known before the first row is generated (for `Content-Length`), and a library's
 * layout is its own business. It is the smallest ZIP there is: one local header, the data and a data
 * descriptor (the CRC-32 is known only at the end) per entry, then the central directory. Bodies must
 * stay under 4 GiB: ZIP64 is not written (see {@link NPZ_MAX_BYTES}).
 */
import { crc32 } from 'node:zlib';
import { BYTES_PER_ELEMENT, toLittleEndianBytes } from './dtype.js';
import { CodecError } from './errors.js';
import { NpyWriter } from './npy.js';
import { encodeNpyHeader } from './npy-header.js';

/** Largest `.npz` this writer makes: every size and offset of a ZIP without ZIP64 is 32-bit. */
export const NPZ_MAX_BYTES = 0xffff_ffff;

/** What an `.npz` body declares before its first row. */
export interface NpzSpec {
  /** Rows (N). */
  count: number;
  rowShape: readonly number[];
  dtype: 'uint8' | 'float32';
  /** Index of the first row (the `indices` array holds `start … start + count − 1`). */
  start: number;
}

const NAMES = ['images.npy', 'classes.npy', 'indices.npy'] as const;
const LOCAL_HEADER = 30;
const DATA_DESCRIPTOR = 16;
const CENTRAL_HEADER = 46;
const END_OF_CENTRAL_DIRECTORY = 22;
// DOS date 1980-01-01, time 00:00 (the earliest a ZIP can say): a timestamp would make bodies differ.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
// Bit 3: CRC-32 and sizes follow the data in a data descriptor (the CRC is known only at the end).
const FLAGS = 0x0008;
const VERSION = 20;

/** The `<i8` header of an N-vector: the `<i4` header with its descr changed (same length, same padding). */
function int64Header(count: number): Uint8Array {
  const header = encodeNpyHeader('int32', [count]);
  const at = Buffer.from(header).indexOf("'<i4'");
  header[at + 3] = 0x38; // '4' → '8'
  return header;
}

function entrySizes(spec: NpzSpec): number[] {
  const rowElements = spec.rowShape.reduce((a, b) => a * b, 1);
  return [
    encodeNpyHeader(spec.dtype, [spec.count, ...spec.rowShape]).length +
      spec.count * rowElements * BYTES_PER_ELEMENT[spec.dtype],
    encodeNpyHeader('int32', [spec.count]).length + spec.count * 4,
    int64Header(spec.count).length + spec.count * 8,
  ];
}

/** The exact byte length of the `.npz` body of `spec` (it may exceed {@link NPZ_MAX_BYTES}: check it). */
export function npzByteLength(spec: NpzSpec): number {
  let total = END_OF_CENTRAL_DIRECTORY;
  entrySizes(spec).forEach((size, i) => {
    total += LOCAL_HEADER + NAMES[i].length + size + DATA_DESCRIPTOR + CENTRAL_HEADER + NAMES[i].length;
  });
  return total;
}

/**
 * Writes one `.npz`: `head()` once, `images(rows, classes)` per batch in order, `end()` once; each returns
 * the bytes to send. `end()` throws `too_little_data` if fewer rows came than declared.
 * @throws {CodecError} `bad_argument` when the body would exceed {@link NPZ_MAX_BYTES}.
 */
export class NpzWriter {
  readonly byteLength: number;
  #spec: NpzSpec;
  #images: NpyWriter<'uint8' | 'float32'>;
  #classes: Int32Array;
  #rowElements: number;
  #rows = 0;
  #offset = 0;
  #central: Uint8Array[] = [];
  #entry: { name: string; offset: number; crc: number; size: number } | undefined;

  constructor(spec: NpzSpec) {
    this.#spec = spec;
    this.byteLength = npzByteLength(spec);
    if (this.byteLength > NPZ_MAX_BYTES) {
      throw new CodecError(
        'bad_argument',
        `an .npz of ${spec.count} rows would be ${this.byteLength} bytes; at most ${NPZ_MAX_BYTES} (no ZIP64)`,
      );
    }
    this.#images = new NpyWriter({ dtype: spec.dtype, shape: [spec.count, ...spec.rowShape] });
    this.#classes = new Int32Array(spec.count);
    this.#rowElements = spec.rowShape.reduce((a, b) => a * b, 1);
  }

  /** The local header of `images.npy` and the array's `.npy` header. */
  head(): Uint8Array[] {
    return [this.#open(NAMES[0]), this.#data(this.#images.header())];
  }

  /** The bytes of a batch of whole rows (`rows` flat in C order, `classes` one index per row). */
  images(rows: Uint8Array | Float32Array, classes: ArrayLike<number>): Uint8Array[] {
    const n = rows.length / this.#rowElements;
    if (classes.length !== n) {
      throw new CodecError('bad_argument', `.npz: ${n} rows came with ${classes.length} classes`);
    }
    const bytes = this.#images.write(rows as never);
    this.#classes.set(classes, this.#rows);
    this.#rows += n;
    return bytes.length === 0 ? [] : [this.#data(bytes)];
  }

  /** `classes.npy`, `indices.npy` and the central directory. */
  end(): Uint8Array[] {
    this.#images.end();
    const { count, start } = this.#spec;
    const out = [this.#close()];
    out.push(this.#open(NAMES[1]), this.#data(encodeNpyHeader('int32', [count])));
    out.push(this.#data(toLittleEndianBytes(this.#classes)));
    out.push(this.#close());
    const indices = new DataView(new ArrayBuffer(count * 8));
    for (let i = 0; i < count; i++) indices.setBigInt64(i * 8, BigInt(start + i), true);
    out.push(this.#open(NAMES[2]), this.#data(int64Header(count)));
    out.push(this.#data(new Uint8Array(indices.buffer)));
    out.push(this.#close());
    const centralOffset = this.#offset;
    const centralSize = this.#central.reduce((a, b) => a + b.length, 0);
    out.push(...this.#central);
    const eocd = new DataView(new ArrayBuffer(END_OF_CENTRAL_DIRECTORY));
    eocd.setUint32(0, 0x06054b50, true);
    eocd.setUint16(8, NAMES.length, true);
    eocd.setUint16(10, NAMES.length, true);
    eocd.setUint32(12, centralSize, true);
    eocd.setUint32(16, centralOffset, true);
    out.push(new Uint8Array(eocd.buffer));
    this.#offset += centralSize + END_OF_CENTRAL_DIRECTORY;
    if (this.#offset !== this.byteLength) {
      throw new CodecError('misuse', `.npz: wrote ${this.#offset} bytes, declared ${this.byteLength}`);
    }
    return out;
  }

  #open(name: string): Uint8Array {
    const header = new Uint8Array(LOCAL_HEADER + name.length);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, VERSION, true);
    v.setUint16(6, FLAGS, true);
    v.setUint16(8, 0, true); // stored
    v.setUint16(10, DOS_TIME, true);
    v.setUint16(12, DOS_DATE, true);
    // CRC-32 and sizes stay 0 here: bit 3 puts them in the data descriptor.
    v.setUint16(26, name.length, true);
    header.set(Buffer.from(name, 'latin1'), LOCAL_HEADER);
    this.#entry = { name, offset: this.#offset, crc: 0, size: 0 };
    this.#offset += header.length;
    return header;
  }

  #data(bytes: Uint8Array): Uint8Array {
    const e = this.#entry!;
    // Empty chunks are skipped: Node 20's crc32 returns 0 for an empty view of a fresh ArrayBuffer,
    // whatever the running value (seen with the `indices` of a 0-row body).
    if (bytes.length > 0) e.crc = crc32(bytes, e.crc);
    e.size += bytes.length;
    this.#offset += bytes.length;
    return bytes;
  }

  #close(): Uint8Array {
    const e = this.#entry!;
    const descriptor = new DataView(new ArrayBuffer(DATA_DESCRIPTOR));
    descriptor.setUint32(0, 0x08074b50, true);
    descriptor.setUint32(4, e.crc, true);
    descriptor.setUint32(8, e.size, true);
    descriptor.setUint32(12, e.size, true);
    this.#offset += DATA_DESCRIPTOR;
    const central = new Uint8Array(CENTRAL_HEADER + e.name.length);
    const v = new DataView(central.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, VERSION, true); // made by: MS-DOS / FAT attributes (none), spec 2.0
    v.setUint16(6, VERSION, true);
    v.setUint16(8, FLAGS, true);
    v.setUint16(10, 0, true);
    v.setUint16(12, DOS_TIME, true);
    v.setUint16(14, DOS_DATE, true);
    v.setUint32(16, e.crc, true);
    v.setUint32(20, e.size, true);
    v.setUint32(24, e.size, true);
    v.setUint16(28, e.name.length, true);
    v.setUint32(42, e.offset, true);
    central.set(Buffer.from(e.name, 'latin1'), CENTRAL_HEADER);
    this.#central.push(central);
    this.#entry = undefined;
    return new Uint8Array(descriptor.buffer);
  }
}
