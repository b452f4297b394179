/**
 * A byte stream that is both a web `ReadableStream` and an `AsyncIterable` (Node 20's
 * ReadableStream is both at runtime; the DOM typings only declare the former).
 */
export type ByteStream = ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>;

/** Options of `toByteStream`. */
export interface ByteStreamOptions {
  /** Aborting errors the stream with `signal.reason` and closes the source. */
  signal?: AbortSignal;
  /** Turns a source error into the error readers see (e.g. a socket error into a StoreError). */
  mapError?: (error: unknown) => unknown;
}

/**
 * Wraps `source` in a pull-based `ByteStream`: one chunk is read from the source per read
 * request (high-water mark 0), so a slow reader holds nothing extra in memory. Cancelling the
 * stream — including leaving a `for await` early — calls the source iterator's `return()`
 * exactly once, which for Node streams destroys them (closing the file or socket).
 */
export function toByteStream(source: AsyncIterable<Uint8Array>, options: ByteStreamOptions = {}): ByteStream {
  const { signal, mapError = (error) => error } = options;
  const iterator = source[Symbol.asyncIterator]();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    signal?.removeEventListener('abort', onAbort);
    // Not awaited: a pending next() would delay return() until the source yields again.
    iterator.return?.().catch(() => {});
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onAbort = () => {
    controller.error(signal?.reason);
    release();
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(c) {
        let result: IteratorResult<Uint8Array>;
        try {
          result = await iterator.next();
        } catch (error) {
          if (released) return;
          c.error(mapError(error));
          release();
          return;
        }
        if (released) return;
        if (result.done) {
          released = true;
          signal?.removeEventListener('abort', onAbort);
          c.close();
        } else {
          c.enqueue(result.value);
        }
      },
      cancel() {
        release();
      },
    },
    { highWaterMark: 0 },
  );
  return stream as ByteStream;
}
