import { type ComputePool, openComputePool } from '../../runtime/pool/index.js';
import * as tf from '../../runtime/tf.js';
import { type Examples, isTextSet } from '../datasets/examples.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import type { Architecture } from '../models/index.js';
import type { GradTask, SharedSet } from './grad-worker.js';

type Base = Omit<GradTask, 'slot' | 'idx' | 'outIdx'>;

/** How to rebuild the model in a worker, and over how many workers to spread each batch. */
export interface ParallelOptions {
  workers: number;
  model: { arch: Architecture; inputShape: number[]; classes: number; vocabSize?: number };
}

/**
 * Data-parallel gradients: each step's batch (and outlier batch) is cut into `workers` equal shards; each
 * worker computes its shard's gradients with the current weights (read from shared memory) into its slot of
 * a SharedArrayBuffer; the slots are averaged here in a fixed order and the one update is applied by the
 * caller's optimizer. Equal shards make the average the whole batch's gradient up to float reassociation.
 */
export class DataParallel {
  readonly #pool: ComputePool;
  readonly #vars: tf.Variable[];
  readonly #base: Base;
  readonly #weights: Float32Array;
  readonly #grads: Float32Array;
  readonly #workers: number;

  private constructor(pool: ComputePool, vars: tf.Variable[], base: Base, workers: number) {
    this.#pool = pool;
    this.#vars = vars;
    this.#base = base;
    this.#weights = new Float32Array(base.weights);
    this.#grads = new Float32Array(base.grads);
    this.#workers = workers;
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
    const size = vars.reduce((s, v) => s + v.size, 0);
    const pool = await openComputePool({
      module: new URL('./grad-worker.ts', import.meta.url),
      load: () => import('./grad-worker.js'),
      workers: o.workers,
    });
    const base: Base = {
      run: `${process.pid}-${performance.now()}-${Math.random()}`,
      model: o.model,
      data: shared(data),
      ...(outliers ? { outliers: shared(outliers) } : {}),
      loss,
      weights: new SharedArrayBuffer(size * 4),
      grads: new SharedArrayBuffer(size * 4 * o.workers),
    };
    return new DataParallel(pool, vars, base, o.workers);
  }

  /**
   * The gradients of the mean loss over `idx` (and outliers `outIdx`) at the current weights, as the
   * optimizer takes them, and that loss. Both lengths must divide by the worker count.
   */
  async gradients(
    idx: Int32Array,
    outIdx: Int32Array | undefined,
  ): Promise<{ loss: number; grads: { name: string; tensor: tf.Tensor }[] }> {
    const n = this.#workers;
    let at = 0;
    for (const v of this.#vars) {
      this.#weights.set(v.dataSync() as Float32Array, at);
      at += v.size;
    }
    const shard = (a: Int32Array, k: number) => a.slice((k * a.length) / n, ((k + 1) * a.length) / n);
    const losses = await Promise.all(
      Array.from({ length: n }, (_, k) =>
        this.#pool.run<number>('grad', {
          ...this.#base,
          slot: k,
          idx: shard(idx, k),
          ...(outIdx ? { outIdx: shard(outIdx, k) } : {}),
        } satisfies GradTask),
      ),
    );
    // Summed slot by slot in a fixed order, so the result does not depend on which worker finished first.
    const size = this.#weights.length;
    const mean = new Float32Array(size);
    for (let k = 0; k < n; k++) {
      const slot = this.#grads.subarray(k * size, (k + 1) * size);
      for (let i = 0; i < size; i++) mean[i] += slot[i];
    }
    for (let i = 0; i < size; i++) mean[i] /= n;
    const grads: { name: string; tensor: tf.Tensor }[] = [];
    at = 0;
    for (const v of this.#vars) {
      grads.push({ name: v.name, tensor: tf.tensor(mean.subarray(at, at + v.size), v.shape) });
      at += v.size;
    }
    return { loss: losses.reduce((s, l) => s + l, 0) / n, grads };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function shared(set: ImageSet | TextSet | Examples): SharedSet {
  if ('batch' in set) throw new Error(`data-parallel training needs an image or text set, not ${set.name}`);
  const labels = set.labels ? copy(set.labels) : undefined;
  return isTextSet(set)
    ? { kind: 'text', rows: copy(set.tokens), shape: [...set.shape], labels }
    : { kind: 'image', rows: copy(set.images), shape: [...set.shape], labels };
}

function copy(a: Uint8Array | Int32Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
}
