import type * as tf from '../../runtime/tf.js';
import { smallCnn } from './small-cnn.js';
import { wideResNet } from './wide-resnet.js';

export const architectures = ['small-cnn', 'wrn'] as const;
export type Architecture = (typeof architectures)[number];

/** Builds a classifier that maps NHWC images in [0, 1] to logits. */
export function buildClassifier(
  arch: Architecture,
  inputShape: [number, number, number],
  numClasses: number,
): tf.LayersModel {
  switch (arch) {
    case 'small-cnn':
      return smallCnn(inputShape, numClasses);
    case 'wrn':
      return wideResNet(inputShape, numClasses);
    default:
      throw new Error(`unknown architecture "${arch as string}" (choose from ${architectures.join(', ')})`);
  }
}

export { smallCnn, wideResNet };
