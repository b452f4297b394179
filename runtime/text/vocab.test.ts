import { describe, expect, it } from 'vitest';
import { tokenize, UNK, Vocab } from './vocab.js';

describe('tokenize', () => {
  it('lower-cases and splits words, inner apostrophes and single punctuation marks', () => {
    expect(tokenize('Atlanta\'s jury didn\'t say: "No!"')).toEqual([
      "atlanta's",
      'jury',
      "didn't",
      'say',
      ':',
      '"',
      'no',
      '!',
      '"',
    ]);
  });

  it('keeps a literal <unk> as one token, so decode → encode is the identity', () => {
    const v = Vocab.fromCounts(
      new Map([
        ['the', 3],
        ['jury', 2],
        [',', 1],
      ]),
      10,
      ['<a>'],
    );
    const ids = v.encode('The jury , the zebra');
    expect(v.decode(ids)).toBe('the jury , the <unk>');
    expect(Array.from(v.encode(v.decode(ids)))).toEqual(Array.from(ids));
  });

  it('returns nothing for empty or blank text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' \n\t')).toEqual([]);
  });
});

describe('Vocab', () => {
  const counts = new Map([
    ['b', 5],
    ['a', 5],
    ['c', 9],
    ['d', 1],
  ]);

  it('puts <unk> and the specials first, then words by frequency with alphabetical ties', () => {
    const v = Vocab.fromCounts(counts, 5, ['<x>']);
    expect(v.tokens).toEqual([UNK, '<x>', 'c', 'a', 'b']);
    expect(v.specials).toBe(2);
    expect(v.id('d')).toBe(0);
  });

  it('round-trips through its JSON file and rejects other files', () => {
    const v = Vocab.fromCounts(counts, 6, []);
    expect(new Vocab(v.toJSON()).tokens).toEqual(v.tokens);
    expect(() => new Vocab({ ...v.toJSON(), tokens: ['x'] })).toThrow(/not a goe word vocabulary/);
  });
});
