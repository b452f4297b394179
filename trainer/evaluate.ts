import type * as tf from '../runtime/tf.js';
import { accuracyOf, logitsOf } from './classifier.js';
import type { ImageSet } from './datasets/image-set.js';
import type { TextSet } from './datasets/text/text-set.js';
import { type DetectorName, detectorByName } from './detectors/index.js';
import { type OodMetrics, oodMetrics } from './metrics/index.js';

/** One detector on one OOD set; metrics in percent (DESIGN.md, "Evaluation protocol"). */
export interface EvalResult extends OodMetrics {
  detector: DetectorName;
  ood: string;
}

/** The `goe eval --json` document. */
export interface EvalReport {
  results: EvalResult[];
  /** Per detector: the mean of each metric over the OOD sets. */
  mean: Record<string, Omit<EvalResult, 'detector' | 'ood'>>;
  /** Test accuracy in percent on the in-distribution test set. */
  accuracy: number;
}

/** Called by {@link evaluate} with each detector's scores on the ID test set and on one OOD set (for plots). */
export type OnScores = (
  detector: DetectorName,
  ood: string,
  inScores: Float32Array,
  outScores: Float32Array,
) => void;

/**
 * Scores the in-distribution test set and each OOD set with each detector (higher = more OOD; OOD is
 * the positive class) and computes AUROC, AUPR-IN, AUPR-OUT and FPR@95TPR in both conventions (OOD
 * positive `fpr95OodPositive`, also `fpr95`; ID positive `fpr95IdPositive`) per pair, plus means.
 * `onScores` receives the raw scores of every pair (`goe eval --plot`).
 */
export function evaluate(
  model: tf.LayersModel,
  inTest: ImageSet | TextSet,
  oodSets: readonly (ImageSet | TextSet)[],
  detectors: readonly DetectorName[],
  onScores?: OnScores,
): EvalReport {
  if (!inTest.labels) throw new Error(`${inTest.name} has no labels: accuracy needs labelled test data`);
  const classes = (model.outputs[0].shape as number[])[1];
  const inLogits = logitsOf(model, inTest);
  const accuracy = accuracyOf(inLogits, inTest.labels);
  const oodLogits = oodSets.map((s) => logitsOf(model, s));
  const results: EvalResult[] = [];
  for (const name of detectors) {
    const det = detectorByName(name);
    const inScores = det.score(inLogits, classes);
    oodSets.forEach((set, k) => {
      const outScores = det.score(oodLogits[k], classes);
      onScores?.(name, set.name, inScores, outScores);
      const scores = new Float32Array(inScores.length + outScores.length);
      scores.set(inScores);
      scores.set(outScores, inScores.length);
      const isOod = new Uint8Array(scores.length).fill(1, inScores.length);
      results.push({ detector: name, ood: set.name, ...oodMetrics(scores, isOod) });
    });
  }
  const mean: EvalReport['mean'] = {};
  for (const name of detectors) {
    const rows = results.filter((r) => r.detector === name);
    const avg = (k: keyof OodMetrics) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    mean[name] = {
      auroc: avg('auroc'),
      auprIn: avg('auprIn'),
      auprOut: avg('auprOut'),
      fpr95: avg('fpr95'),
      fpr95OodPositive: avg('fpr95OodPositive'),
      fpr95IdPositive: avg('fpr95IdPositive'),
    };
  }
  return { results, mean, accuracy };
}
