import { note } from './output.js';

/** Runs `work` with an AbortSignal that Ctrl-C (SIGINT) or SIGTERM trips, so long loops stop cleanly. */
export async function withAbort<T>(work: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    note('\nstopping…');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await work(controller.signal);
    if (controller.signal.aborted) throw new Error('interrupted');
    return result;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
