import type * as tf from '../../runtime/tf.js';
import { gruClassifier } from './gru-classifier.js';
import { refCnn } from './ref-cnn.js';
import { seedWeights } from './seeded-init.js';
import { smallCnn } from './small-cnn.js';
import { wideResNet } from './wide-resnet.js';

/** Image backbones (`ref-cnn`: the PyTorch reference's CNN); `gru` is the text classifier (token ids in). */
export const architectures = ['small-cnn', 'ref-cnn', 'wrn'] as const;
export type Architecture = (typeof architectures)[number] | 'gru';

/** How reports name each backbone. */
export const ARCHITECTURE_NAMES: Record<Architecture, string> = {
  'small-cnn': 'small CNN',
  'ref-cnn': "the PyTorch reference's CNN (conv32–pool–conv64–pool–fc128)",
  wrn: 'WideResNet',
  gru: 'embedding + GRU',
};

/**
 * Builds a classifier mapping NHWC images in [0, 1] (or, for `gru`, [length] token ids) to logits; with
 * `seed`, its initial weights are drawn from it ({@link seedWeights}), so the same seed trains the same model.
 */
export function buildClassifier(
  arch: Architecture,
  inputShape: readonly number[],
  numClasses: number,
  o: { vocabSize?: number; seed?: number } = {},
): tf.LayersModel {
  const model = buildUnseeded(arch, inputShape, numClasses, o);
  if (o.seed !== undefined) seedWeights(model, o.seed);
  return model;
}

function buildUnseeded(
  arch: Architecture,
  inputShape: readonly number[],
  numClasses: number,
  o: { vocabSize?: number },
): tf.LayersModel {
  switch (arch) {
    case 'small-cnn':
      return smallCnn(inputShape as [number, number, number], numClasses);
    case 'ref-cnn':
      return refCnn(inputShape as [number, number, number], numClasses);
    case 'wrn':
      return wideResNet(inputShape as [number, number, number], numClasses);
    case 'gru':
      if (!o.vocabSize) throw new Error('a gru classifier needs its vocabulary size');
      return gruClassifier(inputShape[0], o.vocabSize, numClasses);
    default:
      throw new Error(`unknown architecture "${arch as string}" (choose from ${architectures.join(', ')})`);
  }
}

export { gruClassifier, refCnn, smallCnn, wideResNet };
