import * as tf from '../../runtime/tf.js';

/**
 * Re-draws a freshly built model's weights from `seed`, so `goe train --seed N` starts from the same
 * weights every run (DESIGN.md's determinism promise; TF.js's default initialisers draw unseeded).
 * The distributions are TF.js's defaults for each kind: Glorot-uniform kernels (limit √(6 / (fan_in +
 * fan_out)), Glorot & Bengio 2010; a conv kernel [kh, kw, in, out] has fan_in = kh·kw·in, fan_out =
 * kh·kw·out), orthogonal recurrent kernels, U(−0.05, 0.05) embeddings; biases and batch-norm weights keep
 * their constant initial values. Each weight draws from its own stream (seed, position).
 */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const weights = model.weights;
  const values = weights.map((w, i) => {
    const shape = w.shape as number[];
    const name = w.originalName ?? w.name;
    // TF.js's seeded random ops take any number; +1 keeps seed 0 from meaning "unseeded" anywhere.
    const s = seed * 100_003 + i + 1;
    if (/recurrent_kernel/.test(name)) return tf.initializers.orthogonal({ seed: s }).apply(shape);
    if (/kernel/.test(name)) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = shape[shape.length - 2] * receptive;
      const fanOut = shape[shape.length - 1] * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.randomUniform(shape, -limit, limit, 'float32', s);
    }
    if (/embeddings/.test(name)) return tf.randomUniform(shape, -0.05, 0.05, 'float32', s);
    return undefined;
  });
  model.setWeights(values.map((v, i) => v ?? weights[i].read()));
  tf.dispose(values.filter((v): v is tf.Tensor => v !== undefined));
}
