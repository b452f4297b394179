import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { examplesOf, gatherTokens, gatherUnit } from './examples.js';
import type { ImageSet } from './image-set.js';
import { pixelToFloat } from './pixels.js';
import type { TextSet } from './text/text-set.js';

beforeAll(() => initBackend('wasm'));

const images: ImageSet = {
  name: 's',
  images: Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256),
  shape: [3, 28, 28, 1],
  labels: Int32Array.from([0, 1, 2]),
};

describe('examples', () => {
  it('scales the pixels of the rows asked for by 1/255 into [0, 1], NHWC', () => {
    const t = gatherUnit(images, [2, 0]);
    expect(t.shape).toEqual([2, 28, 28, 1]);
    const v = t.dataSync();
    expect(v[0]).toBe(pixelToFloat((2 * 784) % 256));
    expect(v[784]).toBe(0);
    expect(v[784 + 255]).toBe(1);
    t.dispose();
  });

  it('gathers token windows as int32 rows', () => {
    const text: TextSet = { name: 't', tokens: Int32Array.from({ length: 12 }, (_, i) => i), shape: [3, 4] };
    const t = gatherTokens(text, [2, 2, 0]);
    expect(t.dtype).toBe('int32');
    expect(t.arraySync()).toEqual([
      [8, 9, 10, 11],
      [8, 9, 10, 11],
      [0, 1, 2, 3],
    ]);
    t.dispose();
  });

  it('wraps image and text sets alike, keeping size and labels', () => {
    const ex = examplesOf(images);
    expect(ex.size).toBe(3);
    expect(ex.labels).toBe(images.labels);
    expect(examplesOf(ex)).toBe(ex);
    const text = examplesOf({ name: 't', tokens: new Int32Array(8), shape: [2, 4] });
    const b = text.batch([1]);
    expect(b.shape).toEqual([1, 4]);
    b.dispose();
  });
});
