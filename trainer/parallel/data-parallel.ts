import { ShardPool, SharedParams, shardOf, shareBytes } from '../../runtime/pool/index.js';
import type * as tf from '../../runtime/tf.js';
import { type Examples, isTextSet } from '../datasets/examples.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import type { Architecture } from '../models/index.js';
import type { GradTask, SharedSet } from './grad-worker.js';

type Base = Omit<GradTask, 'run' | 'slot' | 'idx' | 'outIdx'>;

/** How to rebuild the model in a worker, and over how many workers to spread each batch. */
export interface ParallelOptions {
  workers: number;
  model: { arch: Architecture; inputShape: number[]; classes: number; vocabSize?: number };
}

/**
 * Data-parallel gradients of a classifier (runtime/pool's data-parallel mechanism): each step's batch
 * (and outlier batch) is cut into `workers` equal shards; each worker computes its shard's gradients with
 * the current weights (read from shared memory) into its slot of a SharedArrayBuffer; the slots are
 * averaged here in a fixed order and the one update is applied by the caller's optimizer.
 */
export class DataParallel {
  readonly #pool: ShardPool;
  readonly #params: SharedParams;
  readonly #base: Base;

  private constructor(pool: ShardPool, params: SharedParams, base: Base) {
    this.#pool = pool;
    this.#params = params;
    this.#base = base;
  }

  /**
   * Starts `o.workers` gradient workers for `vars` (the model's trainable weights, in order) over `data`.
   * @throws {Error} when the data is not an image or text set (nothing to share)
   */
  static async open(
    o: ParallelOptions,
    vars: tf.Variable[],
    data: ImageSet | TextSet | Examples,
    outliers: ImageSet | TextSet | Examples | undefined,
    loss: GradTask['loss'],
  ): Promise<DataParallel> {
    const shared = { data: share(data), ...(outliers ? { outliers: share(outliers) } : {}) };
    const params = new SharedParams(vars, o.workers);
    const pool = await ShardPool.open({
      module: new URL('./grad-worker.ts', import.meta.url),
      load: () => import('./grad-worker.js'),
      workers: o.workers,
    });
    return new DataParallel(pool, params, {
      model: o.model,
      ...shared,
      loss,
      weights: params.weights,
      grads: params.grads,
    });
  }

  /**
   * The gradients of the mean loss over `idx` (and outliers `outIdx`) at the current weights, as the
   * optimizer takes them, and that loss. Both lengths must divide by the worker count.
   */
  async gradients(
    idx: Int32Array,
    outIdx: Int32Array | undefined,
  ): Promise<{ loss: number; grads: { name: string; tensor: tf.Tensor }[] }> {
    const n = this.#pool.workers;
    this.#params.publish();
    const losses = await this.#pool.shards<number>('grad', (k) => ({
      ...this.#base,
      idx: shardOf(idx, k, n),
      ...(outIdx ? { outIdx: shardOf(outIdx, k, n) } : {}),
    }));
    return { loss: losses.reduce((s, l) => s + l, 0) / n, grads: this.#params.mean() };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function share(set: ImageSet | TextSet | Examples): SharedSet {
  if ('batch' in set) throw new Error(`data-parallel training needs an image or text set, not ${set.name}`);
  const labels = set.labels ? shareBytes(set.labels) : undefined;
  return isTextSet(set)
    ? { kind: 'text', rows: shareBytes(set.tokens), shape: [...set.shape], labels }
    : { kind: 'image', rows: shareBytes(set.images), shape: [...set.shape], labels };
}
