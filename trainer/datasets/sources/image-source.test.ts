import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../runtime/codecs/index.js';
import { encodeIdx } from '../idx.js';
import { decodeImage, toRowShape } from './decode.js';
import {
  classPixels,
  datasetErrorOf,
  jpegBytes,
  pngBytes,
  scratchFolder,
  writeImageFolder,
} from './fixtures.js';
import { loadImageSource, loadImagesAs } from './image-source.js';

const tmp = scratchFolder('goe-image-source-', { cache: true });
beforeAll(tmp.setup);
afterAll(tmp.teardown);
const fresh = tmp.fresh;
describe('ImageFolder', () => {
  it('loads classes sorted by name, labels by folder, a seeded 10 % test split per class', () => {
    const root = writeImageFolder(fresh(), ['cat', 'bird', 'dog'], 10, 8);
    const s = loadImageSource(root, { cache: false });
    expect(s.format).toBe('image-folder');
    expect(s.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(s.rowShape).toEqual([8, 8, 3]);
    expect(s.split).toBe('seeded');
    expect(s.train.shape).toEqual([27, 8, 8, 3]);
    expect(s.test.shape).toEqual([3, 8, 8, 3]);
    expect([...s.test.labels!].sort()).toEqual([0, 1, 2]);
    // Each row carries its class's colour: bird was written as label 1, cat as 0, dog as 2.
    const written = { bird: 1, cat: 0, dog: 2 } as Record<string, number>;
    for (let i = 0; i < s.train.shape[0]; i++) {
      const cls = s.classNames[s.train.labels![i]];
      const want = classPixels(written[cls], 0, 1, 1, 3);
      const got = s.train.images.subarray(i * 192, i * 192 + 3);
      for (let k = 0; k < 3; k++) expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(10);
    }
    const again = loadImageSource(root, { cache: false });
    expect(again.digest).toBe(s.digest);
    const otherSeed = loadImageSource(root, { cache: false, seed: 7 });
    expect(otherSeed.digest).not.toBe(s.digest);
    expect(loadImageSource(root, { cache: false, testSplit: 0.3 }).test.shape[0]).toBe(9);
  });

  it('uses train/ and test/ parts when present', () => {
    const root = fresh();
    writeImageFolder(join(root, 'train'), ['a', 'b'], 6, 4);
    writeImageFolder(join(root, 'test'), ['a', 'b'], 2, 4);
    const s = loadImageSource(root, { cache: false });
    expect(s.split).toBe('folders');
    expect(s.train.shape[0]).toBe(12);
    expect(s.test.shape[0]).toBe(4);
    expect(s.testSplit).toBeUndefined();
  });

  it('reads a JPEG named .png by its magic bytes', () => {
    const root = writeImageFolder(fresh(), ['a', 'b'], 3, 4);
    writeFileSync(join(root, 'a', 'disguised.png'), jpegBytes(classPixels(0, 0, 4, 4, 3), 4, 4));
    const s = loadImageSource(root, { cache: false });
    expect(s.train.shape[0] + s.test.shape[0]).toBe(7);
  });

  it('resizes other sizes to the most common one, with a warning counting them; --size overrides', () => {
    const root = writeImageFolder(fresh(), ['a', 'b'], 4, 8);
    writeFileSync(join(root, 'a', 'big.png'), pngBytes(classPixels(0, 0, 16, 12, 3), 16, 12, 3));
    const s = loadImageSource(root, { cache: false });
    expect(s.rowShape).toEqual([8, 8, 3]);
    expect(s.sizes).toEqual({ '8x8': 8, '16x12': 1 });
    expect(s.warnings.join('\n')).toMatch(/^1 image\(s\) of .* resized to 8×8/m);
    const small = loadImageSource(root, { cache: false, size: 4, channels: 1 });
    expect(small.rowShape).toEqual([4, 4, 1]);
    expect(small.warnings.join('\n')).toMatch(/9 image\(s\) .* resized to 4×4/);
    expect(small.warnings.join('\n')).toMatch(/colour image\(s\) .*converted to grey/);
  });

  it('converts grey and RGBA to the common colour; alpha never changes a colour value', () => {
    const root = writeImageFolder(fresh(), ['a', 'b'], 4, 2);
    // RGBA: a fully transparent pixel of colour (10, 20, 30) must stay (10, 20, 30).
    const rgba = Uint8Array.of(10, 20, 30, 0, 10, 20, 30, 0, 10, 20, 30, 0, 10, 20, 30, 0);
    writeFileSync(join(root, 'a', 'zz-rgba.png'), pngBytes(rgba, 2, 2, 4));
    writeFileSync(join(root, 'b', 'zz-grey.png'), pngBytes(Uint8Array.of(77, 77, 77, 77), 2, 2, 1));
    const s = loadImageSource(root, { cache: false, testSplit: 0.2, seed: 3 });
    expect(s.colours).toEqual({ colour: 8, 'colour+alpha': 1, grey: 1 });
    const all = loadImagesAs(root, s.rowShape);
    const rows = Array.from({ length: all.shape[0] }, (_, i) => [...all.images.subarray(i * 12, i * 12 + 3)]);
    expect(rows).toContainEqual([10, 20, 30]);
    expect(rows).toContainEqual([77, 77, 77]);
    expect(s.warnings.join('\n')).toMatch(
      /1 colour\+alpha image\(s\) .*alpha dropped \(colour values kept\)/,
    );
    expect(s.warnings.join('\n')).toMatch(/1 grey image\(s\) .*converted to colour/);
  });

  it('converts colour to grey with BT.601 luma and resizes by area means', () => {
    const img = {
      width: 2,
      height: 2,
      channels: 3 as const,
      pixels: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0),
    };
    expect([...toRowShape(img, 2, 2, 1)]).toEqual([76, 150, 29, 0]);
    expect([...toRowShape(img, 1, 1, 3)]).toEqual([64, 64, 64]);
  });

  it('ignores hidden files and __MACOSX, keeps class names with spaces and non-ASCII letters', () => {
    const root = writeImageFolder(fresh(), ['Golden retriever', 'café crème'], 3, 4);
    mkdirSync(join(root, '__MACOSX', 'Golden retriever'), { recursive: true });
    writeFileSync(join(root, '__MACOSX', 'Golden retriever', '._0.png'), 'resource fork');
    writeFileSync(join(root, 'Golden retriever', '._0.png'), 'AppleDouble');
    writeFileSync(join(root, '.DS_Store'), 'x');
    mkdirSync(join(root, '.hidden-class'));
    const s = loadImageSource(root, { cache: false });
    expect(s.classNames).toEqual(['Golden retriever', 'café crème']);
    expect(s.train.shape[0] + s.test.shape[0]).toBe(6);
  });

  it('caches decoded tensors keyed by paths, sizes and mtimes', () => {
    const root = writeImageFolder(fresh(), ['a', 'b'], 4, 4);
    const first = loadImageSource(root);
    expect(first.cached).toBe(false);
    const second = loadImageSource(root);
    expect(second.cached).toBe(true);
    expect(second.digest).toBe(first.digest);
    expect(second.train.images).toEqual(first.train.images);
    expect(second.test.labels).toEqual(first.test.labels);
    const file = join(root, 'a', '0.png');
    writeFileSync(file, pngBytes(classPixels(1, 0, 4, 4, 3), 4, 4, 3));
    utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    const third = loadImageSource(root);
    expect(third.cached).toBe(false);
    expect(third.digest).not.toBe(first.digest);
  });

  it('reports progress per decoded file', () => {
    const root = writeImageFolder(fresh(), ['a', 'b'], 3, 4);
    const seen: number[] = [];
    loadImageSource(root, { cache: false, onProgress: (done, total) => seen.push(done / total) });
    expect(seen.length).toBe(6);
    expect(seen.at(-1)).toBe(1);
  });
});

