import { describe, expect, it } from 'vitest';
import { bodyChunks } from './body.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of chunks) out.push(...chunk);
  return out;
}

describe('bodyChunks', () => {
  it('yields a Uint8Array body as is, and an empty one as nothing', async () => {
    const body = new Uint8Array([1, 2, 3]);
    const seen: Uint8Array[] = [];
    for await (const chunk of bodyChunks(body)) seen.push(chunk);
    expect(seen).toEqual([body]);
    expect(seen[0]).toBe(body);
    expect(await collect(bodyChunks(new Uint8Array(0)))).toEqual([]);
  });

  it('reads async iterables and web streams', async () => {
    async function* gen() {
      yield new Uint8Array([1]);
      yield new Uint8Array([2, 3]);
    }
    expect(await collect(bodyChunks(gen()))).toEqual([1, 2, 3]);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([4]));
        c.close();
      },
    });
    expect(await collect(bodyChunks(stream))).toEqual([4]);
  });

  it('rejects a chunk that is not a Uint8Array, naming its type, and closes the source', async () => {
    let closed = false;
    async function* gen(): AsyncGenerator<unknown> {
      try {
        yield 'text';
      } finally {
        closed = true;
      }
    }
    await expect(collect(bodyChunks(gen() as AsyncGenerator<Uint8Array>))).rejects.toThrow(
      new TypeError('put body yielded string, expected Uint8Array chunks'),
    );
    await expect.poll(() => closed).toBe(true);
  });

  it('rejects at once with the abort reason while the producer is stuck', async () => {
    let release!: () => void;
    let closed = false;
    async function* stuck(): AsyncGenerator<Uint8Array> {
      try {
        yield new Uint8Array([1]);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        yield new Uint8Array([2]);
      } finally {
        closed = true;
      }
    }
    const controller = new AbortController();
    const iterator = bodyChunks(stuck(), controller.signal);
    await iterator.next();
    const pending = iterator.next();
    const reason = new Error('abandoned');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    // The producer is closed as soon as it yields again.
    expect(closed).toBe(false);
    release();
    await expect.poll(() => closed).toBe(true);
  });

  it('cancels a web stream body when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array([1]));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of bodyChunks(stream)) break;
    await expect.poll(() => cancelled).toBe(true);
  });
});
