/**
 * Stable machine-readable reasons a dataset loader fails. The CLI and the trainer switch on these, so they
 * never change meaning once released.
 */
export type DatasetErrorCode =
  /** A catalogued dataset is in none of the folders tried (the message says how to install it). */
  | 'not_found'
  /** A path a user named is missing or cannot be read. */
  | 'unreadable'
  /** A file whose type goe cannot tell (not IDX, `.npy`, PNG or JPEG). */
  | 'unsupported_format'
  /** A text file that is not UTF-8 (nor UTF-16 with a byte-order mark). */
  | 'bad_encoding'
  /** The leading magic bytes are not those of the format. */
  | 'bad_magic'
  /** A header that is unreadable or that the loader cannot serve (a `.npy` in Fortran order, ...). */
  | 'bad_header'
  /** A gzip stream that does not inflate. */
  | 'bad_gzip'
  /** A file ended before the data its header declares. */
  | 'truncated'
  /** Bytes after the data a header declares. */
  | 'trailing_data'
  /** An element type goe does not read here (IDX int16/float, `.npy` int32, ...). */
  | 'unsupported_dtype'
  /** Images of the wrong size, rank or channel count. */
  | 'bad_shape'
  /** Pixel or label values out of range (float pixels outside [0, 1], NaN, a label past the class list). */
  | 'bad_value'
  /** An image file its decoder rejects. */
  | 'bad_image'
  /** Image and label files that disagree on the number of samples. */
  | 'label_mismatch'
  /** A folder with no image goe can read. */
  | 'empty'
  /** An OOD set name that is neither built in nor an existing path. */
  | 'unknown_set'
  /** A caller passed an argument out of range (negative count, index past the end, ...). */
  | 'bad_argument';

/** What a {@link DatasetError} is about, when the loader knows. */
export interface DatasetErrorOptions {
  /** The file or folder at fault. */
  path?: string;
  /** The offending value (a shape, a magic number, a count), kept short. */
  value?: unknown;
  /** The underlying error (fs, zlib, a codec). */
  cause?: unknown;
}

/**
 * The one error type the dataset loaders throw. `code` is stable; `path` and `value` carry the offending
 * file and value so a caller can report them without parsing the message.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly code: DatasetErrorCode;
  readonly path: string | undefined;
  readonly value: unknown;

  constructor(code: DatasetErrorCode, message: string, options: DatasetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.value = options.value;
  }
}

/** True when `error` is a {@link DatasetError}, optionally with the given code. */
export function isDatasetError(error: unknown, code?: DatasetErrorCode): error is DatasetError {
  return error instanceof DatasetError && (code === undefined || error.code === code);
}