describe('ImageFolder bad input: one-line errors naming the file or folder', () => {
  it('an empty class folder', () => {
    const root = writeImageFolder(fresh(), ['a', 'b'], 3, 4);
    mkdirSync(join(root, 'c'));
    writeFileSync(join(root, 'c', '.DS_Store'), 'x');
    const e = datasetErrorOf(() => loadImageSource(root, { cache: false }));
    expect(e.code).toBe('empty');
    expect(e.message).toContain(join(root, 'c'));
    expect(e.message).not.toContain('\n');
  });

  it('one class only', () => {
    const root = writeImageFolder(fresh(), ['only'], 3, 4);
    const e = datasetErrorOf(() => loadImageSource(root, { cache: false }));
    expect(e.code).toBe('too_few_classes');
    expect(e.message).toContain(root);
  });

  it('a folder without class folders', () => {
    const root = fresh();
    writeFileSync(join(root, 'x.png'), pngBytes(new Uint8Array(4), 2, 2, 1));
    expect(datasetErrorOf(() => loadImageSource(root, { cache: false })).code).toBe('empty');
  });

  it('a corrupt PNG, a truncated JPEG and a file that is no image', () => {
    for (const [name, bytes] of [
      ['bad.png', pngBytes(classPixels(0, 0, 4, 4, 3), 4, 4, 3).subarray(0, 40)],
      ['cut.jpg', jpegBytes(classPixels(0, 0, 8, 8, 3), 8, 8).subarray(0, 300)],
      ['text.jpeg', new TextEncoder().encode('not an image at all')],
    ] as const) {
      const root = writeImageFolder(fresh(), ['a', 'b'], 3, 4);
      const file = join(root, 'b', name);
      writeFileSync(file, bytes);
      const e = datasetErrorOf(() => loadImageSource(root, { cache: false }));
      expect(['bad_image', 'unsupported_format']).toContain(e.code);
      expect(e.message).toContain(file);
      expect(e.message).not.toContain('\n');
    }
  });

  it('a test/ class that train/ lacks', () => {
    const root = fresh();
    writeImageFolder(join(root, 'train'), ['a', 'b'], 3, 4);
    writeImageFolder(join(root, 'test'), ['a', 'z'], 1, 4);
    const e = datasetErrorOf(() => loadImageSource(root, { cache: false }));
    expect(e.code).toBe('label_mismatch');
    expect(e.message).toContain(join(root, 'test', 'z'));
  });

  it('a missing path and a bad --test-split', () => {
    expect(datasetErrorOf(() => loadImageSource(join(tmp.root, 'nope'))).code).toBe('unreadable');
    const root = writeImageFolder(fresh(), ['a', 'b'], 3, 4);
    expect(datasetErrorOf(() => loadImageSource(root, { testSplit: 1 })).code).toBe('bad_argument');
  });
});

