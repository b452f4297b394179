import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Purpose, sampleStream } from '../../../runtime/rng/index.js';
import type { Vocab } from '../../../runtime/text/vocab.js';
import { DatasetError } from '../errors.js';
import { requireDataset } from '../locate.js';
import { readTexts } from '../sources/text-source.js';
import { readUserText } from '../user-text.js';
import { type TextSet, textSetOf } from './text-set.js';

/**
 * Text outside the Brown corpus, cut into windows of the in-distribution sample length: the OOD test sets
 * (SpamAssassin mails, State-of-the-Union speeches, a user's file), the natural training outliers
 * (WordNet glosses) and random-token noise. Each source's texts are tokenised, joined into one stream and
 * cut into consecutive windows, so every sample has exactly `length` tokens whatever the source.
 */

/** Windows in a built-in text OOD set: about the Brown test split's size, so sets weigh alike. */
export const DEFAULT_TEXT_OOD_COUNT = 3000;

function windowsFrom(
  name: string,
  texts: Iterable<string>,
  vocab: Vocab,
  length: number,
  count: number,
): TextSet {
  const windows: Int32Array[] = [];
  let pending: number[] = [];
  outer: for (const text of texts) {
    for (const id of vocab.encode(text)) {
      pending.push(id);
      if (pending.length < length) continue;
      windows.push(Int32Array.from(pending));
      pending = [];
      if (windows.length === count) break outer;
    }
  }
  if (windows.length === 0) {
    throw new DatasetError('empty', `${name} has fewer than ${length} tokens: no sample of that length`);
  }
  return textSetOf(name, windows, length);
}

/** A mail's body: headers dropped (up to the first blank line), HTML tags and entities removed. */
function mailBody(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const body = split >= 0 ? raw.slice(split) : raw;
  return body.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ');
}

/** SpamAssassin's mails (ham and spam, the corpus's file order), bodies only. */
function* spamAssassinTexts(): Generator<string> {
  const dir = join(requireDataset('spam-assassin'), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  for (const f of files) {
    const json = join(dir, f.replace(/\.txt$/, '.json'));
    const raw = existsSync(json)
      ? (JSON.parse(readFileSync(json, 'utf8')) as { text: string }).text
      : readFileSync(join(dir, f), 'utf8');
    yield mailBody(raw);
  }
}

/** State-of-the-Union addresses, 1790 onwards, in file (year) order. */
function* sotuTexts(): Generator<string> {
  const dir = join(requireDataset('sotu'), 'data');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.txt'))
    .sort()) {
    yield readFileSync(join(dir, f), 'utf8');
  }
}

/** WordNet 3.1 glosses (definitions and examples), nouns, verbs, adjectives, adverbs in file order. */
function* wordnetGlosses(): Generator<string> {
  const dir = join(requireDataset('wordnet'), 'dict');
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    for (const line of readFileSync(join(dir, `data.${pos}`), 'utf8').split('\n')) {
      if (line.startsWith(' ') || !line.includes(' | ')) continue; // licence header, blank lines
      yield line.slice(line.indexOf(' | ') + 3);
    }
  }
}

/** A UTF-8 text file, one sample per line (lines are joined and cut into `length`-token windows). */
function* fileLines(path: string): Generator<string> {
  yield* readUserText(path)
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0);
}

/** The built-in text OOD test sets. */
export const TEXT_OOD_SET_NAMES = ['spam-assassin', 'sotu'] as const;

/**
 * The text OOD set `spec` names (`spam-assassin`, `sotu`) or a UTF-8 file's path, as `count` windows of
 * `length` tokens (the first ones: the sets are fixed for every run).
 *
 * @throws {DatasetError} `unknown_set` for a name that is neither built in nor an existing file
 */
export function resolveTextOodSet(
  spec: string,
  vocab: Vocab,
  length: number,
  count = DEFAULT_TEXT_OOD_COUNT,
): TextSet {
  switch (spec) {
    case 'spam-assassin':
      return windowsFrom('spam-assassin', spamAssassinTexts(), vocab, length, count);
    case 'sotu':
      return windowsFrom('sotu', sotuTexts(), vocab, length, count);
  }
  if (!existsSync(spec)) {
    throw new DatasetError(
      'unknown_set',
      `unknown text OOD set '${spec}': use ${TEXT_OOD_SET_NAMES.join(', ')} or the path of a text folder (.txt files), .jsonl/.csv (text field) or UTF-8 file (one sample per line)`,
      { path: spec, value: spec },
    );
  }
  // A folder of .txt files, JSONL/CSV records' text, or a file's lines (sources/text-source.ts).
  return windowsFrom(spec.split('/').pop() ?? spec, readTexts(spec), vocab, length, count);
}

/** Natural outliers for training: WordNet glosses, disjoint from every test set, as windows. */
export function wordnetOutliers(vocab: Vocab, length: number, count: number): TextSet {
  return windowsFrom('wordnet-glosses', wordnetGlosses(), vocab, length, count);
}

/** Any text file as training outliers (one sample per line). */
export function textFileOutliers(path: string, vocab: Vocab, length: number, count: number): TextSet {
  return windowsFrom(path.split('/').pop() ?? path, fileLines(path), vocab, length, count);
}

/**
 * The paper's "Noise" for text: sequences of tokens drawn uniformly from the vocabulary's words
 * (specials excluded), row i from the (seed, i) stream.
 */
export function randomTokens(vocab: Vocab, length: number, count: number, seed: number): TextSet {
  const words = vocab.size - vocab.specials;
  const tokens = new Int32Array(count * length);
  for (let i = 0; i < count; i++) {
    const rng = sampleStream(seed, i, Purpose.TRAIN_LATENT);
    for (let k = 0; k < length; k++) tokens[i * length + k] = vocab.specials + rng.uniformInt(words);
  }
  return { name: 'random tokens', tokens, shape: [count, length] };
}
