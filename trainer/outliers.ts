import { loadCgan, sampleImages } from '../generators/cgan/index.js';
import { resolveModelDir } from '../generators/registry.js';
import type { ImageSet } from './datasets/image-set.js';
import { loadImagePath, naturalOutliers, uniformNoise } from './datasets/index.js';

/** Where fine-tuning outliers come from (the rows of Table 1). */
export type OutlierKind = 'generated' | 'noise' | 'natural' | 'none';

export interface OutlierSpec {
  /** `generated`, `noise`, `natural`, `none`, or a path (IDX, .npy, PNG folder). */
  source: string;
  /** How many distinct outliers training cycles through. */
  count: number;
  seed: number;
  /** Generator id or folder, and its latent variance, for `generated`. */
  generator?: string;
  sigma2?: number;
}

/**
 * Materialises a pool of training outliers. Generated outliers come from the in-process generator at
 * σ², with seeds disjoint from the serving defaults; noise is uniform (the paper's noise-OE baseline);
 * natural outliers are crops of photographs (OE's natural-outlier setting).
 */
export async function outlierPool(spec: OutlierSpec): Promise<ImageSet | undefined> {
  switch (spec.source) {
    case 'none':
      return undefined;
    case 'noise':
      return { ...uniformNoise(spec.count, spec.seed), name: 'noise' };
    case 'natural':
      return naturalOutliers(spec.count, spec.seed);
    case 'generated': {
      const gen = await loadCgan(resolveModelDir(spec.generator ?? 'fashion-mnist-cgan'));
      const [h, w, c] = gen.manifest.shape;
      const images = new Uint8Array(spec.count * h * w * c);
      for await (const b of sampleImages(gen.vars, gen.config, {
        sigma2: spec.sigma2 ?? gen.manifest.defaultSigma2,
        seed: spec.seed,
        count: spec.count,
      })) {
        images.set(b.data as Uint8Array, b.start * h * w * c);
      }
      gen.dispose();
      return {
        name: `generated σ²=${spec.sigma2 ?? gen.manifest.defaultSigma2}`,
        images,
        shape: [spec.count, h, w, c],
      };
    }
    default:
      return loadImagePath(spec.source);
  }
}
