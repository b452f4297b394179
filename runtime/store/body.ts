import type { PutBody } from './store.js';

/**
 * Reads a `put` body as a sequence of chunks, one pull at a time (no read-ahead).
 *
 * If `signal` aborts, the pending read rejects at once with `signal.reason` rather than
 * waiting for the producer. When iteration ends early — abort, a non-`Uint8Array` chunk, or
 * the consumer stopping — the body's iterator (or stream reader) is closed, so a generator's
 * `finally` runs and a stream is cancelled.
 *
 * @throws {TypeError} if the body yields something other than a `Uint8Array`.
 */
export async function* bodyChunks(body: PutBody, signal?: AbortSignal): AsyncGenerator<Uint8Array, void> {
  signal?.throwIfAborted();
  if (body instanceof Uint8Array) {
    if (body.byteLength > 0) yield body;
    return;
  }
  const iterator = isReadableStream(body) ? readerIterator(body) : body[Symbol.asyncIterator]();
  let finished = false;
  try {
    while (true) {
      const result = await raceAbort(iterator.next(), signal);
      if (result.done) {
        finished = true;
        return;
      }
      const chunk: unknown = result.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`put body yielded ${describe(chunk)}, expected Uint8Array chunks`);
      }
      if (chunk.byteLength > 0) yield chunk;
      signal?.throwIfAborted();
    }
  } finally {
    if (!finished) {
      // Not awaited: after an abort the producer may still be inside next(), and its
      // return() would only settle once it yields again.
      iterator.return?.().catch(() => {});
    }
  }
}

function isReadableStream(body: PutBody): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream<Uint8Array>).getReader === 'function';
}

/** An iterator over a web stream's reader; `return()` cancels the stream. */
function readerIterator(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  const reader = stream.getReader();
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    async return() {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

/** Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

/**
 * The body's chunks, counting bytes and remembering whether the body itself failed, so that a put can
 * report its size and rethrow the caller's error rather than the store's reaction to it.
 */
export class CountedBody {
  bytes = 0;
  failure: { error: unknown } | undefined;
  readonly chunks: AsyncGenerator<Uint8Array>;

  constructor(body: PutBody, signal?: AbortSignal) {
    this.chunks = this.#read(body, signal);
  }

  async *#read(body: PutBody, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of bodyChunks(body, signal)) {
        this.bytes += chunk.byteLength;
        yield chunk;
      }
    } catch (error) {
      this.failure = { error };
      throw error;
    }
  }
}
