/**
 * Adapts the codecs' push-style classes to web streams. Each codec is written once as a small class
 * (easy to test with exact chunk boundaries) and wrapped here as a `TransformStream`, which Node 20
 * pipes with backpressure and whose readable side is async-iterable.
 */

/** A push-style codec: optional output up front, output per input, and a final check. */
export interface PushCodec<I, O> {
  /** Output to emit before any input (a writer's header). */
  start?(): O[];
  /** Output for one input chunk. Throws a `CodecError` for bad input. */
  push(input: I): O[];
  /** Output at the end of input; throws if the input was incomplete. */
  end(): O[];
}

/**
 * A `TransformStream` driven by a fresh codec from `create`. A codec error rejects the stream, so the
 * reader sees it and the writer side is cancelled; no partial output follows an error.
 */
export function codecStream<I, O>(create: () => PushCodec<I, O>): TransformStream<I, O> {
  const codec = create();
  const enqueueAll = (controller: TransformStreamDefaultController<O>, items: O[]) => {
    for (const item of items) controller.enqueue(item);
  };
  return new TransformStream<I, O>({
    start(controller) {
      if (codec.start !== undefined) enqueueAll(controller, codec.start());
    },
    transform(chunk, controller) {
      enqueueAll(controller, codec.push(chunk));
    },
    flush(controller) {
      enqueueAll(controller, codec.end());
    },
  });
}
