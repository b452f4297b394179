import { ShardPool, SharedParams } from '../../runtime/pool/index.js';
import * as tf from '../../runtime/tf.js';
import type { CganConfig } from './config.js';
import { type DiscriminatorVars, type GeneratorVars, generate, trainable } from './model.js';
import type { CganShard } from './parallel-worker.js';

type Base = Omit<CganShard, 'run' | 'slot' | 'from' | 'to'>;

/** The tensors of one training step, as the single-thread loop has them. */
export interface CganStepRows {
  /** Real images in [−1, 1], [B,H,W,C]; one-hot labels [B,K]. */
  real: tf.Tensor4D;
  yReal: tf.Tensor2D;
  /** G(z, yFake) of this step (training mode), [B,H,W,C]. */
  fake: tf.Tensor4D;
  z: tf.Tensor2D;
  yFake: tf.Tensor2D;
}

/**
 * A data-parallel cGAN step over compute workers (runtime/pool's mechanism). The discriminator's work —
 * most of a step — is split by rows: each worker computes its shard's D-loss gradients into its slot
 * (averaged here in a fixed order, one Adam update), then, with the updated D, ∂L_G/∂fake for its rows.
 * The generator stays here: its class-conditional batch norm normalises with the whole batch's statistics
 * (sharding them would train a different model), so G's forward and backward run here, the backward
 * seeded with the workers' ∂L_G/∂fake (a vector–Jacobian product: the same gradient as backpropagating
 * L_G through D and G in one graph, up to float reassociation).
 */
export class CganParallel {
  readonly #pool: ShardPool;
  readonly #params: SharedParams;
  readonly #rows: Float32Array;
  readonly #dFake: Float32Array;
  readonly #base: Base;

  private constructor(pool: ShardPool, params: SharedParams, base: Base) {
    this.#pool = pool;
    this.#params = params;
    this.#base = base;
    this.#rows = new Float32Array(base.rows);
    this.#dFake = new Float32Array(base.dFake);
  }

  /**
   * Starts `workers` workers for steps of `batch` rows (which must divide by `workers`).
   * @throws {Error} naming `--workers` when it does not divide the batch
   */
  static async open(
    c: CganConfig,
    d: DiscriminatorVars,
    batch: number,
    workers: number,
  ): Promise<CganParallel> {
    if (batch % workers !== 0) throw new Error(`--workers ${workers} must divide --batch ${batch}`);
    const px = c.height * c.width * c.channels;
    const params = new SharedParams(trainable(d), workers);
    const pool = await ShardPool.open({
      module: new URL('./parallel-worker.ts', import.meta.url),
      load: () => import('./parallel-worker.js'),
      workers,
    });
    return new CganParallel(pool, params, {
      config: c,
      batch,
      rows: new SharedArrayBuffer(4 * batch * (2 * px + 2 * c.numClasses)),
      weights: params.weights,
      grads: params.grads,
      dFake: new SharedArrayBuffer(4 * batch * px),
    });
  }

  /**
   * One step: D's update with `optD` (its gradients from the workers), then G's with `optG`. Updates the
   * batch-norm running statistics as the single-thread step does (one `generate` in training mode here;
   * the caller made `rows.fake` with the other). Returns both losses.
   */
  async step(
    rows: CganStepRows,
    g: GeneratorVars,
    optD: tf.Optimizer,
    optG: tf.Optimizer,
  ): Promise<{ lossD: number; lossG: number }> {
    const c = this.#base.config;
    const B = this.#base.batch;
    const px = c.height * c.width * c.channels;
    this.#rows.set(rows.real.dataSync() as Float32Array, 0);
    this.#rows.set(rows.fake.dataSync() as Float32Array, B * px);
    this.#rows.set(rows.yReal.dataSync() as Float32Array, 2 * B * px);
    this.#rows.set(rows.yFake.dataSync() as Float32Array, 2 * B * px + B * c.numClasses);
    const per = B / this.#pool.workers;
    const args = (k: number) => ({ ...this.#base, from: k * per, to: (k + 1) * per });

    this.#params.publish();
    const lossesD = await this.#pool.shards<number>('discriminatorGrads', args);
    const gradsD = this.#params.mean();
    optD.applyGradients(gradsD);
    tf.dispose(gradsD.map((x) => x.tensor));

    this.#params.publish();
    const sharesG = await this.#pool.shards<number>('fakeGrads', args);
    const dFake = tf.tensor4d(this.#dFake, rows.fake.shape);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(generate(g, c, rows.z, rows.yFake, true), dFake)) as tf.Scalar,
      trainable(g),
    );
    optG.applyGradients(grads);
    tf.dispose([value, dFake, ...Object.values(grads)]);
    return {
      lossD: lossesD.reduce((s, l) => s + l, 0) / lossesD.length,
      lossG: sharesG.reduce((s, l) => s + l, 0),
    };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
