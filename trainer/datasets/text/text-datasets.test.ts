import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vocab } from '../../../runtime/text/vocab.js';
import { DatasetError } from '../errors.js';
import {
  BROWN_VOCAB_SIZE,
  brownClassNames,
  brownDocs,
  brownVocab,
  loadBrown,
  randomTokens,
  resolveTextOodSet,
  wordnetOutliers,
} from './index.js';

let vocab: Vocab;
let dir: string;
beforeAll(async () => {
  vocab = brownVocab();
  dir = await mkdtemp(join(tmpdir(), 'goe-text-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Brown corpus', () => {
  it('has 500 documents in 4 classes, split by document with every genre on both sides', () => {
    const docs = brownDocs();
    expect(docs).toHaveLength(500);
    const test = docs.filter((d) => d.split === 'test');
    expect(test.length).toBeGreaterThan(80);
    expect(test.length).toBeLessThan(110);
    for (const genre of 'abcdefghjklmnpr') {
      const g = docs.filter((d) => d.id[1] === genre);
      expect(g.some((d) => d.split === 'train')).toBe(true);
      expect(g.some((d) => d.split === 'test')).toBe(true);
    }
    expect(new Set(docs.map((d) => d.label))).toEqual(new Set([0, 1, 2, 3]));
    expect(docs.find((d) => d.id === 'ca01')!.words.slice(0, 4)).toEqual([
      'the',
      'fulton',
      'county',
      'grand',
    ]);
  });

  it('cuts labelled 64-token windows; no window shares a document across the split', () => {
    const train = loadBrown(vocab, 'train');
    const test = loadBrown(vocab, 'test');
    expect(train.shape[1]).toBe(64);
    expect(train.tokens.length).toBe(train.shape[0] * 64);
    expect(train.labels!.length).toBe(train.shape[0]);
    expect(train.classNames).toEqual(brownClassNames);
    expect(train.shape[0] + test.shape[0]).toBeGreaterThan(17_000);
    const trainIds = new Set(
      brownDocs()
        .filter((d) => d.split === 'train')
        .map((d) => d.id),
    );
    expect(
      brownDocs()
        .filter((d) => d.split === 'test')
        .some((d) => trainIds.has(d.id)),
    ).toBe(false);
  });

  it('builds the same vocabulary every time, with class tokens as specials', () => {
    expect(vocab.size).toBe(BROWN_VOCAB_SIZE);
    expect(vocab.tokens.slice(0, 5)).toEqual(['<unk>', '<press>', '<non-fiction>', '<learned>', '<fiction>']);
    expect(brownVocab().tokens).toEqual(vocab.tokens);
  });
});

describe('text OOD sets and outliers', () => {
  it('loads SpamAssassin and SOTU as windows of the requested length', () => {
    for (const name of ['spam-assassin', 'sotu']) {
      const set = resolveTextOodSet(name, vocab, 32, 100);
      expect(set.shape).toEqual([100, 32]);
      expect(set.name).toBe(name);
    }
  });

  it("joins a user file's short lines into windows and rejects a file shorter than one window", async () => {
    const path = join(dir, 'mine.txt');
    await writeFile(path, 'the cat sat on the mat .\n\nand then it left\n'.repeat(10));
    const set = resolveTextOodSet(path, vocab, 16);
    expect(set.shape).toEqual([Math.floor((11 * 10) / 16), 16]);
    const short = join(dir, 'short.txt');
    await writeFile(short, 'too short\n');
    expect(() => resolveTextOodSet(short, vocab, 16)).toThrow(/fewer than 16 tokens/);
  });

  it('names the choices for an unknown set', () => {
    try {
      resolveTextOodSet('reddit', vocab, 16);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as DatasetError).message).toMatch(/spam-assassin, sotu/);
    }
  });

  it('takes WordNet glosses as natural outliers', () => {
    const set = wordnetOutliers(vocab, 64, 50);
    expect(set.shape).toEqual([50, 64]);
    expect(vocab.decode(set.tokens.subarray(0, 5))).toBe('that which is <unk> or');
  });

  it('draws random tokens uniformly over the words (never a special), reproducibly per row', () => {
    const a = randomTokens(vocab, 64, 200, 3);
    const b = randomTokens(vocab, 64, 10, 3);
    expect(Array.from(a.tokens.subarray(0, 640))).toEqual(Array.from(b.tokens));
    expect(Math.min(...a.tokens)).toBeGreaterThanOrEqual(vocab.specials);
    expect(new Set(a.tokens).size).toBeGreaterThan(3000);
  });
});
