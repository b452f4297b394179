import { describe, expect, it } from 'vitest';
import type { ImageBatch } from '../../generators/cgan/index.js';
import type { BatchEncoder } from '../../runtime/encoders/index.js';
import { encodeBatches } from './stream.js';

/** A source of `n` one-row batches that counts how many it produced and whether it was closed. */
function countingSource(n: number) {
  const state = { produced: 0, closed: false };
  async function* gen(): AsyncGenerator<ImageBatch> {
    try {
      for (let i = 0; i < n; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        state.produced += 1;
        yield { start: i, count: 1, data: new Uint8Array([i]), classes: new Int32Array([0]) };
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: gen() };
}

const bytesEncoder: BatchEncoder = {
  contentType: 'application/octet-stream',
  head: () => [new Uint8Array([255])],
  batch: (b) => [b.data as Uint8Array],
  end: () => [new Uint8Array([254])],
};

describe('encodeBatches', () => {
  it('writes the head, every batch in order, then the tail', async () => {
    const { source } = countingSource(3);
    const body = new Uint8Array(await new Response(encodeBatches(source, bytesEncoder)).arrayBuffer());
    expect(Array.from(body)).toEqual([255, 0, 1, 2, 254]);
  });

  it('generates only as fast as the reader reads (backpressure)', async () => {
    const { state, source } = countingSource(100);
    const reader = encodeBatches(source, bytesEncoder).getReader();
    await reader.read(); // head
    await reader.read(); // batch 0
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.produced).toBe(1);
    await reader.cancel();
  });

  it('stops the source when the reader cancels (leaving a loop early)', async () => {
    const { state, source } = countingSource(100);
    for await (const chunk of encodeBatches(source, bytesEncoder) as unknown as AsyncIterable<Uint8Array>) {
      if (chunk[0] === 2) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.closed).toBe(true);
    expect(state.produced).toBe(3);
  });

  it('stops the source within one batch when the signal aborts', async () => {
    const { state, source } = countingSource(100);
    const abort = new AbortController();
    const reader = encodeBatches(source, bytesEncoder, { signal: abort.signal }).getReader();
    await reader.read();
    const pending = reader.read();
    abort.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.closed).toBe(true);
    expect(state.produced).toBeLessThanOrEqual(1);
  });

  it('errors the stream (rather than ending it cleanly) when the source fails, and reports it once', async () => {
    async function* failing(): AsyncGenerator<ImageBatch> {
      yield { start: 0, count: 1, data: new Uint8Array([7]), classes: new Int32Array([0]) };
      throw new Error('forward pass failed');
    }
    const errors: unknown[] = [];
    const stream = encodeBatches(failing(), bytesEncoder, { onError: (e) => errors.push(e) });
    await expect(new Response(stream).arrayBuffer()).rejects.toThrow();
    expect(errors).toHaveLength(1);
  });
});
