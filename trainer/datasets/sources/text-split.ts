/**
 * A team's labelled texts as a classifier reads them, the way Brown is read: a seeded, stratified
 * split by document (no document has windows on both sides), a vocabulary of the training documents'
 * most frequent tokens, and windows of `length` token ids.
 */
import { createHash } from 'node:crypto';
import { tokenize, Vocab } from '../../../runtime/text/vocab.js';
import { DatasetError } from '../errors.js';
import { BROWN_VOCAB_SIZE } from '../text/brown.js';
import { type TextSet, textSetOf, windowsOf } from '../text/text-set.js';
import { checkSplit, DEFAULT_TEST_SPLIT, seededSplit } from './image-source.js';
import type { TextSource } from './text-source.js';

/** Options of {@link splitTexts}. */
export interface TextSplitOptions {
  /** Fraction of each class's documents held out (default 0.1), by `seed`. */
  testSplit?: number;
  seed?: number;
  /** Tokens per window. */
  length: number;
  /** The vocabulary to use (a trained classifier's); default: built from the training documents. */
  vocab?: Vocab;
  /** Vocabulary size when building one (default Brown's 6,000, `<unk>` included). */
  vocabSize?: number;
}

/** Train and test windows, the vocabulary, and a digest of what was read. */
export interface TextSplit {
  train: TextSet;
  test: TextSet;
  vocab: Vocab;
  testSplit: number;
  seed: number;
  /** `sha256:` over class names, the token windows and labels of both splits. */
  digest: string;
}

/**
 * A document's windows: consecutive windows of `length` ids, or — for a document shorter than one
 * window — one window that repeats it (as retokenised outliers are), so short texts such as reviews or
 * tickets still count. Empty documents give none.
 */
function documentWindows(ids: Int32Array, length: number): Int32Array[] {
  if (ids.length >= length) return windowsOf(ids, length);
  if (ids.length === 0) return [];
  return [Int32Array.from({ length }, (_, k) => ids[k % ids.length])];
}

/**
 * Splits `src` into train and test windows.
 *
 * @throws {DatasetError} `bad_argument` for a split outside (0, 1); `empty` when a split has no windows
 */
export function splitTexts(src: TextSource, o: TextSplitOptions): TextSplit {
  const testSplit = o.testSplit ?? DEFAULT_TEST_SPLIT;
  checkSplit(testSplit);
  const seed = o.seed ?? 0;
  const labels = Int32Array.from(src.docs, (d) => d.label);
  const isTest = seededSplit(labels, src.classNames.length, testSplit, seed);
  let vocab = o.vocab;
  if (!vocab) {
    const counts = new Map<string, number>();
    src.docs.forEach((d, i) => {
      if (isTest[i]) return;
      for (const w of tokenize(d.text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    });
    vocab = Vocab.fromCounts(counts, o.vocabSize ?? BROWN_VOCAB_SIZE, []);
  }
  const parts = {
    train: { w: [] as Int32Array[], l: [] as number[] },
    test: { w: [] as Int32Array[], l: [] as number[] },
  };
  src.docs.forEach((d, i) => {
    const part = isTest[i] ? parts.test : parts.train;
    for (const w of documentWindows(vocab.encode(d.text), o.length)) {
      part.w.push(w);
      part.l.push(d.label);
    }
  });
  const name = src.path.split('/').pop() ?? 'texts';
  for (const [k, p] of Object.entries(parts)) {
    if (p.w.length === 0) {
      throw new DatasetError('empty', `${src.path}: the ${k} split has no text with a known token`, {
        path: src.path,
      });
    }
  }
  const train = textSetOf(`${name}-train`, parts.train.w, o.length, parts.train.l, src.classNames);
  const test = textSetOf(`${name}-test`, parts.test.w, o.length, parts.test.l, src.classNames);
  const hash = createHash('sha256').update(JSON.stringify({ classNames: src.classNames, length: o.length }));
  for (const s of [train, test]) {
    hash.update(new Uint8Array(s.tokens.buffer, s.tokens.byteOffset, s.tokens.byteLength));
    hash.update(new Uint8Array(s.labels!.buffer, s.labels!.byteOffset, s.labels!.byteLength));
  }
  return { train, test, vocab, testSplit, seed, digest: `sha256:${hash.digest('hex')}` };
}
