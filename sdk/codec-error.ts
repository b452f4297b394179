/**
 * The error every goe codec throws (`runtime/codecs` and the SDK's NDJSON decoder). It lives in the SDK
 * package because the SDK ships alone and needs it, and the server and CLI may depend on the SDK but never
 * the reverse; `runtime/codecs/errors.ts` re-exports it.
 */

/**
 * Stable machine-readable reasons a codec rejects its input. Callers (the api's problem+json mapper, the
 * sdk's decoders) switch on these, so they never change meaning once released.
 */
export type CodecErrorCode =
  /** A caller passed an argument the codec cannot honour (bad option, wrong length, bad shape). */
  | 'bad_argument'
  /** A writer or decoder was used out of order (write before header, push after end). */
  | 'misuse'
  /** The leading magic bytes are not those of the format. */
  | 'bad_magic'
  /** The format's header is unreadable or inconsistent. */
  | 'bad_header'
  /** A header declares a length past the codec's safety limit. */
  | 'header_too_large'
  /** A dtype this codec does not read or write. */
  | 'unsupported_dtype'
  /** Fortran (column-major) order, which the row-streaming readers cannot serve. */
  | 'unsupported_order'
  /** A typed array whose element type differs from the declared dtype. */
  | 'dtype_mismatch'
  /** A write that is not a whole number of rows. */
  | 'partial_row'
  /** More values written than the declared shape holds. */
  | 'too_much_data'
  /** A writer was ended before the declared shape was filled. */
  | 'too_little_data'
  /** A reader's input ended before the declared data was complete. */
  | 'truncated'
  /** Bytes after the declared end of the data. */
  | 'trailing_data'
  /** A line of NDJSON that is not valid JSON. */
  | 'bad_json'
  /** Bytes that are not valid UTF-8 where UTF-8 is required. */
  | 'bad_utf8'
  /** A value that cannot be written as JSON. */
  | 'bad_value'
  /** A PNG that pngjs cannot read. */
  | 'bad_png';

/** Where in the input an error was found, when the codec knows. */
export interface CodecErrorOptions {
  /** The offending value (a header field, a length, a line's text), kept short. */
  value?: unknown;
  /** 1-based line number (NDJSON). */
  line?: number;
  /** Byte offset from the start of the stream. */
  offset?: number;
  /** The underlying error (JSON.parse, pngjs). */
  cause?: unknown;
}

/**
 * The one error type every codec throws for malformed input or misuse. `code` is stable; `value` carries
 * the offending value so a caller can report it without parsing the message.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly code: CodecErrorCode;
  readonly value: unknown;
  readonly line: number | undefined;
  readonly offset: number | undefined;

  constructor(code: CodecErrorCode, message: string, options: CodecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.value = options.value;
    this.line = options.line;
    this.offset = options.offset;
  }
}

/** True when `error` is a {@link CodecError}, optionally with the given code. */
export function isCodecError(error: unknown, code?: CodecErrorCode): error is CodecError {
  return error instanceof CodecError && (code === undefined || error.code === code);
}
