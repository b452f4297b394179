import * as tf from '../../runtime/tf.js';

/**
 * The default backbone, sized for a 2-core CPU (the whole image reproduction must fit in ~2 h there):
 * the benchmark's reference CNN — conv3×3·16 same → max-pool 2 → conv3×3·32 same stride 2 → dense 128
 * → dense classes. ~0.55 M multiply-adds per 28×28 image; `wrn` is the option for bigger machines.
 */
export function smallCnn(inputShape: [number, number, number], numClasses: number): tf.LayersModel {
  return tf.sequential({
    name: 'small_cnn',
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape,
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({
        name: 'conv2',
        filters: 32,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 128, activation: 'relu' }),
      tf.layers.dense({ name: 'logits', units: numClasses }),
    ],
  });
}
