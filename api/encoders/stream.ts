import type { DecodableTextBatch } from '../../generators/lm/index.js';
import type { BatchEncoder, ImageRows } from '../../runtime/encoders/index.js';

/** A batch an encoder consumes: image rows, or text rows with the vocabulary that decodes them. */
export type EncodableBatch = ImageRows | DecodableTextBatch;

/** Options of {@link encodeBatches}. */
export interface EncodeOptions {
  /** Aborting (the client went away) stops the source and errors the stream. */
  signal?: AbortSignal;
  /** Called once if the source or the encoder fails mid-body (the response is then cut, not completed). */
  onError?: (error: unknown) => void;
}

/**
 * A pull-driven byte stream of `encoder`'s output over `source`. One batch is generated per pull, so a
 * slow reader holds back generation (backpressure) and memory stays at about one batch whatever the
 * count. Cancelling the stream or aborting `signal` calls `source.return()` once: an in-flight batch
 * finishes and no further batch starts.
 */
export function encodeBatches<B extends EncodableBatch>(
  source: AsyncGenerator<B>,
  encoder: BatchEncoder<B>,
  options: EncodeOptions = {},
): ReadableStream<Uint8Array> {
  const { signal, onError } = options;
  let stopped = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    signal?.removeEventListener('abort', onAbort);
    // Not awaited: return() on a generator that is mid-batch settles only when that batch is done.
    source.return(undefined).catch(() => {});
  };
  const onAbort = () => {
    if (stopped) return;
    try {
      controller.error(signal?.reason);
    } catch {
      // already closed or errored
    }
    stop();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
        for (const chunk of encoder.head()) c.enqueue(chunk);
      },
      async pull(c) {
        try {
          // Loop until something is enqueued: a pull that enqueues nothing would not be called again.
          for (;;) {
            const next = await source.next();
            if (stopped) return;
            const chunks = next.done ? encoder.end() : encoder.batch(next.value);
            for (const chunk of chunks) if (chunk.length > 0) c.enqueue(chunk);
            if (next.done) {
              stopped = true;
              signal?.removeEventListener('abort', onAbort);
              c.close();
              return;
            }
            if (chunks.some((chunk) => chunk.length > 0)) return;
          }
        } catch (error) {
          if (stopped) return;
          onError?.(error);
          c.error(error);
          stop();
        }
      },
      cancel() {
        stop();
      },
    },
    // Nothing is generated ahead of the reader beyond the batch being produced.
    { highWaterMark: 0 },
  );
}
