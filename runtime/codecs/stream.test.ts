import { describe, expect, it } from 'vitest';
import { NpyDecoder, npyDecoderStream, npyEncoderStream } from './npy.js';
import { collect, streamOf } from './test-chunks.js';

describe('codec streams', () => {
  it('cancels the source when the reader leaves a for-await early', async () => {
    let cancelled: unknown = 'not cancelled';
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(4));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const encoded = source.pipeThrough(npyEncoderStream({ dtype: 'uint8', shape: [1000, 4] }));
    let seen = 0;
    for await (const _chunk of encoded as unknown as AsyncIterable<Uint8Array>) {
      seen += 1;
      if (seen === 3) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(cancelled).not.toBe('not cancelled');
    expect(pulled).toBeLessThan(1000);
  });

  it('errors the readable side when the source errors, without a codec error hiding it', async () => {
    const boom = new Error('generator failed');
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(4));
        controller.error(boom);
      },
    });
    await expect(
      collect(source.pipeThrough(npyEncoderStream({ dtype: 'uint8', shape: [2, 4] }))),
    ).rejects.toBe(boom);
  });

  it('encodes then decodes end to end through two transforms', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => Float32Array.of(i, -i, i / 3));
    const events = await collect(
      streamOf(rows)
        .pipeThrough(npyEncoderStream({ dtype: 'float32', shape: [10, 3] }))
        .pipeThrough(npyDecoderStream()),
    );
    expect(events).toHaveLength(11);
    expect(events.slice(1).map((e) => (e.type === 'row' ? Array.from(e.data) : []))).toEqual(
      rows.map((r) => Array.from(r)),
    );
  });

  it('gives each stream its own codec state', async () => {
    const encoder = () => npyEncoderStream({ dtype: 'uint8', shape: [1, 1] });
    const a = await collect(streamOf([Uint8Array.of(1)]).pipeThrough(encoder()));
    const b = await collect(streamOf([Uint8Array.of(2)]).pipeThrough(encoder()));
    expect(a[1]).toEqual(Uint8Array.of(1));
    expect(b[1]).toEqual(Uint8Array.of(2));
    expect(new NpyDecoder().header).toBeUndefined();
  });
});
