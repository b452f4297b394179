import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeMnistFixture } from '../../test/helpers/mnist-fixture.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist, loadIdxPair, loadMnistTest } from './fashion-mnist.js';
import { encodeIdx } from './idx.js';

function classCounts(labels: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

describe('loadFashionMnist', () => {
  it('loads the 60000 training images with balanced labels 0..9', () => {
    const train = loadFashionMnist('train');
    expect(train.name).toBe('fashion-mnist-train');
    expect(train.shape).toEqual([60000, 28, 28, 1]);
    expect(train.images.length).toBe(60000 * 784);
    expect(classCounts(train.labels!)).toEqual(new Array(10).fill(6000));
    expect(train.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(train.classNames![9]).toBe('Ankle boot');
    // The first training image is an ankle boot (label 9) in the published files.
    expect(train.labels![0]).toBe(9);
    expect(loadFashionMnist('train')).toBe(train); // cached per process
  });

  it('loads the 10000 test images', () => {
    const test = loadFashionMnist('test');
    expect(test.shape).toEqual([10000, 28, 28, 1]);
    expect(classCounts(test.labels!)).toEqual(new Array(10).fill(1000));
  });

  it('rejects an unknown split', () => {
    expect(() => loadFashionMnist('val' as 'train')).toThrow(/split must be 'train' or 'test', got val/);
  });
});

describe('loadMnistTest', () => {
  // The MNIST test set's own files, as a synthetic stand-in the test writes (a fresh clone has no MNIST).
  const saved = { mnist: process.env.GOE_MNIST_DIR, cache: process.env.GOE_CACHE_DIR };
  afterEach(() => {
    for (const [k, v] of [
      ['GOE_MNIST_DIR', saved.mnist],
      ['GOE_CACHE_DIR', saved.cache],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('loads the t10k IDX pair from GOE_MNIST_DIR', () => {
    const fixture = writeMnistFixture(30);
    process.env.GOE_MNIST_DIR = fixture.dir;
    const mnist = loadMnistTest();
    expect(mnist.name).toBe('mnist');
    expect(mnist.shape).toEqual([30, 28, 28, 1]);
    expect(mnist.images).toEqual(fixture.images);
    expect(Array.from(mnist.labels!)).toEqual(Array.from(fixture.labels));
    expect(classCounts(mnist.labels!)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    rmSync(fixture.dir, { recursive: true, force: true });
  });

  it('then looks in the cache dir, and names what to set when neither holds it', () => {
    delete process.env.GOE_MNIST_DIR;
    const cache = mkdtempSync(join(tmpdir(), 'goe-cache-'));
    process.env.GOE_CACHE_DIR = cache;
    let message = '';
    try {
      loadMnistTest();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^MNIST test set not found \(tried .*mnist-test\): set GOE_MNIST_DIR to a folder/,
    );
    expect(message).not.toMatch(/shared/);
    const fixture = writeMnistFixture(20);
    mkdirSync(join(cache, 'datasets'), { recursive: true });
    renameSync(fixture.dir, join(cache, 'datasets', 'mnist-test'));
    expect(loadMnistTest().shape).toEqual([20, 28, 28, 1]);
    rmSync(cache, { recursive: true, force: true });
  });
});

describe('loadIdxPair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'goe-pair-'));
  const images = join(dir, 'images-idx3-ubyte');
  writeFileSync(images, encodeIdx(new Uint8Array(2 * 784), [2, 28, 28]));

  it('rejects label files of another length', () => {
    const labels = join(dir, 'three-labels');
    writeFileSync(labels, encodeIdx(Uint8Array.from([0, 1, 2]), [3]));
    expect(() => loadIdxPair('x', images, labels, ['a', 'b', 'c'])).toThrow(/has 3 labels for the 2 images/);
  });

  it('rejects a label past the class list', () => {
    const labels = join(dir, 'bad-labels');
    writeFileSync(labels, encodeIdx(Uint8Array.from([0, 5]), [2]));
    expect(() => loadIdxPair('x', images, labels, ['a', 'b'])).toThrow(
      /label 5 at index 1 is not one of the 2 classes/,
    );
  });

  it('rejects images other than 28×28', () => {
    const big = join(dir, 'big-idx3-ubyte');
    writeFileSync(big, encodeIdx(new Uint8Array(32 * 32), [1, 32, 32]));
    expect(() => loadIdxPair('x', big, images, ['a'])).toThrow(`expected 28×28 images, got 32×32 in ${big}`);
  });
});
