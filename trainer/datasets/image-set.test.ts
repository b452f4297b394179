import { describe, expect, it } from 'vitest';
import { concatSets, expectImageShape, type ImageSet } from './image-set.js';
import { pixelToFloat, quantizePixel } from './pixels.js';
import { subset } from './row-set.js';

function set(name: string, n: number, first: number, labels?: number[], classNames?: string[]): ImageSet {
  const images = Uint8Array.from({ length: n * 784 }, (_, i) => (first + Math.floor(i / 784)) % 256);
  return {
    name,
    images,
    shape: [n, 28, 28, 1],
    ...(labels ? { labels: Int32Array.from(labels) } : {}),
    ...(classNames ? { classNames } : {}),
  };
}

describe('expectImageShape', () => {
  it('accepts N×28×28 and N×28×28×1', () => {
    expect(expectImageShape([5, 28, 28], 'x')).toEqual([5, 28, 28, 1]);
    expect(expectImageShape([5, 28, 28, 1], 'x')).toEqual([5, 28, 28, 1]);
  });

  it('names the size and the source', () => {
    expect(() => expectImageShape([5, 32, 32], '/x/y.npy')).toThrow(
      'expected 28×28 images, got 32×32 in /x/y.npy',
    );
    expect(() => expectImageShape([5, 28, 28, 3], '/x/y.npy')).toThrow(
      /got shape \[5, 28, 28, 3\] in \/x\/y\.npy/,
    );
    expect(() => expectImageShape([784], 'z')).toThrow(/got shape \[784\]/);
  });
});

describe('subset', () => {
  it('copies images and labels in index order, repeats allowed', () => {
    const s = set('a', 4, 10, [0, 1, 2, 3], ['p', 'q', 'r', 's']);
    const sub = subset(s, [3, 0, 3]);
    expect(sub.shape).toEqual([3, 28, 28, 1]);
    expect([sub.images[0], sub.images[784], sub.images[2 * 784]]).toEqual([13, 10, 13]);
    expect([...sub.labels!]).toEqual([3, 0, 3]);
    expect(sub.classNames).toEqual(['p', 'q', 'r', 's']);
    sub.images[0] = 99;
    expect(s.images[3 * 784]).toBe(13);
  });

  it('rejects an index outside the set', () => {
    expect(() => subset(set('a', 2, 0), [2])).toThrow("subset index 2 is outside a's [0, 2)");
    expect(() => subset(set('a', 2, 0), [0.5])).toThrow(/index 0.5/);
  });
});

describe('concatSets', () => {
  it('keeps labels when every set has the same classes', () => {
    const c = concatSets([set('a', 2, 0, [0, 1], ['x', 'y']), set('b', 1, 5, [1], ['x', 'y'])]);
    expect(c.name).toBe('a+b');
    expect(c.shape).toEqual([3, 28, 28, 1]);
    expect([c.images[0], c.images[784], c.images[2 * 784]]).toEqual([0, 1, 5]);
    expect([...c.labels!]).toEqual([0, 1, 1]);
    expect(c.classNames).toEqual(['x', 'y']);
  });

  it('drops labels when a set has none, and takes a name', () => {
    const c = concatSets([set('a', 1, 0, [0], ['x']), set('noise', 2, 9)], 'mix');
    expect(c.name).toBe('mix');
    expect(c.labels).toBeUndefined();
    expect(c.classNames).toBeUndefined();
  });

  it('rejects no sets and mismatched sizes', () => {
    expect(() => concatSets([])).toThrow(/at least one/);
    const odd: ImageSet = { name: 'odd', images: new Uint8Array(32 * 32), shape: [1, 32, 32, 1] };
    expect(() => concatSets([set('a', 1, 0), odd])).toThrow(/cannot concatenate odd \(32×32×1\)/);
  });
});

describe('quantizePixel', () => {
  it('rounds x · 255 and clips to [0, 255]', () => {
    expect([0, 1, 0.5, 0.2, -3, 7, 1 / 510 - 1e-9, 1 / 510].map(quantizePixel)).toEqual([
      0, 255, 128, 51, 0, 255, 0, 1,
    ]);
    for (let v = 0; v < 256; v++) expect(quantizePixel(pixelToFloat(v))).toBe(v);
  });
});
