import * as tf from '../../runtime/tf.js';

/**
 * WideResNet (Zagoruyko & Komodakis 2016), the paper's backbone, scaled for 28×28 inputs: three groups of
 * `blocks` pre-activation basic blocks with 16·k, 32·k, 64·k channels (strides 1, 2, 2), then BN-ReLU,
 * global average pooling and a linear layer. WRN-`6·blocks+4`-k; default WRN-16-4. Too slow to train on
 * 2 CPU cores; for bigger machines and GPUs.
 */
export function wideResNet(
  inputShape: [number, number, number],
  numClasses: number,
  { blocks = 2, widen = 4 }: { blocks?: number; widen?: number } = {},
): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let x = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, name: 'stem' })
    .apply(input) as tf.SymbolicTensor;
  let inCh = 16;
  const widths = [16 * widen, 32 * widen, 64 * widen];
  widths.forEach((width, g) => {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && g > 0 ? 2 : 1;
      const name = `g${g}b${b}`;
      const pre = tf.layers
        .reLU()
        .apply(tf.layers.batchNormalization({ name: `${name}_bn1` }).apply(x)) as tf.SymbolicTensor;
      let h = tf.layers
        .conv2d({
          filters: width,
          kernelSize: 3,
          strides: stride,
          padding: 'same',
          useBias: false,
          name: `${name}_c1`,
        })
        .apply(pre) as tf.SymbolicTensor;
      h = tf.layers
        .reLU()
        .apply(tf.layers.batchNormalization({ name: `${name}_bn2` }).apply(h)) as tf.SymbolicTensor;
      h = tf.layers
        .conv2d({ filters: width, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_c2` })
        .apply(h) as tf.SymbolicTensor;
      const shortcut =
        inCh === width && stride === 1
          ? x
          : (tf.layers
              .conv2d({ filters: width, kernelSize: 1, strides: stride, useBias: false, name: `${name}_sc` })
              .apply(pre) as tf.SymbolicTensor);
      x = tf.layers.add().apply([h, shortcut]) as tf.SymbolicTensor;
      inCh = width;
    }
  });
  x = tf.layers
    .reLU()
    .apply(tf.layers.batchNormalization({ name: 'final_bn' }).apply(x)) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: numClasses, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: `wrn_${6 * blocks + 4}_${widen}` });
}
