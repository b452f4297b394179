/**
 * Noise OOD test sets in [0, 1] pixel space (the classifier input space, see `pixels.ts`), as in
 * Hendrycks et al.'s Outlier Exposure MNIST evaluation (`MNIST/test.py`, "Gaussian Noise (mu = sigma =
 * 0.5)" and "Uniform[0,1] Noise"), quantised to uint8 like every image set here.
 *
 * Image i is drawn from its own counter-based stream `sampleStream(seed, i, purpose)` (runtime/rng), so
 * it depends only on (seed, i): a slice `[k, k + m)` equals the same rows of any larger draw.
 */
import { sampleStream } from '../../runtime/rng/index.js';
import { checkGenerateArgs, type GenerateOptions } from './generate-args.js';
import { IMAGE_SIZE, type ImageSet } from './image-set.js';
import { quantizePixel } from './pixels.js';
import { DatasetPurpose } from './purpose.js';

/** Options of the noise sets: where to start, and the row shape (default 28×28×1). */
export interface NoiseOptions extends GenerateOptions {
  /** Height, width, channels of each image; default [28, 28, 1]. Values are drawn row-major, HWC. */
  shape?: readonly [number, number, number];
}

/** The row shape and its pixel count; 28×28×1 draws exactly the values it drew before shapes existed. */
function rowShape(o: NoiseOptions): { shape: [number, number, number]; pixels: number } {
  const [h, w, c] = o.shape ?? [IMAGE_SIZE, IMAGE_SIZE, 1];
  return { shape: [h, w, c], pixels: h * w * c };
}

/** Gaussian noise parameters in [0, 1] pixel space (Hendrycks et al.: μ = σ = 0.5, clipped to [0, 1]). */
export const GAUSSIAN_NOISE = { mean: 0.5, std: 0.5 } as const;

/**
 * `n` images of Gaussian noise: each pixel `clip(N(0.5, 0.5²), 0, 1)`, quantised by `round(x · 255)`, so
 * about 16 % of pixels are 0 and 16 % are 255. Row i is `mean + fillNormal(h·w·c values, σ²)` (784 for the default 28×28×1) of
 * `sampleStream(seed, start + i, DatasetPurpose.GAUSSIAN_NOISE)`. Named `gaussian`.
 *
 * @throws {DatasetError} `bad_argument` for a bad count, start or seed
 */
export function gaussianNoise(n: number, seed: number, options: NoiseOptions = {}): ImageSet {
  const start = checkGenerateArgs('gaussianNoise', n, seed, options);
  const { shape, pixels: PIXELS } = rowShape(options);
  const images = new Uint8Array(n * PIXELS);
  const row = new Float64Array(PIXELS);
  const variance = GAUSSIAN_NOISE.std * GAUSSIAN_NOISE.std;
  for (let i = 0; i < n; i++) {
    sampleStream(seed, start + i, DatasetPurpose.GAUSSIAN_NOISE).fillNormal(row, variance);
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = quantizePixel(GAUSSIAN_NOISE.mean + row[p]);
  }
  return { name: 'gaussian', images, shape: [n, ...shape] };
}

/**
 * `n` images of uniform noise: each pixel uniform over the 256 levels 0–255, i.e. U[0, 1] at uint8
 * precision (mean 0.5 after scaling). Pixels 4j … 4j+3 of row i are the bytes of the j-th 32-bit word of
 * `sampleStream(seed, start + i, DatasetPurpose.UNIFORM_NOISE)`, lowest byte first. Named `uniform`.
 *
 * @throws {DatasetError} `bad_argument` for a bad count, start or seed
 */
export function uniformNoise(n: number, seed: number, options: NoiseOptions = {}): ImageSet {
  const start = checkGenerateArgs('uniformNoise', n, seed, options);
  const { shape, pixels: PIXELS } = rowShape(options);
  const images = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) {
    const stream = sampleStream(seed, start + i, DatasetPurpose.UNIFORM_NOISE);
    for (let p = i * PIXELS, end = p + PIXELS; p < end; p += 4) {
      const word = stream.nextUint32();
      // A row whose size is not a multiple of 4 uses the first bytes of its last word.
      images[p] = word & 0xff;
      if (p + 1 < end) images[p + 1] = (word >>> 8) & 0xff;
      if (p + 2 < end) images[p + 2] = (word >>> 16) & 0xff;
      if (p + 3 < end) images[p + 3] = word >>> 24;
    }
  }
  return { name: 'uniform', images, shape: [n, ...shape] };
}
