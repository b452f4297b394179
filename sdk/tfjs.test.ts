import { describe, expect, it } from 'vitest';
import * as tf from '../runtime/tf.js';
import type { ImageOutlierBatch, OutlierBatch } from './batch.js';
import { createAsyncIterableStream } from './iterable-stream.js';
import { batchToTensor, oeBatches } from './tfjs.js';

function batch(n: number, first: number): ImageOutlierBatch {
  const data = Uint8Array.from({ length: n * 4 }, (_, k) => (first * 4 + k) * 10);
  return {
    kind: 'image',
    dtype: 'uint8',
    data,
    shape: [n, 2, 2, 1],
    classes: new Int32Array(n),
    labels: Array(n).fill('a'),
    indices: Float64Array.from({ length: n }, (_, k) => first + k),
  };
}

describe('sdk/tfjs', () => {
  it('batchToTensor: uint8 → float32 [n,h,w,c] in [0,1]; float32 as is; unscaled on request', async () => {
    const b = batch(2, 0);
    const t = batchToTensor(b);
    expect(t.shape).toEqual([2, 2, 2, 1]);
    expect(t.dtype).toBe('float32');
    const values = await t.data();
    expect(values[1]).toBeCloseTo(10 / 255, 6);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const raw = batchToTensor(b, { scale: false });
    expect((await raw.data())[7]).toBe(70);
    const f = batchToTensor({
      ...b,
      dtype: 'float32',
      data: Float32Array.from({ length: 8 }, (_, k) => k / 8),
    });
    expect((await f.data())[4]).toBe(0.5);
    tf.dispose([t, raw, f]);
    expect(() =>
      batchToTensor({
        kind: 'text',
        texts: [],
        tokens: [],
        classes: new Int32Array(0),
        labels: [],
        indices: new Float64Array(0),
      }),
    ).toThrow(TypeError);
  });

  it('oeBatches pairs one in-distribution batch with one outlier batch and disposes its tensors', async () => {
    const before = tf.memory().numTensors;
    const inDist = [0, 1, 2].map((i) => ({ x: `x${i}`, y: i }));
    const outliers = (async function* () {
      for (let i = 0; i < 5; i++) yield batch(2, i * 2) as OutlierBatch;
    })();
    const steps: string[] = [];
    for await (const step of oeBatches(inDist, outliers)) {
      expect(step.outliers.isDisposed).toBe(false);
      steps.push(`${step.x}:${step.y}:${step.batch.indices[0]}:${step.outliers.shape}`);
    }
    expect(steps).toEqual(['x0:0:0:2,2,2,1', 'x1:1:2:2,2,2,1', 'x2:2:4:2,2,2,1']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops when the outliers run out, and an early break cancels the outlier stream', async () => {
    const short = (async function* () {
      yield batch(1, 0) as OutlierBatch;
    })();
    const inDist = (async function* () {
      for (let i = 0; ; i++) yield { x: i, y: i };
    })();
    let n = 0;
    for await (const _ of oeBatches(inDist, short)) n++;
    expect(n).toBe(1);

    let cancelled = false;
    const stream = createAsyncIterableStream(
      () =>
        (async function* () {
          for (let i = 0; ; i++) yield batch(1, i) as OutlierBatch;
        })(),
      { onClose: (why) => (cancelled = why === 'cancel') },
    );
    const before = tf.memory().numTensors;
    for await (const _ of oeBatches(
      [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      stream,
    ))
      break;
    expect(cancelled).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
