import { loadCgan, sampleImages } from '../../generators/cgan/index.js';
import { resolveModelDir } from '../../generators/registry.js';
import { encodeGridPng } from '../../runtime/codecs/index.js';
import { accuracyOf, type Classifier, logitsOf } from '../classifier.js';
import { loadGeneratorAt, sampleLabelled } from '../generator-quality.js';

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
 * column (seed 0, sample index = class), so only the scale of z changes down a column. `perClass` > 1
 * gives each σ² that many rows (sample indices 0…perClass−1), to show the spread at one σ².
 */
export async function sigma2Grid(
  /** A zoo id or folder, or a training snapshot folder. */
  generator: string,
  sigma2s: readonly number[],
  perClass = 1,
): Promise<Uint8Array> {
  const gen = await loadGeneratorAt(generator);
  const k = gen.config.numClasses;
  const { height: h, width: w, channels: c } = gen.config;
  const images = new Uint8Array(sigma2s.length * perClass * k * h * w * c);
  const top = Array.from({ length: k }, (_, i) => gen.classes?.[i].split(/[ /]/)[0] ?? String(i));
  const labels: string[] = [];
  let at = 0;
  for (const [row, s2] of sigma2s.entries()) {
    for (let j = 0; j < perClass; j++) {
      for (let cls = 0; cls < k; cls++) {
        for await (const b of sampleImages(gen.vars, gen.config, {
          sigma2: s2,
          classes: [cls],
          seed: 0,
          start: j,
          count: 1,
        })) {
          images.set(b.data as Uint8Array, at);
          at += b.data.length;
        }
        // The first column names the σ² of a block's first row, the first row names the classes.
        labels.push(cls === 0 && j === 0 ? `σ²=${s2}` : row === 0 && j === 0 ? top[cls] : '');
      }
    }
  }
  gen.dispose();
  return encodeGridPng(images, [sigma2s.length * perClass * k, h, w, c], { cols: k, labels, scale: 2 });
}
