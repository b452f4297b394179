import { join } from 'node:path';
import { DatasetError } from './errors.js';
import { readIdxFile } from './idx.js';
import { expectImageShape, type ImageSet } from './image-set.js';
import { requireDataset } from './locate.js';

/** Fashion-MNIST's classes, by label (H. Xiao, K. Rasul, R. Vollgraf, arXiv:1708.07747, 2017). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** MNIST's classes, by label. */
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** Parsed sets by name and file paths: parsing the 60k training set costs ~0.5 s, so once a process. */
const cache = new Map<string, ImageSet>();

/**
 * Reads an IDX image file and its label file as one labelled set, checking 28×28 images, equal counts
 * and labels inside `classNames`. Cached per process by name and paths; the set is shared, do not mutate it.
 *
 * @throws {DatasetError} for unreadable or malformed files (codes of {@link readIdxFile}), `bad_shape`,
 *   `label_mismatch` or `bad_value`
 */
export function loadIdxPair(
  name: string,
  imagesPath: string,
  labelsPath: string,
  classNames: readonly string[],
): ImageSet {
  const key = `${name}\0${imagesPath}\0${labelsPath}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const images = readIdxFile(imagesPath, 3);
  const shape = expectImageShape(images.shape, imagesPath);
  const rawLabels = readIdxFile(labelsPath, 1);
  if (rawLabels.shape[0] !== shape[0]) {
    throw new DatasetError(
      'label_mismatch',
      `${labelsPath} has ${rawLabels.shape[0]} labels for the ${shape[0]} images of ${imagesPath}`,
      { path: labelsPath, value: rawLabels.shape[0] },
    );
  }
  const labels = Int32Array.from(rawLabels.data);
  const bad = labels.findIndex((l) => l >= classNames.length);
  if (bad >= 0) {
    throw new DatasetError(
      'bad_value',
      `${labelsPath}: label ${labels[bad]} at index ${bad} is not one of the ${classNames.length} classes`,
      { path: labelsPath, value: labels[bad] },
    );
  }
  const set: ImageSet = { name, images: images.data, shape, labels, classNames };
  cache.set(key, set);
  return set;
}

/**
 * Fashion-MNIST, the in-distribution data: `train` = 60000 and `test` = 10000 labelled 28×28 grey
 * images, found through the `fashion-mnist` catalog entry (GOE_FASHION_MNIST_DIR, Debian's
 * dataset-fashion-mnist, the cache dir). Cached per process; the set is shared, do not mutate it.
 *
 * @throws {DatasetError} `not_found` with install instructions, or a file error naming the file
 */
export function loadFashionMnist(split: 'train' | 'test'): ImageSet {
  if (split !== 'train' && split !== 'test') {
    throw new DatasetError('bad_argument', `Fashion-MNIST split must be 'train' or 'test', got ${split}`, {
      value: split,
    });
  }
  const dir = requireDataset('fashion-mnist');
  const prefix = split === 'train' ? 'train' : 't10k';
  return loadIdxPair(
    `fashion-mnist-${split}`,
    join(dir, `${prefix}-images-idx3-ubyte.gz`),
    join(dir, `${prefix}-labels-idx1-ubyte.gz`),
    FASHION_MNIST_CLASSES,
  );
}

/**
 * The MNIST test set (10000 labelled digits), the standard far-OOD set for Fashion-MNIST, found through
 * the `mnist-test` catalog entry (GOE_MNIST_DIR, then the cache dir; `ensureDataset('mnist-test')`
 * downloads it there first). Named `mnist`.
 *
 * @throws {DatasetError} `not_found` with instructions, or a file error naming the file
 */
export function loadMnistTest(): ImageSet {
  const dir = requireDataset('mnist-test');
  return loadIdxPair(
    'mnist',
    join(dir, 't10k-images-idx3-ubyte.gz'),
    join(dir, 't10k-labels-idx1-ubyte.gz'),
    MNIST_CLASSES,
  );
}
