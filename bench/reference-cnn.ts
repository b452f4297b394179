import type * as tf from '../runtime/tf.js';
import { refCnn } from '../trainer/models/ref-cnn.js';
import { smallCnn } from '../trainer/models/small-cnn.js';

/**
 * Backbones `goe bench train-step --arch` times — the trainer's own models, so the benchmark measures what
 * `goe train` runs: the small CNN (`small-cnn`, the backbone of your own images) and the PyTorch reference's (`ref-cnn`, Fashion-MNIST's).
 */
export const benchArchs = ['small-cnn', 'ref-cnn'] as const;
export type BenchArch = (typeof benchArchs)[number];

/** The timed model of `arch` (28×28×1 → 10 logits); the peer builds the same in bench/peer/train_step.py. */
export function benchCnn(arch: BenchArch = 'small-cnn'): tf.LayersModel {
  return arch === 'ref-cnn' ? refCnn([28, 28, 1], 10) : smallCnn([28, 28, 1], 10);
}
