/**
 * Property-based fuzzing of every reader of user files (fast-check): a valid seed file per format is
 * mutated (bit flips, byte edits, insertions of format tokens, deletions, truncation, random tails) or
 * replaced by random bytes, written to disk and handed to the loader a user's command calls. Each
 * outcome must be a result or an error that names the file: never a crash (a TypeError, RangeError or
 * other unplanned exception), never a hang (a call over {@link SLOW_MS}), never an error without the
 * input's name. Used by the test suite (a short run) and `goe bench fuzz` (a long one).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { metricsFromCsv } from '../../cli/commands/metrics.js';
import { encodeWeights, readWeights } from '../../generators/weights.js';
import { encodeNdjson, encodeNpy, encodePng } from '../../runtime/codecs/index.js';
import { Vocab } from '../../runtime/text/vocab.js';
import { encodeIdx } from '../../trainer/datasets/idx.js';
import { loadPhoto } from '../../trainer/datasets/photo.js';
import { readNdjsonTexts } from '../../trainer/datasets/text/ndjson-outliers.js';
import { resolveTextOodSet } from '../../trainer/datasets/text/text-sources.js';
import { loadImagePath } from '../../trainer/datasets/user-path.js';

/** A call that takes longer than this counts as a hang. */
export const SLOW_MS = 5_000;

/** One reader under test: a valid seed file, and the call a user's command makes on a file. */
export interface Reader {
  name: string;
  /** File name (its extension matters to some loaders). */
  file: string;
  seed: () => Uint8Array;
  /** Tokens worth inserting (header keys, numbers that break parsers). */
  tokens: string[];
  /**
   * Repairs what a mutation breaks before the interesting part (a PNG's chunk CRCs), so half the
   * mutated files get past the first integrity check into the decoder proper.
   */
  fixup?: (bytes: Uint8Array) => Uint8Array;
  /**
   * Reads the file at `path`. `dir` is a folder that holds only this file (for loaders that take a
   * folder). Resolves or throws.
   */
  read: (path: string, dir: string) => unknown;
}

/** What a reader fuzz run saw. */
export interface ReaderFuzzReport {
  reader: string;
  runs: number;
  /** Files read without error. */
  ok: number;
  /** Files refused with an error naming them. */
  refused: number;
  /** The error names seen, with counts (e.g. DatasetError: 812). */
  errors: Record<string, number>;
  slowestMs: number;
  seconds: number;
}

const grey = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + (i >> 3)) % 256);

const NUMBER_TOKENS = [
  '-1',
  '0',
  '1e309',
  'nan',
  'NaN',
  'inf',
  '-0',
  '99999999999',
  '4294967296',
  '2147483648',
  '1.5',
];

const vocab = new Vocab({
  kind: 'goe-word-vocab',
  lowercase: true,
  tokens: ['<unk>', '<pad>', 'the', 'cat', 'sat', 'on', 'mat', '.'],
  specials: 2,
});

