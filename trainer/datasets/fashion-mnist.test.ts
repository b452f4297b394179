import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  it('loads the 10000 MNIST test digits', () => {
    const mnist = loadMnistTest();
    expect(mnist.name).toBe('mnist');
    expect(mnist.shape).toEqual([10000, 28, 28, 1]);
    expect(classCounts(mnist.labels!).reduce((a, b) => a + b)).toBe(10000);
    expect(mnist.labels![0]).toBe(7); // the famous first test digit
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
