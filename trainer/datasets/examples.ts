import * as tf from '../../runtime/tf.js';
import type { ImageSet } from './image-set.js';
import { pixelToFloat } from './pixels.js';
import type { TextSet } from './text/text-set.js';

/**
 * What the fit, logits and evaluation loops see of a data set, image or text: a size, optional labels,
 * and a batch of model inputs for any row indices (images: float32 NHWC in [0, 1]; text: int32 token ids).
 */
export interface Examples {
  name: string;
  size: number;
  labels?: Int32Array;
  classNames?: readonly string[];
  batch(idx: ArrayLike<number>): tf.Tensor;
}

/** uint8 rows at `idx` → float32 NHWC in [0, 1] (`pixelToFloat`, the classifiers' input normalisation). */
export function gatherUnit(set: ImageSet, idx: ArrayLike<number>): tf.Tensor4D {
  const [, h, w, c] = set.shape;
  const row = h * w * c;
  const out = new Float32Array(idx.length * row);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * row;
    for (let k = 0; k < row; k++) out[i * row + k] = pixelToFloat(set.images[src + k]);
  }
  return tf.tensor4d(out, [idx.length, h, w, c]);
}

/** Token windows at `idx` → int32 [n, length]. */
export function gatherTokens(set: TextSet, idx: ArrayLike<number>): tf.Tensor2D {
  const len = set.shape[1];
  const out = new Int32Array(idx.length * len);
  for (let i = 0; i < idx.length; i++)
    out.set(set.tokens.subarray(idx[i] * len, (idx[i] + 1) * len), i * len);
  return tf.tensor2d(out, [idx.length, len], 'int32');
}

export function isTextSet(set: ImageSet | TextSet): set is TextSet {
  return 'tokens' in set;
}

/** An image or text set as {@link Examples}. */
export function examplesOf(set: ImageSet | TextSet | Examples): Examples {
  if ('batch' in set) return set;
  const base = {
    name: set.name,
    size: set.shape[0],
    ...(set.labels ? { labels: set.labels } : {}),
    ...(set.classNames ? { classNames: set.classNames } : {}),
  };
  return isTextSet(set)
    ? { ...base, batch: (idx) => gatherTokens(set, idx) }
    : { ...base, batch: (idx) => gatherUnit(set, idx) };
}
