import { ShardPool, SharedParams, shardOf } from '../../runtime/pool/index.js';
import type * as tf from '../../runtime/tf.js';
import type { LmConfig } from './config.js';
import type { LmShard } from './parallel-worker.js';

/**
 * Data-parallel gradients of the language model (runtime/pool's data-parallel mechanism, as the cGAN's and
 * the classifiers'): each step's batch is cut into `workers` equal shards of rows; each worker computes its
 * shard's mean loss and gradients at the current weights (read from shared memory) into its slot of a
 * SharedArrayBuffer; the slots are averaged here in a fixed order, and the caller clips and applies them.
 * Equal shards make the mean of shard means the batch mean, so without dropout a step equals the one-thread
 * step up to float reassociation; with dropout each shard draws its own masks (`lmDropout`, keyed by shard).
 */
export class LmParallel {
  readonly #pool: ShardPool;
  readonly #params: SharedParams;
  readonly #base: Pick<LmShard, 'config' | 'weights' | 'grads'>;

  private constructor(pool: ShardPool, params: SharedParams, config: LmConfig) {
    this.#pool = pool;
    this.#params = params;
    this.#base = { config, weights: params.weights, grads: params.grads };
  }

  /**
   * Starts `workers` gradient workers for the model's variables `vars` (in `initLm`'s order).
   * @throws {Error} naming `--workers` when it does not divide `batch`
   */
  static async open(
    config: LmConfig,
    vars: tf.Variable[],
    batch: number,
    workers: number,
  ): Promise<LmParallel> {
    if (batch % workers !== 0) throw new Error(`--workers ${workers} must divide --batch ${batch}`);
    const params = new SharedParams(vars, workers);
    const pool = await ShardPool.open({
      module: new URL('./parallel-worker.ts', import.meta.url),
      load: () => import('./parallel-worker.js'),
      workers,
    });
    return new LmParallel(pool, params, config);
  }

  /**
   * The batch's mean loss and its gradients (one tensor per variable, named as the optimizer expects; the
   * caller disposes them) at the current weights. `ids`, `targets`: [batch, L] int32 row-major.
   */
  async gradients(
    ids: Int32Array,
    targets: Int32Array,
    seed: number,
    step: number,
  ): Promise<{ loss: number; grads: Record<string, tf.Tensor> }> {
    const n = this.#pool.workers;
    this.#params.publish();
    // Whole rows per shard: the batch divides by the worker count (`open`).
    const losses = await this.#pool.shards<number>('lmGrads', (k) => ({
      ...this.#base,
      seed,
      step,
      ids: shardOf(ids, k, n),
      targets: shardOf(targets, k, n),
    }));
    const grads = Object.fromEntries(this.#params.mean().map((g) => [g.name, g.tensor]));
    return { loss: losses.reduce((s, l) => s + l, 0) / n, grads };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
