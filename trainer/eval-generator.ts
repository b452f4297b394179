import { resolveModelDir } from '../generators/registry.js';
import { initBackend } from '../runtime/backend/index.js';
import { loadClassifier } from './classifier.js';
import { loadFashionMnist } from './datasets/fashion-mnist.js';
import type { ImageSet } from './datasets/image-set.js';
import {
  featureFit,
  type GeneratorAt,
  type GeneratorQuality,
  listSnapshots,
  loadGeneratorAt,
  measureQuality,
} from './generator-quality.js';

export interface EvalGeneratorOptions {
  /** Finished generators: zoo ids or folders (manifest.json), or single snapshot folders. */
  generators: string[];
  /** A folder of snapshot folders (`step-N/{state.json, generator.safetensors}`), measured in step order. */
  checkpoints?: string;
  /** A Fashion-MNIST classifier (zoo id or folder) whose labels and penultimate features judge the samples. */
  classifier: string;
  samples: number;
  sigma2?: number;
  seed?: number;
  /** The real images (default the Fashion-MNIST test set); tests pass a small set. */
  real?: ImageSet;
  onRow?: (q: GeneratorQuality) => void;
}

export interface EvalGeneratorReport {
  classifier: string;
  real: { name: string; rows: number };
  samples: number;
  sigma2: number;
  /** One row per `generators` entry, in the order given. */
  generators: GeneratorQuality[];
  /** One row per snapshot of `checkpoints`, in step order. */
  snapshots: GeneratorQuality[];
}

/**
 * `goe eval-generator`: conditioning accuracy and the feature Fréchet distance (see generator-quality.ts)
 * of each generator and of each training snapshot, against the classifier's test images.
 * @throws {Error} naming the input: no generator and no checkpoints, a classifier not of Fashion-MNIST, a
 *   generator whose classes or image shape do not match the classifier's
 */
export async function evalGenerator(o: EvalGeneratorOptions): Promise<EvalGeneratorReport> {
  if (o.generators.length === 0 && !o.checkpoints) {
    throw new Error('give --generator ID|DIR or --checkpoints DIR (or both)');
  }
  await initBackend();
  const clf = await loadClassifier(resolveModelDir(o.classifier));
  // No `data` = a manifest from before text support: Fashion-MNIST.
  const data = clf.manifest.data ?? 'fashion-mnist';
  if (!o.real && data !== 'fashion-mnist') {
    throw new Error(
      `--classifier ${o.classifier} was trained on ${data}; eval-generator compares with Fashion-MNIST test images`,
    );
  }
  const real = o.real ?? loadFashionMnist('test');
  const realFit = featureFit(clf, real);
  const sigma2 = o.sigma2 ?? 1;
  const measure = async (where: string) => {
    const gen = await loadGeneratorAt(where);
    try {
      checkFits(gen, where, clf.manifest.classes.length, clf.manifest.inputShape);
      const q = await measureQuality(gen, clf, realFit, { samples: o.samples, sigma2, seed: o.seed });
      o.onRow?.(q);
      return q;
    } finally {
      gen.dispose();
    }
  };
  const generators: GeneratorQuality[] = [];
  for (const g of o.generators) generators.push(await measure(g));
  const snapshots: GeneratorQuality[] = [];
  for (const s of o.checkpoints ? await listSnapshots(o.checkpoints) : []) snapshots.push(await measure(s));
  clf.model.dispose();
  return {
    classifier: clf.manifest.id,
    real: { name: real.name, rows: real.shape[0] },
    samples: o.samples,
    sigma2,
    generators,
    snapshots,
  };
}

function checkFits(gen: GeneratorAt, where: string, classes: number, shape: readonly number[]): void {
  const c = gen.config;
  if (c.numClasses !== classes) {
    throw new Error(`${where} draws ${c.numClasses} classes; the classifier knows ${classes}`);
  }
  if ([c.height, c.width, c.channels].join('x') !== shape.join('x')) {
    throw new Error(
      `${where} makes ${c.height}×${c.width}×${c.channels} images; the classifier reads ${shape.join('×')}`,
    );
  }
}
