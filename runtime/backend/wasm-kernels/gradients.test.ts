import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../tf.js';
import { initBackend } from '../select.js';

/**
 * The kernels goe adds to or replaces in wasm, checked against the pure-JS cpu backend (TF.js's
 * reference implementation): same inputs, gradients within 1e-4 relative to the largest magnitude.
 */

function values(n: number, seed: number): Float32Array {
  // A small LCG is enough for test inputs; what matters is that both backends see the same numbers.
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

type GradFn = (...xs: tf.Tensor[]) => tf.Tensor;

/** Gradients of sum(f(inputs) · r) w.r.t. every input, on one backend, as plain arrays. */
async function gradsOn(
  backend: 'cpu' | 'wasm',
  f: GradFn,
  shapes: number[][],
  seed = 1,
): Promise<Float32Array[]> {
  await initBackend(backend);
  return tf.tidy(() => {
    const xs = shapes.map((s, i) =>
      tf.tensor(
        values(
          s.reduce((a, b) => a * b, 1),
          seed + i,
        ),
        s,
      ),
    );
    const weighted = (...args: tf.Tensor[]) => {
      const y = f(...args);
      const r = tf.tensor(values(y.size, seed + 99), y.shape);
      return tf.sum(tf.mul(y, r));
    };
    return tf
      .grads(weighted)(xs)
      .map((g) => g.dataSync() as Float32Array);
  });
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(scale).toBeGreaterThan(0);
  expect(worst / scale).toBeLessThan(1e-4);
}

async function compare(f: GradFn, shapes: number[][]): Promise<void> {
  const expected = await gradsOn('cpu', f, shapes);
  const actual = await gradsOn('wasm', f, shapes);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i]);
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm gradient kernels match the cpu backend', () => {
  const convCases: [number, 'same' | 'valid', number, number][] = [];
  for (const stride of [1, 2])
    for (const pad of ['same', 'valid'] as const)
      for (const ci of [1, 3]) for (const size of [8, 9]) convCases.push([stride, pad, ci, size]);

  it.each(convCases)(
    'conv2d stride %i, %s padding, %i input channels, %i×%i input',
    async (stride, pad, ci, size) => {
      await compare(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
        [
          [3, size, size, ci],
          [3, 3, ci, 4],
        ],
      );
    },
  );

  it('conv2d with a 5×4 filter and stride [2, 3]', async () => {
    await compare(
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 3], 'same'),
      [
        [2, 11, 10, 2],
        [5, 4, 2, 3],
      ],
    );
  });

  it('conv2dTranspose (the generator up-sampling path) stride 2', async () => {
    await compare(
      (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 7, 7, 4], 2, 'same'),
      [
        [2, 4, 4, 6],
        [4, 4, 4, 6],
      ],
    );
  });

  it.each([1, 2])('depthwiseConv2d stride %i, channel multiplier 2', async (stride) => {
    await compare(
      (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 'same'),
      [
        [2, 7, 7, 3],
        [3, 3, 3, 2],
      ],
    );
  });

  it.each([
    [2, 2, 'valid'],
    [3, 2, 'same'],
    [3, 1, 'valid'],
  ] as const)('maxPool %i×%i stride %i %s', async (size, stride, pad) => {
    await compare((x) => tf.maxPool(x as tf.Tensor4D, size, stride, pad), [[2, 9, 9, 3]]);
  });

  it('maxPool routes tied maxima to the first one, as the cpu backend does', async () => {
    const f = (x: tf.Tensor) => tf.maxPool(tf.relu(x) as tf.Tensor4D, 2, 2, 'valid');
    const tied = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d([1, 1, 1, 1, 2, 0, 2, 2], [1, 2, 4, 1]);
        return tf.grad(f)(x).dataSync() as Float32Array;
      });
    };
    const expected = await tied('cpu');
    expect(Array.from(await tied('wasm'))).toEqual(Array.from(expected));
    // Window 2 holds 1, 1, 2, 2: the gradient goes to the first 2 (index 6), not the second.
    expect(Array.from(expected)).toEqual([0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('gather (embedding) → UnsortedSegmentSum with repeated ids', async () => {
    const ids = [0, 3, 3, 1, 0, 4];
    await compare((table) => tf.gather(table, tf.tensor1d(ids, 'int32')), [[5, 6]]);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matMul transposeA=%s transposeB=%s, batched', async (ta, tb) => {
    const a = ta ? [2, 5, 4] : [2, 4, 5];
    const b = tb ? [2, 3, 5] : [2, 5, 3];
    await compare((x, y) => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, ta, tb), [a, b]);
  });
});