describe('.npy and IDX pairs', () => {
  const rgb = (count: number) => {
    const out = new Uint8Array(count * 4 * 4 * 3);
    for (let i = 0; i < count; i++) out.set(classPixels(i % 2, i, 4, 4, 3), i * 48);
    return out;
  };

  it('a .npy of N×H×W×3 uint8 images with labels.npy beside it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'images.npy'), encodeNpy(rgb(20), [20, 4, 4, 3]));
    writeFileSync(
      join(dir, 'labels.npy'),
      encodeNpy(
        Int32Array.from({ length: 20 }, (_, i) => i % 2),
        [20],
      ),
    );
    const s = loadImageSource(join(dir, 'images.npy'), { size: 2 });
    expect(s.format).toBe('npy');
    expect(s.labelsPath).toBe(join(dir, 'labels.npy'));
    expect(s.classNames).toEqual(['0', '1']);
    expect(s.rowShape).toEqual([2, 2, 3]);
    expect(s.train.shape[0] + s.test.shape[0]).toBe(20);
    expect(s.test.shape[0]).toBe(2);
  });

  it('labels whose length differs from the images', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'x_train.npy'), encodeNpy(rgb(20), [20, 4, 4, 3]));
    writeFileSync(join(dir, 'y_train.npy'), encodeNpy(new Uint8Array(19), [19]));
    const e = datasetErrorOf(() => loadImageSource(join(dir, 'x_train.npy')));
    expect(e.code).toBe('label_mismatch');
    expect(e.message).toContain(join(dir, 'y_train.npy'));
    expect(e.message).toContain('19 labels for the 20 images');
  });

  it('an images .npy without a labels file says how to name one', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'pics.npy'), encodeNpy(rgb(4), [4, 4, 4, 3]));
    const e = datasetErrorOf(() => loadImageSource(join(dir, 'pics.npy')));
    expect(e.message).toContain('--labels');
    expect(e.message).toContain(join(dir, 'pics.npy'));
  });

  it('an IDX image/label pair (gz-free), grey', () => {
    const dir = fresh();
    const images = new Uint8Array(10 * 9);
    images.forEach((_, i) => {
      images[i] = Math.floor(i / 9) % 2 ? 200 : 20;
    });
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx(images, [10, 3, 3]));
    writeFileSync(
      join(dir, 'train-labels-idx1-ubyte'),
      encodeIdx(
        Uint8Array.from({ length: 10 }, (_, i) => i % 2),
        [10],
      ),
    );
    const s = loadImageSource(join(dir, 'train-images-idx3-ubyte'), { testSplit: 0.2 });
    expect(s.format).toBe('idx');
    expect(s.rowShape).toEqual([3, 3, 1]);
    expect(s.test.shape[0]).toBe(2);
    for (let i = 0; i < s.train.shape[0]; i++) {
      expect(s.train.images[i * 9]).toBe(s.train.labels![i] ? 200 : 20);
    }
  });
});

describe('decodeImage', () => {
  it('decodes an RGB JPEG as colour and a grey PNG as grey', () => {
    const px = classPixels(0, 0, 4, 4, 3);
    const img = decodeImage(jpegBytes(px, 4, 4), 'x.jpg');
    expect(img.channels).toBe(3);
    const png = decodeImage(pngBytes(new Uint8Array(16).fill(9), 4, 4, 1), 'g.png');
    expect(png.channels).toBe(1);
    expect([...png.pixels]).toEqual(new Array(16).fill(9));
  });
});
