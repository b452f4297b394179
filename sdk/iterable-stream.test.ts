import { describe, expect, it } from 'vitest';
import { createAsyncIterableStream } from './iterable-stream.js';

/** A source of 0, 1, 2, … that records whether its signal fired and whether its finally ran. */
function counting(limit = Number.POSITIVE_INFINITY, failAt = -1) {
  const state = { aborted: false, finalized: 0, closes: [] as string[] };
  const open = (signal: AbortSignal) =>
    (async function* () {
      signal.addEventListener('abort', () => {
        state.aborted = true;
      });
      try {
        for (let i = 0; i < limit; i++) {
          if (i === failAt) throw new Error('source failed');
          yield i;
        }
      } finally {
        state.finalized += 1;
      }
    })();
  const stream = createAsyncIterableStream(open, { onClose: (why) => state.closes.push(why) });
  return { stream, state };
}

describe('createAsyncIterableStream', () => {
  it('iterates to the end without aborting the source, closing once', async () => {
    const { stream, state } = counting(3);
    const seen: number[] = [];
    for await (const v of stream) seen.push(v);
    expect(seen).toEqual([0, 1, 2]);
    expect(state).toEqual({ aborted: false, finalized: 1, closes: ['done'] });
  });

  it('cancels the source on early exit, and cleanup runs exactly once', async () => {
    const { stream, state } = counting();
    for await (const v of stream) if (v === 1) break;
    await stream.cancel(); // a second way to close is a no-op
    expect(state).toEqual({ aborted: true, finalized: 1, closes: ['cancel'] });
  });

  it('passes a source error to the loop, closing once', async () => {
    const { stream, state } = counting(10, 2);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of stream) seen.push(v);
      })(),
    ).rejects.toThrow('source failed');
    expect(seen).toEqual([0, 1]);
    expect(state.closes).toEqual(['error']);
  });

  it('implements return() and throw() on its iterator', async () => {
    const { stream, state } = counting();
    const it = stream[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: 0 });
    const boom = new Error('caller threw');
    await expect(it.throw?.(boom)).rejects.toBe(boom);
    expect(await it.return?.()).toEqual({ done: true, value: undefined });
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(state).toMatchObject({ aborted: true, closes: ['cancel'] });
  });

  it('starts nothing before the first read, and a second iteration yields nothing', async () => {
    let opened = 0;
    const stream = createAsyncIterableStream(() => {
      opened += 1;
      return (async function* () {
        yield* [1, 2];
      })();
    });
    expect(opened).toBe(0);
    const first: number[] = [];
    for await (const v of stream) first.push(v);
    const second: number[] = [];
    for await (const v of stream) second.push(v);
    expect([opened, first, second]).toEqual([1, [1, 2], []]);
  });

  it("errors with the caller's abort reason", async () => {
    const controller = new AbortController();
    const stream = createAsyncIterableStream(
      (signal) =>
        (async function* () {
          yield 1;
          await new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('fetch aborted'))),
          );
        })(),
      { signal: controller.signal },
    );
    const reason = new Error('stop');
    const err = await (async () => {
      for await (const _ of stream) controller.abort(reason);
    })().catch((e) => e);
    expect(err).toBe(reason);
  });
});
