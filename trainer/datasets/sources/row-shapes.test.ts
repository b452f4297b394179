import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPythonJson } from '../../../test/helpers/python.js';
import { outlierPool } from '../../outliers.js';
import { encodeIdx } from '../idx.js';
import { naturalOutliers } from '../natural.js';
import { gaussianNoise, uniformNoise } from '../noise.js';
import { resolveOodSet } from '../ood-sets.js';
import { classPixels, datasetErrorOf, scratchFolder, writeImageFolder } from './fixtures.js';
import { loadImageSource, loadImagesAs } from './image-source.js';
import { isTextSourcePath, readTexts } from './text-source.js';

/** OOD sets, outlier pools and data layouts at row shapes other than 28×28×1, and int64 labels. */

const tmp = scratchFolder('goe-row-shapes-', { cache: true });
beforeAll(tmp.setup);
afterAll(tmp.teardown);
const fresh = tmp.fresh;
describe('noise and photo crops at a row shape', () => {
  it('28×28×1 is the default and draws the same rows as before shapes existed', () => {
    const a = gaussianNoise(3, 7);
    const b = gaussianNoise(3, 7, { shape: [28, 28, 1] });
    expect(a.shape).toEqual([3, 28, 28, 1]);
    expect(b.images).toEqual(a.images);
    // Row 1 of a larger draw equals row 0 of a draw starting at 1 (rows depend on (seed, i) only).
    const rgb = uniformNoise(2, 7, { shape: [32, 32, 3] });
    const second = uniformNoise(1, 7, { shape: [32, 32, 3], start: 1 });
    expect(rgb.shape).toEqual([2, 32, 32, 3]);
    expect(rgb.images.subarray(3072)).toEqual(second.images);
  });

  it('Gaussian RGB noise has mean ≈ 0.5 and the clipped share of N(0.5, 0.5²) at 0 and 255', () => {
    const g = gaussianNoise(20, 1, { shape: [16, 16, 3] });
    const px = g.images;
    const mean = px.reduce((s, v) => s + v, 0) / px.length / 255;
    expect(mean).toBeGreaterThan(0.47);
    expect(mean).toBeLessThan(0.53);
    const zeros = px.filter((v) => v === 0).length / px.length;
    expect(zeros).toBeGreaterThan(0.13); // P(N(0.5, 0.25) < 0) = 15.9 %
    expect(zeros).toBeLessThan(0.19);
  });

  it('a uniform row whose size is not a multiple of 4 stays inside its row', () => {
    const u = uniformNoise(2, 3, { shape: [3, 3, 1] });
    const one = uniformNoise(1, 3, { shape: [3, 3, 1], start: 1 });
    expect(u.images.subarray(9)).toEqual(one.images);
  });

  it('colour crops: the same boxes as the grey ones, R, G, B area-averaged', () => {
    const grey = naturalOutliers(4, 5, { shape: [12, 12, 1] });
    const colour = naturalOutliers(4, 5, { shape: [12, 12, 3] });
    expect(colour.shape).toEqual([4, 12, 12, 3]);
    // BT.601 luma of the colour crop is the grey crop (both are exact area means of the same box).
    for (let p = 0; p < 4 * 144; p += 37) {
      const [r, g, b] = colour.images.subarray(p * 3, p * 3 + 3);
      expect(Math.abs(0.299 * r + 0.587 * g + 0.114 * b - grey.images[p])).toBeLessThan(1.6);
    }
    // Photographs have colour: some pixel's channels differ.
    expect(colour.images.some((v, i) => i % 3 === 0 && v !== colour.images[i + 1])).toBe(true);
  });

  it('resolveOodSet draws at the shape, reads paths at it and refuses MNIST at another', () => {
    expect(resolveOodSet('uniform', { count: 2, shape: [32, 32, 3] }).shape).toEqual([2, 32, 32, 3]);
    const dir = writeImageFolder(fresh(), ['a', 'b'], 2, 20);
    const set = resolveOodSet(dir, { shape: [32, 32, 3] });
    expect(set.shape).toEqual([4, 32, 32, 3]);
    const e = datasetErrorOf(() => resolveOodSet('mnist', { shape: [32, 32, 3] }));
    expect(e.code).toBe('bad_shape');
    expect(e.message).toContain('mnist is 28×28 grey');
  });

  it('outlier pools of noise, photo crops and a folder at the classifier’s shape', async () => {
    const spec = { count: 3, seed: 2 };
    expect((await outlierPool({ ...spec, source: 'noise' }, [32, 32, 3]))!.shape).toEqual([3, 32, 32, 3]);
    expect((await outlierPool({ ...spec, source: 'natural' }, [16, 16, 3]))!.shape).toEqual([3, 16, 16, 3]);
    const dir = writeImageFolder(fresh(), ['x', 'y'], 2, 8);
    expect((await outlierPool({ ...spec, source: dir }, [16, 16, 3]))!.shape).toEqual([4, 16, 16, 3]);
    expect(await outlierPool({ ...spec, source: 'none' }, [16, 16, 3])).toBeUndefined();
  });
});

