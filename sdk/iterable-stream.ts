/**
 * A stream that is both a `ReadableStream<T>` and an `AsyncIterable<T>` (after vercel/ai's
 * `async-iterable-stream.ts`): leaving a `for await` early, `cancel()`ing the stream or aborting the
 * caller's signal aborts the source's signal (and so its HTTP request); cleanup runs exactly once.
 */

/** A `ReadableStream` you can also `for await` over. One-shot: a second iteration yields nothing. */
export type AsyncIterableStream<T> = ReadableStream<T> & AsyncIterable<T>;

/** How the stream's source is started and observed. */
export interface IterableStreamOptions {
  /** The caller's signal: aborting it aborts the source and errors the stream with the signal's reason. */
  signal?: AbortSignal;
  /** Runs once when the stream ends for any reason (done, error, cancel, abort). */
  onClose?: (reason: 'done' | 'error' | 'cancel') => void;
}

/**
 * Wraps a lazily started async iterator (`open(signal)` runs on the first read) as an
 * {@link AsyncIterableStream}. `signal` aborts when the consumer stops early or the caller aborts;
 * the source must stop its work (e.g. pass it to `fetch`).
 */
export function createAsyncIterableStream<T>(
  open: (signal: AbortSignal) => AsyncIterator<T>,
  options: IterableStreamOptions = {},
): AsyncIterableStream<T> {
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted) onOuterAbort();

  let source: AsyncIterator<T> | undefined;
  let closed = false;
  const close = (reason: 'done' | 'error' | 'cancel', cancelReason?: unknown) => {
    if (closed) return false;
    closed = true;
    outer?.removeEventListener('abort', onOuterAbort);
    // Aborting after a normal end would be harmless, but a fired signal must mean "stopped early".
    if (reason !== 'done')
      controller.abort(cancelReason ?? new DOMException('stream cancelled', 'AbortError'));
    options.onClose?.(reason);
    return true;
  };

  const stream = new ReadableStream<T>(
    {
      async pull(c) {
        try {
          source ??= open(controller.signal);
          const r = await untilAborted(source.next(), controller.signal);
          if (r.done) {
            close('done');
            c.close();
          } else c.enqueue(r.value);
        } catch (err) {
          // An abort surfaces as the caller's reason, not as whatever the aborted fetch threw.
          const error = controller.signal.aborted ? controller.signal.reason : err;
          close('error', error);
          c.error(error);
          // A source that ignored the abort may still be running: let it finish in the background.
          if (controller.signal.aborted) source?.return?.().catch(() => undefined);
        }
      },
      async cancel(reason) {
        if (!close('cancel', reason)) return;
        // The source is suspended at a `yield` (or failing on the abort): let its finally blocks run.
        await source?.return?.().catch(() => undefined);
      },
    },
    // No read-ahead: nothing is requested until the consumer asks for the first item.
    { highWaterMark: 0 },
  ) as AsyncIterableStream<T>;

  stream[Symbol.asyncIterator] = function (this: ReadableStream<T>): AsyncIterator<T> {
    const reader = this.getReader();
    let finished = false;
    const finish = async (cancel: boolean, reason?: unknown) => {
      if (finished) return;
      finished = true;
      try {
        if (cancel) await reader.cancel(reason);
      } finally {
        reader.releaseLock();
      }
    };
    return {
      async next() {
        if (finished) return { done: true, value: undefined };
        let r: ReadableStreamReadResult<T>;
        try {
          r = await reader.read();
        } catch (err) {
          await finish(false);
          throw err;
        }
        if (r.done) {
          await finish(false);
          return { done: true, value: undefined };
        }
        return { done: false, value: r.value };
      },
      // `break`, `return` and a throw inside the loop body all land here: cancel upstream.
      async return() {
        await finish(true);
        return { done: true, value: undefined };
      },
      async throw(err: unknown) {
        await finish(true, err);
        throw err;
      },
    };
  };
  return stream;
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts (the source may not listen). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The source was already asked for its next item and will fail on the abort too: that failure has
    // been reported through the signal's reason, so keep it from surfacing as an unhandled rejection.
    Promise.resolve(promise).catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
