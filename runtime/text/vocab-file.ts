import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { digestOf } from '../digest.js';
import { Vocab, type VocabFile } from './vocab.js';

/** A manifest's record of the vocabulary file beside a model (language models and text classifiers). */
export interface VocabEntry {
  file: string;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
  /** Tokens, specials included. */
  size: number;
}

/** The vocabulary file's bytes: one line of JSON (the digest a manifest records is over exactly these). */
export function vocabBytes(vocab: Vocab): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(vocab.toJSON())}\n`);
}

/** Writes `vocab.json` into model folder `dir` (atomically); returns the manifest's `vocab` entry. */
export async function writeVocab(dir: string, vocab: Vocab): Promise<VocabEntry> {
  const bytes = vocabBytes(vocab);
  await writeFileAtomic(join(dir, 'vocab.json'), bytes);
  return { file: 'vocab.json', digest: digestOf(bytes), size: vocab.size };
}

/**
 * Reads a vocabulary file, checking it against the digest a manifest records.
 * @throws when the bytes do not match `digest`, or the file is not a goe word vocabulary.
 */
export async function readVocab(path: string, digest?: string): Promise<Vocab> {
  const bytes = new Uint8Array(await readFile(path));
  if (digest && digestOf(bytes) !== digest) {
    throw new Error(
      `${path} does not match the manifest's vocabulary digest (${digestOf(bytes)} ≠ ${digest})`,
    );
  }
  return new Vocab(JSON.parse(new TextDecoder().decode(bytes)) as VocabFile);
}
