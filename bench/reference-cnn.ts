import * as tf from '../runtime/tf.js';
import { refCnn } from '../trainer/models/ref-cnn.js';

/** Backbones `goe bench train-step --arch` times: goe's default (`small-cnn`, the one below) and the PyTorch reference's. */
export const benchArchs = ['small-cnn', 'ref-cnn'] as const;
export type BenchArch = (typeof benchArchs)[number];

/** The timed model of `arch` (28×28×1 → 10 logits); the peer builds the same in bench/peer/train_step.py. */
export function benchCnn(arch: BenchArch = 'small-cnn'): tf.LayersModel {
  return arch === 'ref-cnn' ? refCnn([28, 28, 1], 10) : referenceCnn();
}

/**
 * The benchmark's reference CNN (issue "Foundation", item 7), the same as bench/peer/train_step.py:
 * 28×28×1 → conv3×3(16, same) ReLU → max-pool 2 → conv3×3(32, same, stride 2) ReLU → dense 128 ReLU → dense 10.
 */
export function referenceCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}
