import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { uniformIntRows } from '../../runtime/rng/index.js';
import { isDatasetError } from './errors.js';
import { readNdjsonTexts } from './text/ndjson-outliers.js';
import { decodeUserText, firstInvalidUtf8, readUserText } from './user-text.js';

const dir = mkdtempSync(join(tmpdir(), 'goe-user-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TEXT = 'Café “naïve” — 東京 🙂 ok\nsecond line, plain ASCII\n';

function utf16(text: string, endian: 'le' | 'be'): Uint8Array {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  if (endian === 'be') le.swap16();
  return le;
}

function failure(bytes: Uint8Array, path = 'f.txt'): { code: string; message: string } {
  try {
    decodeUserText(bytes, path);
  } catch (e) {
    if (isDatasetError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('decodeUserText', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeUserText(Buffer.from(TEXT), 'a')).toEqual({ text: TEXT, encoding: 'utf-8' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]);
    expect(decodeUserText(bom, 'a')).toEqual({ text: TEXT, encoding: 'utf-8' });
  });

  it('decodes UTF-16 LE and BE with a byte-order mark to the same text', () => {
    expect(decodeUserText(utf16(TEXT, 'le'), 'a')).toEqual({ text: TEXT, encoding: 'utf-16le' });
    expect(decodeUserText(utf16(TEXT, 'be'), 'a')).toEqual({ text: TEXT, encoding: 'utf-16be' });
  });

  it('refuses a UTF-16 BOM followed by bytes that are not UTF-16 (a lone surrogate)', () => {
    const bad = Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8, 0x41, 0x00]);
    expect(failure(bad)).toMatchObject({ code: 'bad_encoding' });
  });

  it('refuses Latin-1 and Windows-1252 text naming the file, the first bad byte and its line', () => {
    const latin1 = Buffer.from('plain line\nCaf\u00e9 au lait\n', 'latin1');
    expect(failure(latin1, 'menu.txt')).toEqual({
      code: 'bad_encoding',
      message: expect.stringMatching(/^menu\.txt is not UTF-8: byte 14 \(line 2\) is 0xE9; save it as UTF-8/),
    });
    const cp1252 = Buffer.from([0x61, 0x93, 0x71, 0x94]); // a“q” in Windows-1252
    expect(failure(cp1252).message).toMatch(/byte 1 \(line 1\) is 0x93/);
  });

  it('finds the first invalid byte of every kind of malformed UTF-8', () => {
    const cases: [number[], number][] = [
      [[0x41, 0xc0, 0xaf], 1], // overlong '/'
      [[0x41, 0x42, 0xed, 0xa0, 0x80], 2], // UTF-16 surrogate encoded in UTF-8
      [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
      [[0x41, 0x80], 1], // lone continuation byte
      [[0x41, 0xe2, 0x82], 1], // truncated at the end
      [[0x41, 0xe2, 0x41], 1], // lead byte, then no continuation
      [[0xff], 0],
      [[0xef, 0xbf, 0xbd, 0x41, 0xfe], 4], // a real U+FFFD first is valid
    ];
    for (const [bytes, at] of cases) expect(firstInvalidUtf8(Uint8Array.from(bytes)), String(bytes)).toBe(at);
  });

  it('finds an invalid byte at any position in random valid UTF-8 (seeded)', () => {
    const alphabet = ['a', 'é', '東', '🙂', '\uFFFD', '\n', ' '];
    const picks = uniformIntRows(14, 0, 200 * 40, alphabet.length);
    const spots = uniformIntRows(15, 0, 200, 1000);
    for (let k = 0; k < 200; k++) {
      const chars = Array.from(picks.subarray(k * 40, (k + 1) * 40), (p) => alphabet[p]);
      const valid = Buffer.from(chars.join(''));
      expect(firstInvalidUtf8(valid)).toBe(-1);
      // Cut at a character boundary and put a Latin-1 byte there.
      const cut = Buffer.byteLength(chars.slice(0, spots[k] % 41).join(''));
      const broken = Buffer.concat([valid.subarray(0, cut), Buffer.from([0xe9, 0x20]), valid.subarray(cut)]);
      expect(firstInvalidUtf8(broken)).toBe(cut);
    }
  });

  it('refuses compressed archives by their magic, and binary files by a NUL', () => {
    const archives: [string, Uint8Array][] = [
      ['gzip', gzipSync(TEXT)],
      ['zip', Buffer.from('PK\x03\x04\x14\x00rest', 'latin1')],
      ['bzip2', Buffer.from('BZh91AY&SY', 'latin1')],
      ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00])],
      ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00])],
    ];
    for (const [name, bytes] of archives) {
      expect(failure(bytes, 'x.txt')).toEqual({
        code: 'unsupported_format',
        message: `x.txt is a ${name} file, not text: decompress it first`,
      });
    }
    // UTF-16 without a BOM: ASCII letters alternate with NUL bytes.
    expect(failure(Buffer.from('hello', 'utf16le'))).toMatchObject({ code: 'unsupported_format' });
    expect(failure(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00])).code).toBe('bad_encoding');
    expect(failure(Buffer.from('text\0more')).message).toMatch(/is binary, not text/);
  });
});

describe('the readers of user text', () => {
  it('readUserText names a missing file', () => {
    expect(() => readUserText(join(dir, 'missing.txt'))).toThrow(/cannot read .*missing\.txt: no such file/);
  });

  it('readNdjsonTexts decodes a UTF-16 file and refuses Latin-1 with its offset', async () => {
    const rows = '{"text":"caf\u00e9"}\n{"text":"two"}\n';
    const u16 = join(dir, 'rows16.ndjson');
    writeFileSync(u16, utf16(rows, 'le'));
    expect(await readNdjsonTexts(u16)).toEqual(['café', 'two']);
    const l1 = join(dir, 'rows1.ndjson');
    writeFileSync(l1, Buffer.from(rows, 'latin1'));
    await expect(readNdjsonTexts(l1)).rejects.toThrow(`${l1} is not UTF-8: byte 12 (line 1) is 0xE9`);
  });
});
