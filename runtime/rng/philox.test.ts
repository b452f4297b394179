import { describe, expect, it } from 'vitest';
import { mulhi32, philox4x32 } from './philox.js';

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ');
const words = (s: string) => s.split(' ').map((w) => Number.parseInt(w, 16));

describe('philox4x32', () => {
  // Known-answer vectors for philox4x32_10 from Random123's kat_vectors file
  // (https://github.com/DEShawResearch/random123/blob/main/tests/kat_vectors).
  const kat: [counter: string, key: string, expected: string][] = [
    ['00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    ['ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    ['243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ];

  it.each(kat)(
    'matches the Random123 known-answer vector for counter %s, key %s',
    (counter, key, expected) => {
      expect(hex(philox4x32(words(counter), words(key)))).toBe(expected);
    },
  );

  it('writes into the given output buffer and leaves its inputs untouched', () => {
    const counter = new Uint32Array(4);
    const key = new Uint32Array(2);
    const out = new Uint32Array(4);
    expect(philox4x32(counter, key, out)).toBe(out);
    expect(hex(out)).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(Array.from(counter)).toEqual([0, 0, 0, 0]);
    expect(Array.from(key)).toEqual([0, 0]);
  });
});

describe('mulhi32', () => {
  it('equals the high word of the exact 64-bit product (checked with BigInt)', () => {
    const edge = [
      0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57,
    ];
    const values = [...edge];
    // A fixed LCG (Numerical Recipes constants) for extra operands, independent of the code under test.
    let x = 12345;
    for (let i = 0; i < 200; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      values.push(x);
    }
    for (const a of values) {
      for (const b of edge) {
        const expected = Number((BigInt(a) * BigInt(b)) >> 32n);
        expect(mulhi32(a, b)).toBe(expected);
        expect(mulhi32(b, a)).toBe(expected);
      }
    }
  });
});
