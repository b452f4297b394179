import { DatasetError } from './errors.js';
import type { RowSet } from './row-set.js';

/** Side of every image goe's image loaders hand out (Fashion-MNIST, MNIST, noise, natural crops). */
export const IMAGE_SIZE = 28;

/**
 * A set of images: uint8 pixels in NHWC order (0 = black, 255 = white), 28×28×1 for every loader here.
 * `labels` (class indices into `classNames`) only for labelled data such as Fashion-MNIST.
 * Sets a loader caches are shared: treat `images` and `labels` as read-only, and copy with `subset` (row-set.ts).
 */
export interface ImageSet extends RowSet {
  images: Uint8Array;
  shape: [n: number, h: number, w: number, c: number];
}

/**
 * Checks that `shape` is `N×28×28` or `N×28×28×1` and returns it as NHWC. `source` (a path or a name)
 * goes into the error so a user knows which file to fix.
 *
 * @throws {DatasetError} `bad_shape` naming the shape and `source`
 */
export function expectImageShape(shape: readonly number[], source: string): ImageSet['shape'] {
  const rankOk = shape.length === 3 || (shape.length === 4 && shape[3] === 1);
  if (!rankOk) {
    throw new DatasetError(
      'bad_shape',
      `expected N×${IMAGE_SIZE}×${IMAGE_SIZE} or N×${IMAGE_SIZE}×${IMAGE_SIZE}×1 grey images, got shape [${shape.join(', ')}] in ${source}`,
      { path: source, value: [...shape] },
    );
  }
  const [n, h, w] = shape;
  if (h !== IMAGE_SIZE || w !== IMAGE_SIZE) {
    throw new DatasetError(
      'bad_shape',
      `expected ${IMAGE_SIZE}×${IMAGE_SIZE} images, got ${h}×${w} in ${source}`,
      { path: source, value: [...shape] },
    );
  }
  return [n, h, w, 1];
}

/**
 * The sets one after another, copied. Labels are kept only when every set has them with the same class
 * names (concatenating labelled in-distribution data with unlabelled outliers drops them, as it should).
 *
 * @param name the new set's name; by default the names joined with `+`
 * @throws {DatasetError} `bad_argument` for no sets, `bad_shape` when image sizes differ
 */
export function concatSets(sets: readonly ImageSet[], name?: string): ImageSet {
  if (sets.length === 0) throw new DatasetError('bad_argument', 'concatSets needs at least one set');
  const [, h, w, c] = sets[0].shape;
  for (const s of sets) {
    if (s.shape[1] !== h || s.shape[2] !== w || s.shape[3] !== c) {
      throw new DatasetError(
        'bad_shape',
        `cannot concatenate ${s.name} (${s.shape.slice(1).join('×')}) with ${sets[0].name} (${h}×${w}×${c})`,
        { value: s.shape },
      );
    }
  }
  const n = sets.reduce((sum, s) => sum + s.shape[0], 0);
  const images = new Uint8Array(n * h * w * c);
  let offset = 0;
  for (const s of sets) {
    images.set(s.images.subarray(0, s.shape[0] * h * w * c), offset);
    offset += s.shape[0] * h * w * c;
  }
  const classNames = sets[0].classNames;
  const sameClasses = (s: ImageSet) =>
    s.labels !== undefined &&
    s.classNames?.length === classNames?.length &&
    (s.classNames ?? []).every((cn, i) => cn === classNames![i]);
  let labels: Int32Array | undefined;
  if (sets.every(sameClasses)) {
    labels = new Int32Array(n);
    let at = 0;
    for (const s of sets) {
      labels.set(s.labels!.subarray(0, s.shape[0]), at);
      at += s.shape[0];
    }
  }
  return {
    name: name ?? sets.map((s) => s.name).join('+'),
    images,
    shape: [n, h, w, c],
    ...(labels ? { labels } : {}),
    ...(labels && classNames ? { classNames } : {}),
  };
}
