import { describe, expect, it } from 'vitest';
import { subset } from './row-set.js';
import { textSetOf } from './text/text-set.js';

describe('subset', () => {
  it('copies text rows (token ids) and labels at the indices, keeping the kind and the class names', () => {
    const set = textSetOf(
      't',
      [Int32Array.of(1, 2), Int32Array.of(3, 4), Int32Array.of(5, 6)],
      2,
      [0, 1, 0],
      ['a', 'b'],
    );
    const sub = subset(set, [2, 1, 2]);
    expect(sub.tokens).toBeInstanceOf(Int32Array);
    expect([...sub.tokens]).toEqual([5, 6, 3, 4, 5, 6]);
    expect(sub.shape).toEqual([3, 2]);
    expect([...sub.labels!]).toEqual([0, 1, 0]);
    expect(sub.classNames).toEqual(['a', 'b']);
    expect(() => subset(set, [3])).toThrow("subset index 3 is outside t's [0, 3)");
  });
});
