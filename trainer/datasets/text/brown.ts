import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize, Vocab } from '../../../runtime/text/vocab.js';
import { requireDataset } from '../locate.js';
import { type TextSet, textSetOf, windowsOf } from './text-set.js';

/**
 * The coarse classes of the Brown corpus (DESIGN.md's grouping of its 15 genres). Fifteen genres of 6–80
 * documents are too few per class for a detector to learn; these four have 88–176 documents each.
 */
export const brownClasses = [
  { name: 'press', genres: 'abc', about: 'A–C: reportage, editorials, reviews' },
  {
    name: 'non-fiction',
    genres: 'defg',
    about: 'D–G: religion, skills & hobbies, popular lore, belles-lettres',
  },
  { name: 'learned', genres: 'hj', about: 'H, J: government documents, learned & scientific writing' },
  { name: 'fiction', genres: 'klmnpr', about: 'K–R: general, mystery, science, adventure, romance, humour' },
] as const;

export const brownClassNames: readonly string[] = brownClasses.map((c) => c.name);

/** The class token that starts every language-model sequence of class `k` (`<press>`, ...). */
export const classToken = (name: string) => `<${name}>`;

/** Words in the shared Brown vocabulary (specials included): the 6,000 most frequent training tokens (11.7 % of held-out tokens are `<unk>`; the softmax over the vocabulary is most of the LM's cost on a CPU). */
export const BROWN_VOCAB_SIZE = 6000;

/** Tokens per sample: a paragraph's length (the reference's 1–2-sentence windows made a weak classifier). */
export const DEFAULT_SAMPLE_LENGTH = 64;

export interface BrownDoc {
  /** File name, e.g. `ca01`: genre letter + number. */
  id: string;
  label: number;
  split: 'train' | 'test';
  words: string[];
}

let cache: BrownDoc[] | undefined;

/** Brown's Form C `word/tag` tokens → plain text; its `` and '' quote marks become ". */
function untag(raw: string): string {
  return raw
    .split(/\s+/)
    .filter(Boolean)
    .map((wt) => {
      const slash = wt.lastIndexOf('/');
      const w = slash > 0 ? wt.slice(0, slash) : wt;
      return w === '``' || w === "''" ? '"' : w;
    })
    .join(' ');
}

/**
 * The 500 Brown documents, tokenised, with their class and split. The split is by document (no document
 * has windows on both sides) and stratified by genre: within each genre letter, every fifth document in
 * file order is a test document.
 */
export function brownDocs(): BrownDoc[] {
  if (cache) return cache;
  const dir = requireDataset('brown-corpus');
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const seen = new Map<string, number>();
  cache = files.map((id) => {
    const genre = id[1];
    const label = brownClasses.findIndex((c) => c.genres.includes(genre));
    const k = seen.get(genre) ?? 0;
    seen.set(genre, k + 1);
    return {
      id,
      label,
      split: k % 5 === 4 ? 'test' : 'train',
      words: tokenize(untag(readFileSync(join(dir, id), 'utf8'))),
    };
  });
  return cache;
}

/** The vocabulary every Brown model shares: class tokens, then the most frequent training tokens. */
export function brownVocab(size = BROWN_VOCAB_SIZE): Vocab {
  const counts = new Map<string, number>();
  for (const d of brownDocs()) {
    if (d.split !== 'train') continue;
    for (const w of d.words) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return Vocab.fromCounts(counts, size, brownClassNames.map(classToken));
}

/** Each document of `split` as token ids, with its class: what the language model trains on. */
export function brownStreams(vocab: Vocab, split: 'train' | 'test'): { tokens: Int32Array; label: number }[] {
  return brownDocs()
    .filter((d) => d.split === split)
    .map((d) => ({ tokens: Int32Array.from(d.words, (w) => vocab.id(w)), label: d.label }));
}

/** Labelled windows of `length` tokens cut from each document of `split`, in file order. */
export function loadBrown(vocab: Vocab, split: 'train' | 'test', length = DEFAULT_SAMPLE_LENGTH): TextSet {
  const windows: Int32Array[] = [];
  const labels: number[] = [];
  for (const d of brownStreams(vocab, split)) {
    for (const w of windowsOf(d.tokens, length)) {
      windows.push(w);
      labels.push(d.label);
    }
  }
  return textSetOf(`brown-${split}`, windows, length, labels, brownClassNames);
}
