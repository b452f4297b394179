import { describe, expect, it } from 'vitest';
import { toByteStream } from './byte-stream.js';

const bytes = (...values: number[]) => new Uint8Array(values);

/** A source that records how far it was pulled and whether it was closed. */
function trackedSource(chunks: Uint8Array[], failAt?: number) {
  const state = { pulled: 0, closed: 0 };
  async function* generate(): AsyncGenerator<Uint8Array> {
    try {
      for (const [i, chunk] of chunks.entries()) {
        if (i === failAt) throw new Error(`source failed at ${i}`);
        state.pulled += 1;
        yield chunk;
      }
    } finally {
      state.closed += 1;
    }
  }
  return { source: generate(), state };
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of stream) out.push(...chunk);
  return out;
}

describe('toByteStream', () => {
  it('yields every chunk in order, as a for-await iterable', async () => {
    const { source } = trackedSource([bytes(1, 2), bytes(3), bytes(4, 5)]);
    expect(await collect(toByteStream(source))).toEqual([1, 2, 3, 4, 5]);
  });

  it('yields every chunk through a ReadableStream reader', async () => {
    const { source } = trackedSource([bytes(1), bytes(2)]);
    const reader = toByteStream(source).getReader();
    expect((await reader.read()).value).toEqual(bytes(1));
    expect((await reader.read()).value).toEqual(bytes(2));
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });

  it('pulls from the source only when read (no read-ahead)', async () => {
    const { source, state } = trackedSource([bytes(1), bytes(2), bytes(3)]);
    const reader = toByteStream(source).getReader();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.pulled).toBe(0);
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.pulled).toBe(1);
  });

  it('cancels the source on early exit from for-await, exactly once', async () => {
    const { source, state } = trackedSource([bytes(1), bytes(2), bytes(3)]);
    const stream = toByteStream(source);
    for await (const _ of stream) break;
    await expect.poll(() => state.closed).toBe(1);
    await stream.cancel();
    expect(state.closed).toBe(1);
    expect(state.pulled).toBe(1);
  });

  it('errors the stream with the mapped source error', async () => {
    const { source } = trackedSource([bytes(1), bytes(2)], 1);
    const stream = toByteStream(source, {
      mapError: (e) => new RangeError(`mapped: ${(e as Error).message}`),
    });
    await expect(collect(stream)).rejects.toThrow(new RangeError('mapped: source failed at 1'));
  });

  it('errors with the abort reason and closes the source when the signal aborts', async () => {
    const { source, state } = trackedSource([bytes(1), bytes(2), bytes(3)]);
    const controller = new AbortController();
    const reader = toByteStream(source, { signal: controller.signal }).getReader();
    await reader.read();
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
    await expect.poll(() => state.closed).toBe(1);
  });

  it('starts errored when the signal is already aborted', async () => {
    const { source } = trackedSource([bytes(1)]);
    const reason = new Error('too late');
    await expect(collect(toByteStream(source, { signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
  });

  it('yields nothing when iterated a second time', async () => {
    const { source } = trackedSource([bytes(1), bytes(2)]);
    const stream = toByteStream(source);
    expect(await collect(stream)).toEqual([1, 2]);
    expect(await collect(stream)).toEqual([]);
  });
});
