import * as tf from '../../runtime/tf.js';
import { logitsOf } from '../classifier.js';
import type { Examples } from '../datasets/examples.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { EnergyBased, MaxSoftmax } from '../detectors/index.js';
import { auroc } from '../metrics/auroc.js';

/** The detector each fine-tuning loss is made for (Table 1's pairing): OE loss → MSP, energy loss → Energy. */
export const DETECTOR_OF = { oe: 'msp', energy: 'energy' } as const;
export type TuneLoss = keyof typeof DETECTOR_OF;

/** OOD scores (higher = more OOD) of a detector on `[n, k]` row-major logits. */
export function detectorScores(detector: 'msp' | 'energy', logits: Float32Array, k: number): Float32Array {
  return detector === 'msp' ? MaxSoftmax.score(logits, k) : EnergyBased.score(logits, k);
}

/** AUROC in % of telling `outScores` (positive) from `inScores`. */
export function aurocPercent(inScores: Float32Array, outScores: Float32Array): number {
  const scores = new Float32Array(inScores.length + outScores.length);
  scores.set(inScores);
  scores.set(outScores, inScores.length);
  const isOod = new Uint8Array(scores.length).fill(1, inScores.length);
  return 100 * auroc(scores, isOod);
}

/**
 * Penultimate-layer features (the input of the last dense layer) of every row: `[n, d]` row-major.
 * Works for any goe classifier, whose last layer is the logits layer.
 */
export function penultimateOf(
  model: tf.LayersModel,
  set: ImageSet | TextSet | Examples,
): { features: Float32Array; dim: number } {
  const head = model.layers[model.layers.length - 1];
  const body = tf.model({ inputs: model.inputs, outputs: head.input as tf.SymbolicTensor });
  const dim = (body.outputs[0].shape as number[])[1];
  // logitsOf batches any model's single output; the body's output is the feature vector.
  return { features: logitsOf(body, set), dim };
}

/**
 * Mean pairwise Euclidean distance of the rows of `[n, d]` features (all n(n−1)/2 pairs): the
 * "diversity" of a set in a feature space. O(n²·d); callers keep n ≤ a few thousand.
 */
export function meanPairwiseDistance(features: Float32Array, dim: number): number {
  const n = features.length / dim;
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d2 = 0;
      for (let k = 0; k < dim; k++) {
        const t = features[i * dim + k] - features[j * dim + k];
        d2 += t * t;
      }
      sum += Math.sqrt(d2);
    }
  }
  return sum / ((n * (n - 1)) / 2);
}

/** The `q`-quantile (0…1) of `values` (nearest rank on the sorted copy). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))];
}
