/**
 * The OOD test sets `goe eval --ood …` names: built-in names and user paths, resolved to image sets.
 */
import { existsSync } from 'node:fs';
import { DatasetError } from './errors.js';
import { loadFashionMnist, loadMnistTest } from './fashion-mnist.js';
import type { ImageSet } from './image-set.js';
import { naturalOutliers } from './natural.js';
import { gaussianNoise, uniformNoise } from './noise.js';
import { loadImagesAs, type RowShape } from './sources/image-source.js';

/** The built-in OOD set names; anything else is taken as a path. A file named like one needs `./`. */
export const OOD_SET_NAMES = ['mnist', 'fashion-mnist', 'gaussian', 'uniform', 'natural'] as const;

/** A built-in OOD set name. */
export type OodSetName = (typeof OOD_SET_NAMES)[number];

/**
 * Seed of the generated OOD test sets. Fixed so that every run, machine and backend evaluates on the
 * same noise images and crops; change it and earlier results stop being comparable.
 */
export const OOD_TEST_SEED = 20190101;

/** Images in a generated OOD test set: the size of the MNIST test set, so sets weigh alike in the mean. */
export const DEFAULT_OOD_COUNT = 10000;

/**
 * First sample index of the `natural` OOD test set: 2^40, far past any training draw, so its crops are
 * never the crops a training run made with the same seed (they still come from the same photographs).
 */
export const NATURAL_TEST_START = 2 ** 40;

/** Options of {@link resolveOodSet}; seed and count apply to generated sets only (files are loaded whole). */
export interface OodSetOptions {
  /** Default {@link OOD_TEST_SEED}. */
  seed?: number;
  /** Default {@link DEFAULT_OOD_COUNT}. */
  count?: number;
  /**
   * The classifier's row shape (default 28×28×1): noise and photo crops are drawn at it, paths are
   * read and brought to it; MNIST and Fashion-MNIST exist only as 28×28×1.
   */
  shape?: RowShape;
}

function isBuiltin(spec: string): spec is OodSetName {
  return (OOD_SET_NAMES as readonly string[]).includes(spec);
}

/**
 * The OOD set `spec` names, at `options.shape`: `mnist` (the MNIST test set), `gaussian` / `uniform`
 * noise and `natural` photo crops (`count` images drawn with `seed`), or otherwise a path read by
 * {@link loadImagesAs} (ImageFolder or image folder of any sizes, `.npy`, IDX) and brought to the shape.
 *
 * @throws {DatasetError} `unknown_set` for a name that is neither built in nor an existing path;
 *   `bad_shape` for `mnist`/`fashion-mnist` at another shape than 28×28×1; the loaders' errors otherwise
 */
export function resolveOodSet(spec: string, options: OodSetOptions = {}): ImageSet {
  const seed = options.seed ?? OOD_TEST_SEED;
  const count = options.count ?? DEFAULT_OOD_COUNT;
  const shape: RowShape = options.shape ?? [28, 28, 1];
  if ((spec === 'mnist' || spec === 'fashion-mnist') && shape.join('x') !== '28x28x1') {
    throw new DatasetError(
      'bad_shape',
      `the OOD set ${spec} is 28×28 grey; this classifier reads ${shape.join('×')}: pass gaussian, uniform, natural or a PATH of images`,
      { value: spec },
    );
  }
  switch (spec) {
    case 'mnist':
      return loadMnistTest();
    case 'fashion-mnist':
      // The OOD set of classifiers trained on MNIST (goe reproduce byo).
      return { ...loadFashionMnist('test'), name: 'fashion-mnist' };
    case 'gaussian':
      return gaussianNoise(count, seed, { shape });
    case 'uniform':
      return uniformNoise(count, seed, { shape });
    case 'natural':
      return naturalOutliers(count, seed, { start: NATURAL_TEST_START, shape });
  }
  if (!existsSync(spec)) throw unknownSet(spec);
  return loadImagesAs(spec, shape);
}

function unknownSet(spec: string): DatasetError {
  return new DatasetError(
    'unknown_set',
    `unknown OOD set '${spec}': use ${OOD_SET_NAMES.join(', ')} or the path of an image folder (PNG/JPEG), .npy file or IDX file`,
    { path: spec, value: spec },
  );
}

/**
 * Splits a comma-separated OOD list (`mnist,gaussian,./x.npy`) into trimmed specs, checking each is a
 * built-in name or an existing path, so a typo fails before any model is loaded. Repeats are dropped.
 *
 * @throws {DatasetError} `bad_argument` for an empty list or entry, `unknown_set` for an unknown name
 */
export function parseOodList(list: string): string[] {
  const specs = list.split(',').map((s) => s.trim());
  if (specs.some((s) => s === '')) {
    throw new DatasetError(
      'bad_argument',
      `empty entry in the OOD set list '${list}': separate names and paths with single commas`,
      { value: list },
    );
  }
  for (const s of specs) if (!isBuiltin(s) && !existsSync(s)) throw unknownSet(s);
  return [...new Set(specs)];
}
