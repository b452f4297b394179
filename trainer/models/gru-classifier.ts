import * as tf from '../../runtime/tf.js';

/**
 * Token embedding + GRU (Cho et al. 2014; gate layout as PyTorch `nn.GRU`: r, z, n with b_hn inside
 * r ⊙ (·)) returning the last hidden state, from token ids [b, t].
 *
 * Why by hand: tfjs-layers' GRU issues ~60 kernels per time step (per-gate matmuls, masks, clones), and
 * splitting a [t, b, ·] sequence into steps is slow on wasm (Unpack/Slice/SplitV copy, and a slice's
 * gradient pads to the full size). Here each step gathers its own embeddings from a column of ids cut
 * in JavaScript (no gradient through the ids), so a step is two small matmuls and a dozen element-wise ops.
 */
class EmbeddingGru extends tf.layers.Layer {
  static className = 'GoeEmbeddingGru';
  private readonly units: number;
  private readonly vocabSize: number;
  private readonly dim: number;
  private emb!: tf.LayerVariable;
  private wx!: tf.LayerVariable;
  private wh!: tf.LayerVariable;
  private bx!: tf.LayerVariable;
  private bh!: tf.LayerVariable;

  constructor(config: { units: number; vocabSize: number; dim: number; name?: string }) {
    super({ name: config.name });
    this.units = config.units;
    this.vocabSize = config.vocabSize;
    this.dim = config.dim;
  }

  override build(): void {
    const h = this.units;
    // PyTorch's inits: nn.Embedding N(0, 1); nn.GRU U(−1/√H, 1/√H) for every weight and bias.
    const init = tf.initializers.randomUniform({ minval: -1 / Math.sqrt(h), maxval: 1 / Math.sqrt(h) });
    this.emb = this.addWeight(
      'embedding',
      [this.vocabSize, this.dim],
      'float32',
      tf.initializers.randomNormal({}),
    );
    this.wx = this.addWeight('kernel', [this.dim, 3 * h], 'float32', init);
    this.wh = this.addWeight('recurrent_kernel', [h, 3 * h], 'float32', init);
    this.bx = this.addWeight('bias', [3 * h], 'float32', init);
    this.bh = this.addWeight('recurrent_bias', [3 * h], 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const ids = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    const [b, t] = ids.shape;
    const flat = ids.dataSync();
    return tf.tidy(() => {
      const h = this.units;
      const emb = this.emb.read();
      const wx = this.wx.read() as tf.Tensor2D;
      const bx = this.bx.read();
      const wh = this.wh.read() as tf.Tensor2D;
      const bh = this.bh.read();
      const column = new Int32Array(b);
      let state: tf.Tensor2D = tf.zeros([b, h]);
      for (let s = 0; s < t; s++) {
        for (let i = 0; i < b; i++) column[i] = flat[i * t + s];
        const x = tf.gather(emb, tf.tensor1d(column, 'int32')) as tf.Tensor2D;
        const [xr, xz, xn] = tf.split(tf.add(tf.matMul(x, wx), bx), 3, 1);
        const [hr, hz, hn] = tf.split(tf.add(tf.matMul(state, wh), bh), 3, 1);
        const r = tf.sigmoid(tf.add(xr, hr));
        const z = tf.sigmoid(tf.add(xz, hz));
        const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
        state = tf.add(n, tf.mul(z, tf.sub(state, n))) as tf.Tensor2D; // (1 − z)·n + z·h
      }
      return state;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, vocabSize: this.vocabSize, dim: this.dim };
  }
}
tf.serialization.registerClass(EmbeddingGru);

/**
 * The text detector's backbone (the paper's text classifier): token embedding (64) → GRU (128, last
 * state) → linear, over windows of `length` token ids.
 */
export function gruClassifier(
  length: number,
  vocabSize: number,
  numClasses: number,
  { embedding = 64, units = 128 }: { embedding?: number; units?: number } = {},
): tf.LayersModel {
  return tf.sequential({
    name: 'gru_classifier',
    layers: [
      tf.layers.inputLayer({ name: 'ids', inputShape: [length], dtype: 'int32' }),
      new EmbeddingGru({ name: 'gru', units, vocabSize, dim: embedding }),
      tf.layers.dense({ name: 'logits', units: numClasses }),
    ],
  });
}