/** The readers of user files, each through the entry point a command uses. */
export const READERS: readonly Reader[] = [
  {
    name: 'npy',
    file: 'images.npy',
    seed: () => encodeNpy(grey(2 * 28 * 28), [2, 28, 28]),
    tokens: [
      "'shape': (",
      "'descr': '",
      '<f4',
      '<f8',
      '|u1',
      '>i4',
      'True',
      "'fortran_order': ",
      ')',
      ',',
      '}',
      ...NUMBER_TOKENS,
    ],
    read: (path) => loadImagePath(path),
  },
  {
    name: 'idx',
    file: 'images-idx3-ubyte',
    seed: () => encodeIdx(grey(2 * 28 * 28), [2, 28, 28]),
    tokens: ['\x00\x00\x08\x03', '\x00\x00\x08\x01', '\x00\x00\x0d\x03', '\xff\xff\xff\xff', '\x1f\x8b\x08'],
    read: (path) => loadImagePath(path),
  },
  {
    name: 'png',
    file: 'a.png',
    seed: () => encodePng(grey(28 * 28), 28, 28, 1),
    tokens: ['IHDR', 'IDAT', 'IEND', 'tRNS', 'PLTE', '\x00\x00\x00\x0d', '\xff\xff\xff\xff', '\x89PNG'],
    fixup: fixPngCrcs,
    // A folder of PNGs is how a user names PNG images.
    read: (_path, dir) => loadImagePath(dir),
  },
  {
    name: 'png-photo',
    file: 'photo.png',
    seed: () => encodePng(grey(40 * 30), 30, 40, 1),
    tokens: ['IHDR', 'IDAT', 'IEND', 'tRNS', 'PLTE', '\x00\x00\x00\x0d', '\xff\xff\xff\xff'],
    fixup: fixPngCrcs,
    read: (path) => loadPhoto(path),
  },
  {
    name: 'jpeg',
    file: 'photo.jpg',
    seed: () => {
      const rgba = new Uint8Array(32 * 24 * 4).map((_, i) => (i * 13) % 256);
      return new Uint8Array(jpeg.encode({ data: rgba, width: 32, height: 24 }, 80).data);
    },
    tokens: ['\xff\xd8', '\xff\xd9', '\xff\xc0', '\xff\xc4', '\xff\xda', '\xff\xdb', '\xff\xff\xff'],
    read: (path) => loadPhoto(path),
  },
  {
    name: 'safetensors',
    file: 'weights.safetensors',
    seed: () =>
      encodeWeights({
        'dense/kernel': { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] },
        'dense/bias': { data: Float32Array.of(0.5, -1), shape: [2] },
      }),
    tokens: [
      '"dtype":"F32"',
      '"dtype":"I64"',
      '"shape":[',
      '"data_offsets":[',
      '__metadata__',
      '\xff\xff\xff\xff\xff\xff\xff\x7f',
      ...NUMBER_TOKENS,
    ],
    // Model weights (generators/weights.ts), as a zoo or an imported model is loaded.
    read: (path) => readWeights(path),
  },
  {
    name: 'csv-scores',
    file: 'scores.csv',
    seed: () => new TextEncoder().encode('score,is_ood\n0.1,0\n0.4,0\n0.35,1\n0.8,1\n-2.5,0\n3,1\n'),
    tokens: ['score', 'is_ood', ',', '\n', '\r\n', '"', 'true', 'false', 'TRUE', '\ufeff', ...NUMBER_TOKENS],
    read: (path) => metricsFromCsv(path),
  },
  {
    name: 'ndjson',
    file: 'outliers.ndjson',
    seed: () =>
      encodeNdjson([
        {
          index: 0,
          class: 1,
          label: 'press',
          text: 'the cat sat on the mat .',
          tokens: [2, 3, 4, 5, 2, 6, 7],
        },
        { index: 1, class: 0, label: 'fiction', text: 'the mat sat .', tokens: [2, 6, 4, 7] },
      ]),
    tokens: ['{', '}', '"text":', '"text":null', '[', '\n', '\\u0000', '\\ud800', ...NUMBER_TOKENS],
    read: (path) => readNdjsonTexts(path),
  },
  {
    name: 'text',
    file: 'mails.txt',
    seed: () =>
      new TextEncoder().encode('The cat sat on the mat.\nThe mat sat on the cat.\n\nOn the mat, the cat.\n'),
    tokens: ['\n', '\r\n', '\u2028', '\ufeff', '\x00', '\xff\xfe', '\xc3\x28', ' ', 'the', '<unk>'],
    read: (path) => resolveTextOodSet(path, vocab, 8, 4),
  },
];

/** Recomputes the CRC of every whole chunk after the PNG signature (what a mutation usually breaks first). */
function fixPngCrcs(bytes: Uint8Array): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  for (let at = 8; at + 12 <= b.length; ) {
    const length = v.getUint32(at);
    if (at + 12 + length > b.length) break;
    v.setUint32(at + 8 + length, crc32(b.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  return b;
}

/** A list of edits to a seed file. */
type Edit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'token'; at: number; token: number }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'append'; bytes: Uint8Array };

function arbitraryEdit(): fc.Arbitrary<Edit> {
  const at = fc.nat();
  return fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({
      op: fc.constant('set' as const),
      at,
      value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x0a, 0x22, 0x2c),
    }),
    fc.record({
      op: fc.constant('insert' as const),
      at,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({ op: fc.constant('token' as const), at, token: fc.nat() }),
    fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('truncate' as const), at }),
    fc.record({ op: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  );
}

