/**
 * Criterion (c) of `goe tune`, "where the outliers sit": per candidate, how the baseline classifier sees
 * its outliers next to held-in test rows, with no training. Cheap (one forward pass per candidate).
 */
import type * as tf from '../../runtime/tf.js';
import { logitsOf } from '../classifier.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import {
  aurocPercent,
  DETECTOR_OF,
  detectorScores,
  meanPairwiseDistance,
  penultimateOf,
  quantile,
  type TuneLoss,
} from './scores.js';

/** What the baseline says about one candidate's outliers. */
export interface PlacementRow {
  candidate: string;
  /** Per detector: AUROC (%) of the baseline telling these outliers from in-distribution test rows. */
  baselineAuroc: Record<'msp' | 'energy', number>;
  /**
   * Per detector: share (%) of outliers the baseline would accept as in-distribution at the threshold
   * that keeps 95% of in-distribution rows (its FPR at 95% TPR on them): how "near" they are.
   */
  nearShare: Record<'msp' | 'energy', number>;
  /** Mean pairwise penultimate-feature distance of the outliers ÷ that of in-distribution rows. */
  diversity: number;
  /** Per loss: the criterion's value (higher = better), or NaN when the outliers are ruled out. */
  score: Record<TuneLoss, number>;
  /** Per loss: why it is ruled out (outliers the baseline cannot tell from in-distribution data). */
  excluded: Partial<Record<TuneLoss, string>>;
}

/**
 * Outliers whose baseline AUROC against in-distribution rows lies within this many points of 50 count
 * as in-distribution data, not outliers: the baseline's scores on them are distributed as on its own
 * data (AUROC 50 is what identical distributions give), and exposing the model to them teaches it to
 * reject its own classes. Far below 50 is different: the baseline is *more* confident on them than on
 * its data (uniform noise under MSP), exactly the outliers OE should show it.
 */
export const IN_DISTRIBUTION_BAND = 10;

/**
 * Scores one candidate's outliers. `score = nearShare × diversity`: outliers the baseline still accepts
 * (near the decision region, so exposure moves the boundary) that spread like the in-distribution
 * data (so they cover its surroundings, not one corner). Rows are capped at `rows` for the O(n²)
 * diversity.
 */
export function placementOf(
  model: tf.LayersModel,
  inRows: ImageSet | TextSet,
  inFeatures: { features: Float32Array; dim: number },
  candidate: string,
  outliers: ImageSet | TextSet,
  losses: readonly TuneLoss[],
): PlacementRow {
  const k = (model.outputs[0].shape as number[])[1];
  const inLogits = logitsOf(model, inRows);
  const outLogits = logitsOf(model, outliers);
  const baselineAuroc = { msp: 0, energy: 0 };
  const nearShare = { msp: 0, energy: 0 };
  for (const d of ['msp', 'energy'] as const) {
    const s = detectorScores(d, inLogits, k);
    const o = detectorScores(d, outLogits, k);
    baselineAuroc[d] = aurocPercent(s, o);
    const t95 = quantile(s, 0.95);
    nearShare[d] = (100 * o.filter((x) => x <= t95).length) / o.length;
  }
  const f = penultimateOf(model, outliers);
  const inSpread = meanPairwiseDistance(inFeatures.features, inFeatures.dim);
  const diversity = inSpread > 0 ? meanPairwiseDistance(f.features, f.dim) / inSpread : 0;
  return rePlaced(
    { candidate, baselineAuroc, nearShare, diversity, score: {} as PlacementRow['score'], excluded: {} },
    losses,
  );
}

/** `row` with its per-loss score and exclusion (re)computed from its measurements. */
export function rePlaced(row: PlacementRow, losses: readonly TuneLoss[]): PlacementRow {
  const { baselineAuroc, nearShare, diversity } = row;
  const score = {} as Record<TuneLoss, number>;
  const excluded: PlacementRow['excluded'] = {};
  for (const loss of losses) {
    const d = DETECTOR_OF[loss];
    if (Math.abs(baselineAuroc[d] - 50) < IN_DISTRIBUTION_BAND) {
      score[loss] = Number.NaN;
      excluded[loss] =
        `the baseline's ${d} scores them like its own data (AUROC ${baselineAuroc[d].toFixed(1)}, within ${IN_DISTRIBUTION_BAND} of 50): they look in-distribution`;
    } else {
      score[loss] = (nearShare[d] / 100) * diversity;
    }
  }
  return { ...row, score, excluded };
}
