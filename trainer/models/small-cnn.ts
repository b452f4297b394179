import * as tf from '../../runtime/tf.js';

/** The largest side the flattened feature map may keep before the dense layer. */
const MAX_FEATURE_SIDE = 8;

/**
 * The default backbone, sized for a 2-core CPU (the whole image reproduction must fit in ~2 h there):
 * conv3×3·16 same → max-pool 2 → conv3×3·32 same stride 2 → dense 128 → dense classes (the net of
 * `goe bench train-step` and bench/peer/train_step.py). ~0.55 M multiply-adds per 28×28 image; `wrn` is
 * the option for bigger machines, `ref-cnn` the PyTorch reference's wider CNN.
 *
 * Sized for the row shape: while the feature map is wider than 8×8 (inputs over 32×32), another
 * conv3×3·32 stride 2 (`conv3`, `conv4`, …) halves it, so the dense layer reads at most 8×8×32 = 2,048
 * features (64×64×3: 16×16 → 8×8, not 8,192 × 128 weights). 28×28 and 32×32 keep the layout above.
 */
export function smallCnn(inputShape: [number, number, number], numClasses: number): tf.LayersModel {
  const extra: tf.layers.Layer[] = [];
  let side = Math.ceil(Math.ceil(Math.max(inputShape[0], inputShape[1]) / 2) / 2);
  for (let k = 3; side > MAX_FEATURE_SIDE; k++, side = Math.ceil(side / 2)) {
    extra.push(
      tf.layers.conv2d({
        name: `conv${k}`,
        filters: 32,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
      }),
    );
  }
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
      ...extra,
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 128, activation: 'relu' }),
      tf.layers.dense({ name: 'logits', units: numClasses }),
    ],
  });
}
