import { type ComputePool, openComputePool, workerCount } from '../../runtime/pool/index.js';
import type { GeneratorRef, RowBatch, RowParams } from './rows.js';
import type { RowsResult, RowsTask } from './worker.js';

/** Options of {@link RowPool}. */
export interface RowPoolOptions {
  /** Worker threads (default `GOE_WORKERS`, else one per core); 0 computes on the calling thread. */
  workers?: number;
  /** Image rows per forward pass (default 256); does not change the rows. */
  batchSize?: number;
  /** Text rows per decoding run (default min(batchSize, 64)); does not change the rows. */
  textBatchSize?: number;
  /** Batches one stream may have computed or in flight ahead of its reader (default max(2, workers)). */
  ahead?: number;
  /**
   * ONNX Runtime intra-op threads of each worker's sessions (default cores ÷ workers, at least 1).
   * `goe bench generate` sets it to time one worker on one core.
   */
  onnxThreads?: number;
  /** Faults of the pool that no request can be blamed for (a worker that died idle). */
  onError?: (error: Error) => void;
  /** Test hooks, set only by code: the worker computing the batch that holds `crashAtRow` dies. */
  testHooks?: { crashAtRow?: number };
}

/**
 * Generated rows from a pool of compute workers (runtime/pool over generators/pool/worker.ts). A request
 * is cut into batches any worker may compute, a few at a time, and handed back in row order: since a row
 * depends only on (weights, params, seed, index), the rows are the same for any number of workers. The
 * calling thread never runs a forward pass.
 */
export class RowPool {
  readonly workers: number;
  readonly batchSize: number;
  readonly textBatchSize: number;
  readonly ahead: number;
  #compute: Promise<ComputePool> | undefined;
  #options: RowPoolOptions;
  #batches = 0;
  #workerTensors = new Map<number, number | null>();
  #backend: Promise<string> | undefined;

  constructor(options: RowPoolOptions = {}) {
    this.#options = options;
    this.workers = options.workers ?? workerCount();
    this.batchSize = options.batchSize ?? 256;
    // A text batch runs `length` forward passes before its first row is out: smaller keeps it streaming.
    this.textBatchSize = options.textBatchSize ?? Math.min(this.batchSize, 64);
    this.ahead = options.ahead ?? Math.max(2, this.workers);
  }

  /**
   * Live TF.js tensors of each compute thread (by thread id) after the last batch it computed; null for a
   * thread that never started TF.js (ONNX Runtime sessions hold no TF.js tensors). Read from the batches
   * themselves, so it costs no task: a leak shows as a count that grows over a long run.
   */
  workerTensors(): Record<string, number | null> {
    return Object.fromEntries([...this.#workerTensors].sort(([a], [b]) => a - b));
  }

  /** Batches computed so far, for every stream: lets tests and benchmarks see work stop on abort. */
  get batchesProduced(): number {
    return this.#batches;
  }

  /** The workers' TF.js backend (started on one worker; every worker makes the same choice). */
  backend(): Promise<string> {
    if (!this.#backend) {
      this.#backend = this.#run<string>('backend', undefined);
      this.#backend.catch(() => {
        this.#backend = undefined;
      });
    }
    return this.#backend;
  }

  /**
   * Starts every worker's TF.js backend (so the first request does not pay for it) and names it.
   * In-thread pools start the calling thread's.
   */
  async warm(): Promise<string> {
    const names = Promise.all(
      Array.from({ length: Math.max(1, this.workers) }, () => this.#run<string>('backend', undefined)),
    );
    // Named once here, so /healthz never queues behind batches to learn it.
    if (!this.#backend) {
      const named = names.then((n) => n[0]);
      this.#backend = named;
      named.catch(() => {
        if (this.#backend === named) this.#backend = undefined;
      });
    }
    return (await names)[0];
  }

  /**
   * Rows `[start, start + count)` of `generator`, in order, one batch per forward pass. At most
   * {@link ahead} batches are computed ahead of the consumer, so a slow reader holds generation back;
   * a consumer that stops (`return()`) frees the workers once the batches in flight are done.
   * @throws {WorkerCrashError} when a worker dies on one of this stream's batches
   */
  async *rows(
    generator: GeneratorRef,
    params: RowParams,
    start: number,
    count: number,
  ): AsyncGenerator<RowBatch> {
    const size = params.modality === 'text' ? this.textBatchSize : this.batchSize;
    const end = start + count;
    const crashAt = this.#options.testHooks?.crashAtRow;
    const pending: Promise<RowBatch>[] = [];
    let next = start;
    const launch = () => {
      const n = Math.min(size, end - next);
      const task: RowsTask = { ...generator, params, start: next, count: n };
      if (crashAt !== undefined && crashAt >= next && crashAt < next + n) task.crash = true;
      const p = this.#run<RowsResult>('rows', task).then(({ worker, ...batch }) => {
        this.#workerTensors.set(worker.thread, worker.tensors);
        return batch as RowBatch;
      });
      p.then(
        () => {
          this.#batches += 1;
        },
        // A batch abandoned by a consumer that left may still fail; nobody awaits it.
        () => {},
      );
      pending.push(p);
      next += n;
    };
    while (next < end || pending.length > 0) {
      while (pending.length < this.ahead && next < end) launch();
      yield await (pending.shift() as Promise<RowBatch>);
    }
  }

  /** Live tensors on the worker that runs this call (a leak check). */
  tensors(): Promise<number> {
    return this.#run<number>('tensors', undefined);
  }

  /**
   * Stops the workers (their models go with them). Idempotent. In-thread (`workers: 0`) the loaded models
   * belong to the thread, shared by every in-thread pool of it, and stay.
   */
  async close(): Promise<void> {
    const compute = this.#compute;
    this.#compute = undefined;
    await (await compute?.catch(() => undefined))?.close();
  }

  async #run<T>(task: string, arg: unknown): Promise<T> {
    if (!this.#compute) {
      this.#compute = openComputePool({
        module: new URL('./worker.ts', import.meta.url),
        load: () => import('./worker.js'),
        workers: this.workers,
        onError: this.#options.onError,
        ...(this.#options.onnxThreads ? { settings: { onnxThreads: this.#options.onnxThreads } } : {}),
      });
      this.#compute.catch(() => {
        this.#compute = undefined;
      });
    }
    return (await this.#compute).run<T>(task, arg);
  }
}
