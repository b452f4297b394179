import { isMainThread, threadId } from 'node:worker_threads';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import {
  type GeneratorRef,
  generateRows,
  generatorVersion,
  type LoadedGenerator,
  loadGenerator,
  type RowBatch,
  type RowParams,
} from './rows.js';

/**
 * The compute worker's tasks (each export is one; runtime/pool calls them by name). Module scope is
 * the worker's state: its TF.js backend and the generators it has loaded, kept for the next task.
 */

/**
 * One batch of rows to compute, of the generator a {@link GeneratorRef} names: its `digest` is the
 * {@link generatorVersion} (a generator replaced on disk is loaded again, not served stale), its `runtime`
 * says TF.js or ONNX Runtime (each worker opens its own ONNX Runtime session).
 */
export interface RowsTask extends GeneratorRef {
  params: RowParams;
  start: number;
  count: number;
  /** Test hook (set only by code, never by a request): the worker dies instead of computing. */
  crash?: boolean;
}

const loaded = new Map<string, Promise<LoadedGenerator>>();
// Whether this thread started TF.js: counting tensors otherwise would start a backend just to say 0.
let tfjsStarted = false;

/**
 * A batch of rows and, after it, the live TF.js tensors of the thread that computed it (null when the
 * thread never started TF.js: ONNX Runtime sessions hold no TF.js tensors). The count is taken when the
 * batch's own tensors are disposed, so it stays constant from batch to batch unless something leaks.
 */
export type RowsResult = RowBatch & { worker: { thread: number; tensors: number | null } };

/** The TF.js backend this worker runs on, starting it (`GOE_BACKEND`, else the fastest that starts). */
export async function backend(): Promise<string> {
  const { choice } = await initBackend();
  tfjsStarted = true;
  return choice;
}

/** Rows `[start, start + count)` of generator `id`, loading it on this worker's first use. */
export async function rows(task: RowsTask): Promise<RowsResult> {
  if (task.crash) {
    // In-thread there is no worker to lose: fail like one instead of ending the process.
    if (isMainThread) throw new Error('test hook: compute worker crash');
    process.exit(70);
  }
  // ONNX Runtime needs no TF.js backend: a worker that serves only ONNX models never starts one.
  if (task.runtime !== 'onnx') {
    await initBackend();
    tfjsStarted = true;
  }
  const key = `${task.zoo}\0${task.id}\0${task.runtime}`;
  let p = loaded.get(key);
  if (p) {
    const current = await p.catch(() => undefined);
    if (!current || generatorVersion(current.manifest, task.runtime) !== task.digest) {
      await current?.dispose();
      p = undefined;
    }
  }
  if (!p) {
    p = loadGenerator(task.zoo, task.id, task.runtime);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  const batch = await generateRows(await p, task.params, task.start, task.count);
  return { ...batch, worker: { thread: threadId, tensors: tfjsStarted ? tf.memory().numTensors : null } };
}

/** Live tensors on this worker (a leak shows as growth between batches). */
export function tensors(): number {
  return tf.memory().numTensors;
}
