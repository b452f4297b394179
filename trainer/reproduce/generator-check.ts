import { loadCgan, sampleImages } from '../../generators/cgan/index.js';
import { resolveModelDir } from '../../generators/registry.js';
import { encodeGridPng } from '../../runtime/codecs/index.js';
import { accuracyOf, type Classifier, logitsOf } from '../classifier.js';
import { sampleLabelled } from '../generator-quality.js';

/** How well the generator follows its class label, judged by an independent Fashion-MNIST classifier. */
export interface GeneratorCheck {
  generator: string;
  digest: string;
  classifier: string;
  sigma2: number;
  samples: number;
  /** Percent of samples the classifier labels with their conditioning class (issue target: ≥ 75). */
  conditioningAccuracy: number;
}

/** Samples `count` images at σ² = 1 over all classes and classifies them. */
export async function checkConditioning(
  generator: string,
  clf: Classifier,
  count = 1000,
  seed = 0,
): Promise<GeneratorCheck> {
  const gen = await loadCgan(resolveModelDir(generator));
  const set = await sampleLabelled(gen, { sigma2: 1, count, seed });
  const acc = accuracyOf(logitsOf(clf.model, set), set.labels);
  gen.dispose();
  return {
    generator: gen.manifest.id,
    digest: gen.manifest.weights.digest,
    classifier: clf.manifest.id,
    sigma2: 1,
    samples: count,
    conditioningAccuracy: acc,
  };
}

/**
 * The paper's Fig. 1: one row per σ², one column per class, the same latent direction in every cell of a
 * column (seed 0, sample index = class), so only the scale of z changes down a column.
 */
export async function sigma2Grid(generator: string, sigma2s: readonly number[]): Promise<Uint8Array> {
  const gen = await loadCgan(resolveModelDir(generator));
  const k = gen.manifest.classes.length;
  const [h, w, c] = gen.manifest.shape;
  const images = new Uint8Array(sigma2s.length * k * h * w * c);
  const top = gen.manifest.classes.map((n) => n.split(/[ /]/)[0]);
  const labels: string[] = [];
  let at = 0;
  for (const [row, s2] of sigma2s.entries()) {
    for (let cls = 0; cls < k; cls++) {
      for await (const b of sampleImages(gen.vars, gen.config, {
        sigma2: s2,
        classes: [cls],
        seed: 0,
        start: 0,
        count: 1,
      })) {
        images.set(b.data as Uint8Array, at);
        at += b.data.length;
      }
      // The first column names the row's σ², the first row names the classes.
      labels.push(cls === 0 ? `σ²=${s2}` : row === 0 ? top[cls] : '');
    }
  }
  gen.dispose();
  return encodeGridPng(images, [sigma2s.length * k, h, w, c], { cols: k, labels, scale: 2 });
}
