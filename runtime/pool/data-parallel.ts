import * as tf from '../tf.js';
import { type ComputePool, type ComputePoolOptions, openComputePool } from './compute-pool.js';

/**
 * The data-parallel training mechanism, shared by every training loop that spreads a step over compute
 * workers (trainer/parallel for classifiers, generators/cgan for the GAN, bench/ for the reference CNN).
 *
 * piscina cannot pin a task to a worker, so no worker owns the weights: the caller publishes them into a
 * SharedArrayBuffer before each round, every shard task reads them at its start ({@link loadParams}),
 * writes its gradients into its own slot of a second SharedArrayBuffer ({@link storeGrads}), and the
 * caller averages the slots in a fixed order ({@link SharedParams.mean}) and applies one optimizer update.
 * Equal shards make that average the whole batch's gradient up to float reassociation.
 */

/** What every shard task receives beside its own arguments. */
export interface ShardTask {
  /** Identifies the run: a worker caches its replica (model, data views) per run id. */
  run: string;
  /** This shard's index: the gradient slot it writes. */
  slot: number;
}

/** A flat float32 copy of one list of variables, and one gradient slot per worker, in shared memory. */
export class SharedParams {
  /** Every variable's values, flattened in list order. */
  readonly weights: SharedArrayBuffer;
  /** `slots` gradient slots, each laid out like `weights`. */
  readonly grads: SharedArrayBuffer;
  readonly #flat: Float32Array;
  readonly #grads: Float32Array;

  constructor(
    readonly vars: tf.Variable[],
    readonly slots: number,
  ) {
    const size = vars.reduce((s, v) => s + v.size, 0);
    this.weights = new SharedArrayBuffer(size * 4);
    this.grads = new SharedArrayBuffer(size * 4 * slots);
    this.#flat = new Float32Array(this.weights);
    this.#grads = new Float32Array(this.grads);
  }

  /** Copies the variables' current values into `weights` (before a round of shard tasks). */
  publish(): void {
    let at = 0;
    for (const v of this.vars) {
      this.#flat.set(v.dataSync() as Float32Array, at);
      at += v.size;
    }
  }

  /**
   * The mean of the gradient slots, one tensor per variable (named as the optimizer expects). Summed slot
   * by slot in index order, so the result does not depend on which worker finished first. The caller
   * disposes the tensors.
   */
  mean(): { name: string; tensor: tf.Tensor }[] {
    const size = this.#flat.length;
    const mean = new Float32Array(size);
    for (let k = 0; k < this.slots; k++) {
      const slot = this.#grads.subarray(k * size, (k + 1) * size);
      for (let i = 0; i < size; i++) mean[i] += slot[i];
    }
    for (let i = 0; i < size; i++) mean[i] /= this.slots;
    let at = 0;
    return this.vars.map((v) => {
      const tensor = tf.tensor(mean.subarray(at, at + v.size), v.shape);
      at += v.size;
      return { name: v.name, tensor };
    });
  }
}

/** Worker side: assigns the values in `weights` (laid out as {@link SharedParams}) to `vars`, in order. */
export function loadParams(vars: tf.Variable[], weights: SharedArrayBuffer): void {
  const flat = new Float32Array(weights);
  let at = 0;
  for (const v of vars) {
    const from = at;
    tf.tidy(() => v.assign(tf.tensor(flat.subarray(from, from + v.size), v.shape)));
    at += v.size;
  }
}

/**
 * Worker side: writes `grads` (as `tf.variableGrads` returns them, keyed by variable name) into slot
 * `slot` of `buffer`, in the order of `vars`. Does not dispose them.
 */
export function storeGrads(
  vars: tf.Variable[],
  grads: tf.NamedTensorMap,
  buffer: SharedArrayBuffer,
  slot: number,
): void {
  const size = vars.reduce((s, v) => s + v.size, 0);
  const out = new Float32Array(buffer, slot * size * 4, size);
  let at = 0;
  for (const v of vars) {
    out.set(grads[v.name].dataSync() as Float32Array, at);
    at += v.size;
  }
}

/** Rows `[k·n/shards, (k+1)·n/shards)` of `a` (a copy): shard `k` of `shards` equal shards. */
export function shardOf(a: Int32Array, k: number, shards: number): Int32Array {
  return a.slice((k * a.length) / shards, ((k + 1) * a.length) / shards);
}

/** A copy of a typed array's bytes in a SharedArrayBuffer, for workers to view without copying. */
export function shareBytes(a: ArrayBufferView): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
}

/** A compute pool that runs one task per shard of a training step. */
export class ShardPool {
  readonly run: string = `${process.pid}-${performance.now()}-${Math.random()}`;

  private constructor(
    readonly pool: ComputePool,
    readonly workers: number,
  ) {}

  /** Starts `options.workers` (> 0) worker threads importing `options.module`. */
  static async open(options: Omit<ComputePoolOptions, 'workers'> & { workers: number }): Promise<ShardPool> {
    if (!(options.workers > 0))
      throw new Error(`a shard pool needs at least one worker, not ${options.workers}`);
    return new ShardPool(await openComputePool(options), options.workers);
  }

  /**
   * Runs task `task` once per shard, shard `k` with `{ run, slot: k, ...argsOf(k) }`, all at once; the
   * results in shard order.
   */
  shards<T>(task: string, argsOf: (k: number) => object): Promise<T[]> {
    return Promise.all(
      Array.from({ length: this.workers }, (_, k) =>
        this.pool.run<T>(task, { ...argsOf(k), run: this.run, slot: k } satisfies ShardTask),
      ),
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
