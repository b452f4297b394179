/**
 * The SDK's TensorFlow.js adapter (`@goe/sdk/tfjs`): a batch as a tensor, and pairs of (in-distribution
 * batch, outlier batch) for an Outlier Exposure loop. Kept apart from `sdk/index.ts` so the core SDK never
 * loads TF.js. It imports `@tensorflow/tfjs-core` (an optional peer dependency: the user's own TF.js, so
 * tensors share one engine) and calls ops as functions, because tfjs-core alone registers no chained ops
 * (`tensor.div()`); the user picks and registers the backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageOutlierBatch, OutlierBatch } from './batch.js';

/** How a batch becomes a tensor. */
export interface ToTensorOptions {
  /** uint8 pixels → [0, 1] by /255 (default true); float32 batches are already in [0, 1]. */
  scale?: boolean;
}

/**
 * A float32 tensor `[n, h, w, c]` of an image batch, in [0, 1] unless `scale: false` (then uint8 values
 * stay 0…255). The caller owns (and disposes) it. Throws `TypeError` for a text batch (misuse).
 */
export function batchToTensor(batch: OutlierBatch, options: ToTensorOptions = {}): tf.Tensor4D {
  const image = imageBatch(batch);
  const scale = options.scale ?? true;
  if (image.dtype === 'float32') return tf.tensor4d(image.data, image.shape, 'float32');
  return tf.tidy(() => {
    const raw = tf.cast(tf.tensor4d(image.data, image.shape, 'int32'), 'float32');
    return scale ? tf.div(raw, 255) : raw;
  });
}

/** One step of an OE loop: the caller's in-distribution batch and an outlier batch as a tensor. */
export interface OeStep<X, Y> {
  x: X;
  y: Y;
  /** `[n, h, w, c]` in [0, 1]; disposed by {@link oeBatches} when the next step is asked for (clone to keep it). */
  outliers: tf.Tensor4D;
  /** The outlier batch as it came (classes, labels, row indices). */
  batch: ImageOutlierBatch;
}

/**
 * Pairs each in-distribution batch with the next outlier batch, for `L = CE(f(x), y) + λ·L_out(f(x'))`.
 * Stops when either side runs out; leaving the loop early also stops the outlier stream (its HTTP
 * request). The outlier tensors are owned here and disposed after their step; `x`/`y` stay the caller's.
 *
 * @example
 * ```ts
 * for await (const { x, y, outliers } of oeBatches(trainBatches, goe.streamOutliers(req, { batchSize: 256 }))) {
 *   optimizer.minimize(() => oeLoss(model.apply(x), y, model.apply(outliers)));
 * }
 * // A mixture (σ² = 5 and σ² = 50 in equal shares): `mixOutliers` of `@goe/sdk` as the outlier side.
 * const mixed = mixOutliers(
 *   [{ stream: goe.streamOutliers({ ...req, sigma2: 5 }) }, { stream: goe.streamOutliers({ ...req, sigma2: 50 }) }],
 *   { batchSize: 256, seed: 0 },
 * );
 * for await (const step of oeBatches(trainBatches, mixed)) { … }
 * ```
 */
export async function* oeBatches<X, Y>(
  inDistribution: AsyncIterable<{ x: X; y: Y }> | Iterable<{ x: X; y: Y }>,
  outliers: AsyncIterable<OutlierBatch>,
  options: ToTensorOptions = {},
): AsyncGenerator<OeStep<X, Y>> {
  const source = outliers[Symbol.asyncIterator]();
  let current: tf.Tensor4D | undefined;
  let exhausted = false;
  try {
    for await (const item of inDistribution) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      current?.dispose();
      current = undefined;
      const batch = imageBatch(next.value);
      current = batchToTensor(batch, options);
      yield { x: item.x, y: item.y, outliers: current, batch };
    }
  } finally {
    current?.dispose();
    // The in-distribution side ended first (or the loop broke): stop the outlier request too.
    if (!exhausted) await source.return?.();
  }
}

function imageBatch(batch: OutlierBatch): ImageOutlierBatch {
  if (batch.kind !== 'image')
    throw new TypeError('a text batch has no tensor form: tokenize its texts instead');
  return batch;
}
