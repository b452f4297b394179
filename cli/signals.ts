import { note } from './output.js';

/**
 * Runs `work` with an AbortSignal that Ctrl-C (SIGINT) or SIGTERM trips, so long loops stop cleanly.
 * By default an aborted run is an error; resumable training passes `{ resumable: true }` and reports
 * where it stopped itself.
 */
export async function withAbort<T>(
  work: (signal: AbortSignal) => T | Promise<T>,
  { resumable = false }: { resumable?: boolean } = {},
): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    note(
      resumable ? '\nstopping: saving a checkpoint (run the same command again to resume)' : '\nstopping…',
    );
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await work(controller.signal);
    if (controller.signal.aborted && !resumable) throw new Error('interrupted');
    return result;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
