// The first module every compute worker runs (plain JavaScript, so Node starts it without a loader).
// goe runs its TypeScript sources through tsx (bin/goe.mjs); loader hooks registered on the main thread
// do not reach worker threads on Node 20, so each worker registers tsx before importing its task module
// (a .ts file). Under vitest the same holds: vite's transform lives in the test's own thread only.
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { register } from 'tsx/esm/api';

if (workerData.module.endsWith('.ts')) register();
const tasks = await import(workerData.module);

/**
 * Piscina calls this with `{ task, arg }`: `task` names an export of the task module, called with `arg`.
 * Typed arrays at the top level of the result that own their whole buffer are transferred, not copied
 * (a view into a larger buffer, such as a wasm heap, is copied: detaching that buffer would break it).
 */
export default async function run({ task, arg }) {
  const f = tasks[task];
  if (typeof f !== 'function') throw new Error(`compute task module has no task "${task}"`);
  const result = await f(arg);
  if (result === null || typeof result !== 'object') return result;
  const buffers = [];
  for (const v of Object.values(result)) {
    if (
      ArrayBuffer.isView(v) &&
      v.buffer instanceof ArrayBuffer &&
      v.byteOffset === 0 &&
      v.byteLength === v.buffer.byteLength &&
      !buffers.includes(v.buffer)
    ) {
      buffers.push(v.buffer);
    }
  }
  return move({ [transferableSymbol]: buffers, [valueSymbol]: result });
}
