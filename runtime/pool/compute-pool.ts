import { WorkerCrashError } from './errors.js';

/** A task module: each export is a task, called with one structured-clonable argument. */
// biome-ignore lint/suspicious/noExplicitAny: tasks take and return any structured-clonable value.
export type TaskModule = Record<string, (arg: any) => unknown>;

/** Options of {@link openComputePool}. */
export interface ComputePoolOptions {
  /** The task module each worker imports (a `.ts` file under tsx/vitest, or `.js`). */
  module: URL;
  /**
   * The same module imported by the caller, for `workers: 0`. A static `import()` here is what a bundler
   * (the Lambda bundle's esbuild) follows; `module`'s file need not exist in a bundle.
   */
  load: () => Promise<TaskModule>;
  /** Worker threads; 0 runs every task on the calling thread (no isolation, no parallelism). */
  workers: number;
  /** Faults no task can be blamed for (a worker that dies idle); default: ignored. */
  onError?: (error: Error) => void;
  /** Settings every worker reads from `workerData` (beside `module` and `workers`), e.g. its ORT threads. */
  settings?: Record<string, string | number>;
}

/** Runs named tasks of one task module on worker threads (or in-thread when `workers` is 0). */
export interface ComputePool {
  /** Worker threads (0 = in-thread). */
  readonly workers: number;
  /**
   * Runs export `task` of the task module with `arg` on the first free worker (FIFO across callers).
   * @throws {WorkerCrashError} when the worker dies while holding the task (it is replaced)
   * @throws whatever the task throws, as thrown in the worker
   */
  run<T>(task: string, arg: unknown): Promise<T>;
  /** Stops every worker; pending tasks fail. Idempotent. */
  close(): Promise<void>;
}

/**
 * A pool of `workers` threads, each importing `module` once (per-worker state — a TF.js backend, loaded
 * models — lives in that module's scope). Built on piscina (STYLE.md: a maintained pool, not a hand-made
 * queue): FIFO queue, a worker that dies fails only the tasks it held and is replaced, results' typed
 * arrays are transferred rather than copied (runtime/pool/boot.mjs).
 */
export async function openComputePool(options: ComputePoolOptions): Promise<ComputePool> {
  if (options.workers === 0) return inThreadPool(await options.load());
  const { Piscina } = await import('piscina');
  const piscina = new Piscina({
    filename: new URL('./boot.mjs', import.meta.url).href,
    minThreads: options.workers,
    maxThreads: options.workers,
    // Workers hold loaded models: never retire an idle one.
    idleTimeout: Number.POSITIVE_INFINITY,
    // `workers`: a worker shares the cores with its pool's others (ONNX Runtime sizes its threads by it).
    workerData: { ...options.settings, module: options.module.href, workers: options.workers },
    // Each worker is one TF.js instance doing one forward pass at a time.
    concurrentTasksPerWorker: 1,
  });
  // A worker dying with no task would be an 'error' event with no listener: a crash of the whole process.
  piscina.on('error', (error: Error) => options.onError?.(error));
  let closed: Promise<void> | undefined;
  return {
    workers: options.workers,
    async run<T>(task: string, arg: unknown): Promise<T> {
      try {
        return (await piscina.run({ task, arg })) as T;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // piscina's words for a worker that exited (process.exit, a fatal error, resourceLimits).
        if (/^worker exited with code/.test(message)) throw new WorkerCrashError(task, message);
        throw error;
      }
    },
    close() {
      closed ??= piscina.destroy();
      return closed;
    },
  };
}

function inThreadPool(tasks: TaskModule): ComputePool {
  return {
    workers: 0,
    async run<T>(task: string, arg: unknown): Promise<T> {
      const f = tasks[task];
      if (typeof f !== 'function') throw new Error(`compute task module has no task "${task}"`);
      return (await f(arg)) as T;
    },
    close: async () => {},
  };
}
