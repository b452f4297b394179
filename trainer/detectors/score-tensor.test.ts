import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { normalRows } from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import { EnergyBased } from './energy-based.js';
import { DetectorArgumentError } from './errors.js';
import { MaxLogit } from './max-logit.js';
import { MaxSoftmax } from './max-softmax.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const numClasses = 10;
// 64 rows of N(0, 9) logits, then rows at the ±1000 extremes.
const logits = Float32Array.from([
  ...normalRows(7, 0, 64, numClasses, 9),
  ...[1000, -1000, 0, 0, 0, 0, 0, 0, 0, 0],
  ...Array(numClasses).fill(1000),
  ...Array(numClasses).fill(-1000),
]);
const n = logits.length / numClasses;

function expectSame(tensorScores: Float32Array, staticScores: Float32Array): void {
  expect(tensorScores.length).toBe(staticScores.length);
  for (let i = 0; i < staticScores.length; i++) {
    const tol = 2e-6 * Math.max(1, Math.abs(staticScores[i]));
    expect(Math.abs(tensorScores[i] - staticScores[i]), `row ${i}`).toBeLessThanOrEqual(tol);
  }
}

describe('scoreTensor equals the static score (float32 tolerance)', () => {
  const cases = [
    ['MaxSoftmax', (x: tf.Tensor2D) => MaxSoftmax.scoreTensor(x), MaxSoftmax.score(logits, numClasses)],
    ['EnergyBased', (x: tf.Tensor2D) => EnergyBased.scoreTensor(x), EnergyBased.score(logits, numClasses)],
    [
      'EnergyBased, T = 3',
      (x: tf.Tensor2D) => new EnergyBased(3).scoreTensor(x),
      EnergyBased.score(logits, numClasses, 3),
    ],
    ['MaxLogit', (x: tf.Tensor2D) => new MaxLogit().scoreTensor(x), MaxLogit.score(logits, numClasses)],
  ] as const;

  for (const [name, scoreTensor, expected] of cases) {
    it(`${name}, leaking no tensors`, () => {
      const x = tf.tensor2d(logits, [n, numClasses]);
      const before = tf.memory().numTensors;
      const y = scoreTensor(x);
      expect(y.shape).toEqual([n]);
      expectSame(y.dataSync() as Float32Array, expected);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  }

  it('rejects a tensor that is not [n, numClasses]', () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(() => MaxSoftmax.scoreTensor(x as unknown as tf.Tensor2D)).toThrow(DetectorArgumentError);
    x.dispose();
  });
});
