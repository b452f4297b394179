import type { ImageRows } from '../../runtime/encoders/index.js';
import { normalRows, Purpose, uniformIntRows } from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import { unitToDtype } from '../rows.js';
import type { CganConfig } from './config.js';
import { type GeneratorVars, generate } from './model.js';

/** What to sample: the determinism promise keys every row on (seed, start + i). */
export interface ImageSampleRequest {
  /** Latent variance: z ~ N(0, σ²·I). σ² = 0 gives every class's "mean" image. */
  sigma2: number;
  /** Class indices to draw from, uniformly; default all. */
  classes?: readonly number[];
  seed: number;
  start?: number;
  count: number;
  /** Rows per generator forward pass (does not change the values). */
  batchSize?: number;
  dtype?: 'uint8' | 'float32';
}

/** One batch of generated rows, in request order (the shape every encoder takes). */
export type ImageBatch = ImageRows;

/**
 * Draws outliers from a class-conditional generator in low-density regions by scaling the latent
 * variance (Kirchheim & Ortmeier 2022, §3): z ~ N(0, σ²I), class ~ U(classes), sampled with the stored
 * batch-norm statistics. Row i depends only on (weights, σ², classes, seed, i).
 */
export async function* sampleImages(
  vars: GeneratorVars,
  config: CganConfig,
  req: ImageSampleRequest,
): AsyncGenerator<ImageBatch> {
  const classes = req.classes ?? Array.from({ length: config.numClasses }, (_, i) => i);
  const start = req.start ?? 0;
  const batch = req.batchSize ?? 256;
  for (let done = 0; done < req.count; ) {
    const n = Math.min(batch, req.count - done);
    const first = start + done;
    const z = normalRows(req.seed, first, n, config.latentDim, req.sigma2, Purpose.LATENT);
    const pick = uniformIntRows(req.seed, first, n, classes.length, Purpose.CLASS);
    const cls = Int32Array.from(pick, (k) => classes[k]);
    const pixels = tf.tidy(() => {
      const y = tf.oneHot(tf.tensor1d(cls, 'int32'), config.numClasses).toFloat() as tf.Tensor2D;
      const x = generate(vars, config, tf.tensor2d(z, [n, config.latentDim]), y, false);
      // tanh range [−1, 1] → [0, 1]
      return tf.clipByValue(tf.mul(tf.add(x, 1), 0.5), 0, 1);
    });
    const unit = (await pixels.data()) as Float32Array;
    pixels.dispose();
    const data = unitToDtype(unit, req.dtype ?? 'uint8');
    yield { start: first, count: n, data, classes: cls };
    done += n;
  }
}