function applyEdits(seed: Uint8Array, edits: readonly Edit[], tokens: readonly string[]): Uint8Array {
  let b = seed;
  for (const e of edits) {
    const at = e.op === 'append' ? b.length : b.length === 0 ? 0 : e.at % (b.length + 1);
    const cat = (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };
    switch (e.op) {
      case 'flip':
        if (at < b.length) {
          b = b.slice();
          b[at] ^= 1 << e.bit;
        }
        break;
      case 'set':
        if (at < b.length) {
          b = b.slice();
          b[at] = e.value;
        }
        break;
      case 'insert':
        b = cat(b.subarray(0, at), e.bytes, b.subarray(at));
        break;
      case 'token':
        b = cat(b.subarray(0, at), Buffer.from(tokens[e.token % tokens.length], 'latin1'), b.subarray(at));
        break;
      case 'delete':
        b = cat(b.subarray(0, at), b.subarray(at + e.length));
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'append':
        b = cat(b, e.bytes);
        break;
    }
  }
  return b;
}

/** A mutated seed of `reader` (mostly), or random bytes. */
export function arbitraryFile(reader: Reader): fc.Arbitrary<Uint8Array> {
  const seed = reader.seed();
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(fc.array(arbitraryEdit(), { minLength: 1, maxLength: 4 }), fc.boolean())
        .map(([edits, fix]) => {
          const mutated = applyEdits(seed, edits, reader.tokens);
          return fix && reader.fixup ? reader.fixup(mutated) : mutated;
        }),
      weight: 9,
    },
    { arbitrary: fc.uint8Array({ maxLength: 2048 }), weight: 1 },
  );
}

// Exceptions that mean a bug, not a refused input (MetricsError extends RangeError, so compare exactly).
const CRASHES: readonly ErrorConstructor[] = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError];

/** Why an outcome breaks the rules, or undefined. */
export function judge(err: unknown, path: string): string | undefined {
  if (!(err instanceof Error)) return `threw a non-Error: ${String(err)}`;
  if (CRASHES.includes(err.constructor as ErrorConstructor))
    return `crashed with ${err.constructor.name}: ${err.message}`;
  // The file's name is enough where the loader names sets by their file name (text OOD sets do).
  if (!err.message.includes(path) && !err.message.includes(basename(path))) {
    return `error does not name ${path}: ${err.message}`;
  }
  if (err.message.trim() === '') return 'empty error message';
  return undefined;
}

/**
 * Runs `runs` mutated files through `reader`; throws (with fast-check's shrunk counterexample) on the
 * first crash, hang or unnamed error.
 */
export async function fuzzReader(
  reader: Reader,
  options: { runs: number; seed?: number },
): Promise<ReaderFuzzReport> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), `goe-fuzz-${reader.name}-`));
  const folder = join(dir, 'folder');
  mkdirSync(folder);
  const path = join(folder, reader.file);
  const report: ReaderFuzzReport = {
    reader: reader.name,
    runs: options.runs,
    ok: 0,
    refused: 0,
    errors: {},
    slowestMs: 0,
    seconds: 0,
  };
  try {
    await fc
      .assert(
        fc.asyncProperty(arbitraryFile(reader), async (bytes) => {
          writeFileSync(path, bytes);
          const t = performance.now();
          let wrong: string | undefined;
          try {
            await reader.read(path, folder);
            report.ok++;
          } catch (err) {
            wrong = judge(err, path);
            report.refused++;
            const name = (err as Error).name;
            report.errors[name] = (report.errors[name] ?? 0) + 1;
          }
          const ms = performance.now() - t;
          report.slowestMs = Math.max(report.slowestMs, ms);
          if (wrong) throw new Error(`${reader.name}: ${wrong}`);
          if (ms > SLOW_MS)
            throw new Error(`${reader.name}: a ${bytes.length}-byte file took ${ms.toFixed(0)} ms`);
        }),
        { numRuns: options.runs, seed: options.seed, endOnFailure: true },
      )
      .catch(withCause);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

/** fast-check's failure with the property's own message appended (its message alone says only "failed"). */
function withCause(err: unknown): never {
  const cause = (err as Error).cause;
  if (cause instanceof Error) (err as Error).message += `\nCaused by: ${cause.message}`;
  throw err;
}
