import * as tf from '../../runtime/tf.js';

/**
 * The PyTorch reference's CNN (DESIGN.md, "Reference results to beat"; 90.0% Fashion-MNIST test
 * accuracy after 5 epochs there): conv3×3·32 same ReLU → max-pool 2 → conv3×3·64 same ReLU → max-pool 2 →
 * dense 128 ReLU → dense classes. For 28×28×1: 421,642 parameters, ~4.24 M multiply-adds per image (~7.8× the
 * small CNN's ~0.54 M). Fashion-MNIST's default backbone (issue 16); the small CNN stays `--arch small-cnn`.
 */
export function refCnn(inputShape: [number, number, number], numClasses: number): tf.LayersModel {
  return tf.sequential({
    name: 'ref_cnn',
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape,
        filters: 32,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 128, activation: 'relu' }),
      tf.layers.dense({ name: 'logits', units: numClasses }),
    ],
  });
}
