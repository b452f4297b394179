import { threadId } from 'node:worker_threads';

/** A task module for runtime/pool's tests: each export is a task. */

/** The thread that ran the task (0 = the main thread). */
export function thread(): number {
  return threadId;
}

/** `n` bytes counting up from `first`, with the typed array owning its buffer (transferred back). */
export async function bytes({
  n,
  first,
}: {
  n: number;
  first: number;
}): Promise<{ data: Uint8Array; n: number }> {
  return { data: Uint8Array.from({ length: n }, (_, i) => (first + i) & 255), n };
}

/** Throws, as a task with bad input does. */
export function fail({ why }: { why: string }): never {
  throw new RangeError(`bad task: ${why}`);
}

/** Ends its thread, as a crash or an out-of-memory kill does. */
export function die(): never {
  process.exit(3);
}