describe('labels and layouts', () => {
  const rgb = (count: number) => {
    const out = new Uint8Array(count * 4 * 4 * 3);
    for (let i = 0; i < count; i++) out.set(classPixels(i % 2, i, 4, 4, 3), i * 48);
    return out;
  };

  it("int64 labels (numpy's default integer) are read; a value past int32 is named", () => {
    const dir = fresh();
    runPythonJson(
      ['numpy'],
      [
        'import json, sys, numpy as np',
        'd = sys.argv[1]',
        'np.save(d + "/images.npy", np.zeros((6, 4, 4, 3), dtype=np.uint8))',
        'np.save(d + "/labels.npy", np.array([0, 1, 2, 0, 1, 2]))',
        'np.save(d + "/big_images.npy", np.zeros((2, 4, 4, 3), dtype=np.uint8))',
        'np.save(d + "/big_labels.npy", np.array([0, 2**40]))',
        'print(json.dumps(str(np.load(d + "/labels.npy").dtype)))',
      ].join('\n'),
      [dir],
    );
    const s = loadImageSource(join(dir, 'images.npy'), { testSplit: 0.34 });
    expect(s.classNames).toEqual(['0', '1', '2']);
    expect([...s.train.labels!, ...s.test.labels!].sort()).toEqual([0, 0, 1, 1, 2, 2]);
    const e = datasetErrorOf(() => loadImageSource(join(dir, 'big_images.npy')));
    expect(e.code).toBe('bad_value');
    expect(e.message).toContain(join(dir, 'big_labels.npy'));
    expect(e.message).toContain('1099511627776 at index 1 does not fit int32');
  });

  it('a folder of the four IDX files is the train and test parts', () => {
    const dir = fresh();
    const images = (count: number) => {
      const px = new Uint8Array(count * 16);
      for (let i = 0; i < px.length; i++) px[i] = Math.floor(i / 16) % 2 ? 210 : 30;
      return encodeIdx(px, [count, 4, 4]);
    };
    const labels = (count: number) =>
      encodeIdx(
        Uint8Array.from({ length: count }, (_, i) => i % 2),
        [count],
      );
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images(10));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels(10));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images(4));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels(3));
    const e = datasetErrorOf(() => loadImageSource(dir));
    expect(e.code).toBe('label_mismatch');
    expect(e.message).toContain('t10k-labels-idx1-ubyte has 3 labels for the 4 images');
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels(4));
    const s = loadImageSource(dir);
    expect(s).toMatchObject({ format: 'idx', split: 'folders', rowShape: [4, 4, 1] });
    expect([s.train.shape[0], s.test.shape[0]]).toEqual([10, 4]);
    expect(s.test.images[16]).toBe(210);
    // As an OOD set: its test images.
    expect(loadImagesAs(dir, [8, 8, 3]).shape).toEqual([4, 8, 8, 3]);
  });

  it('an IDX folder of one class is refused naming the file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx(rgb(2).subarray(0, 32), [2, 4, 4]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx(new Uint8Array(2), [2]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx(rgb(2).subarray(0, 32), [2, 4, 4]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx(new Uint8Array(2), [2]));
    const e = datasetErrorOf(() => loadImageSource(dir));
    expect(e.code).toBe('too_few_classes');
    expect(e.message).toContain('train-images-idx3-ubyte holds one class only');
  });
});

describe('texts as OOD sets', () => {
  it('reads a folder of .txt, JSONL and CSV text fields, and lines of other files', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'notes', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'notes', 'a.txt'), 'first note');
    writeFileSync(join(dir, 'notes', 'sub', 'b.txt'), 'second note');
    writeFileSync(join(dir, 'notes', '.hidden.txt'), 'ignored');
    expect(readTexts(join(dir, 'notes'))).toEqual(['first note', 'second note']);
    writeFileSync(join(dir, 'x.jsonl'), '{"text": "one"}\n\n{"text": "two", "label": "z"}\n');
    expect(readTexts(join(dir, 'x.jsonl'))).toEqual(['one', 'two']);
    writeFileSync(join(dir, 'x.csv'), 'text,other\n"a, quoted",1\nb,2\n');
    expect(readTexts(join(dir, 'x.csv'))).toEqual(['a, quoted', 'b']);
    writeFileSync(join(dir, 'lines.txt'), 'l1\n\nl2\n');
    expect(readTexts(join(dir, 'lines.txt'))).toEqual(['l1', 'l2']);
    writeFileSync(join(dir, 'bad.jsonl'), '{"text": "ok"}\n{"label": "no text"}\n');
    expect(() => readTexts(join(dir, 'bad.jsonl'))).toThrow(`${join(dir, 'bad.jsonl')} line 2 has no "text"`);
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(datasetErrorOf(() => readTexts(join(dir, 'latin1.txt'))).code).toBe('bad_encoding');
  });

  it('tells labelled text data from image data', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'texts', 'a'), { recursive: true });
    writeFileSync(join(dir, 'texts', 'a', '1.txt'), 'x');
    expect(isTextSourcePath(join(dir, 'texts'))).toBe(true);
    expect(isTextSourcePath(writeImageFolder(join(dir, 'imgs'), ['a', 'b'], 1, 4))).toBe(false);
    writeFileSync(join(dir, 'd.csv'), 'text,label\n');
    expect(isTextSourcePath(join(dir, 'd.csv'))).toBe(true);
    expect(isTextSourcePath(join(dir, 'missing.jsonl'))).toBe(false);
  });
});
