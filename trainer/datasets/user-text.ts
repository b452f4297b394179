/**
 * Text a user hands goe (OOD `.txt` sets, outlier `.txt`/`.ndjson` files, scores CSVs): the one way every
 * reader turns a file's bytes into a string, so none of them scores Latin-1 or UTF-16 as if it were UTF-8.
 *
 * - UTF-8 (with or without its BOM) is read as is.
 * - A UTF-16 byte-order mark (FF FE or FE FF, what Windows PowerShell's `>` writes) makes the encoding
 *   certain: the file is decoded as UTF-16 and a warning says so.
 * - Anything else that is not valid UTF-8 (Latin-1, Windows-1252, UTF-16 without a BOM ...) is refused,
 *   naming the file and the offset of the first byte that is not UTF-8: guessing a legacy encoding would
 *   score a different text than the user meant.
 * - Compressed archives (gzip, zip, bzip2, xz, zstd) and binary files (a NUL byte) are refused.
 */
import { log } from '../../runtime/log.js';
import { readBytes } from './bytes.js';
import { DatasetError } from './errors.js';

/** How {@link decodeUserText} read a file. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

// Leading bytes of formats people pass as text by mistake (each format's spec / `file`'s magic list).
const ARCHIVES: readonly (readonly [string, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** 1-based line of byte `offset` (lines end at LF, the same in UTF-8 and ASCII). */
function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Byte offset of the first byte that is not part of valid UTF-8, or -1 when all are valid.
 *
 * Why not a hand-written validator: the WHATWG decoder (what `TextDecoder` implements) replaces each
 * invalid sequence by one U+FFFD starting at its first byte, and every valid character before it re-encodes
 * to the same bytes, so the offset is the UTF-8 length of the text before the first U+FFFD that the file
 * does not itself spell as EF BF BD.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let from = 0;
  let offset = 0;
  for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) {
    offset += Buffer.byteLength(text.slice(from, at), 'utf8');
    from = at;
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return -1;
}

/**
 * Decodes a user's text file: UTF-8 (a leading BOM dropped), or UTF-16 when it starts with a UTF-16 BOM.
 *
 * @param bytes the whole file
 * @param path the file's name for errors
 * @returns the text (no BOM) and the encoding it was read in
 * @throws {DatasetError} `unsupported_format` for a compressed or binary file; `bad_encoding` for bytes
 *   that are not UTF-8 (the message names the file, the byte offset, its line and value)
 */
export function decodeUserText(bytes: Uint8Array, path: string): { text: string; encoding: TextEncoding } {
  for (const [name, magic] of ARCHIVES) {
    if (startsWith(bytes, magic)) {
      throw new DatasetError(
        'unsupported_format',
        `${path} is a ${name} file, not text: decompress it first`,
        { path, value: name },
      );
    }
  }
  for (const [encoding, bom] of [
    ['utf-16le', [0xff, 0xfe]],
    ['utf-16be', [0xfe, 0xff]],
  ] as const) {
    if (!startsWith(bytes, bom)) continue;
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch {
      throw new DatasetError(
        'bad_encoding',
        `${path} starts with a ${encoding.toUpperCase()} byte-order mark but is not valid ${encoding.toUpperCase()}; save it as UTF-8`,
        { path, value: encoding },
      );
    }
    return { text: refuseNul(text, path), encoding };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    throw new DatasetError(
      'bad_encoding',
      `${path} is not UTF-8: byte ${bad} (line ${lineOf(bytes, bad)}) is 0x${hex}; save it as UTF-8 (e.g. iconv -f latin1 -t utf-8)`,
      { path, value: bad },
    );
  }
  // TextDecoder drops a leading UTF-8 BOM by default.
  return { text: refuseNul(new TextDecoder('utf-8').decode(bytes), path), encoding: 'utf-8' };
}

function refuseNul(text: string, path: string): string {
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new DatasetError(
      'unsupported_format',
      `${path} is binary, not text: it holds a NUL character (character ${nul}); UTF-16 needs a byte-order mark`,
      { path, value: nul },
    );
  }
  return text;
}

/**
 * Reads a user's text file with {@link decodeUserText}; a UTF-16 file is decoded and a warning names it.
 *
 * @throws {DatasetError} `unreadable`, `unsupported_format` or `bad_encoding`, naming the file
 */
export function readUserText(path: string): string {
  const { text, encoding } = decodeUserText(readBytes(path), path);
  if (encoding !== 'utf-8') {
    log('warn', `${path} is ${encoding.toUpperCase()} (byte-order mark): decoded as such`, {
      path,
      encoding,
    });
  }
  return text;
}
