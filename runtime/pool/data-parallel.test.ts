import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import * as tf from '../tf.js';
import { loadParams, ShardPool, SharedParams, shardOf, storeGrads } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('SharedParams', () => {
  it('publishes weights that loadParams reads back into another replica, in variable order', () => {
    const a = [
      tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ),
      tf.variable(tf.tensor1d([5, 6, 7])),
    ];
    const b = [tf.variable(tf.zeros([2, 2])), tf.variable(tf.zeros([3]))];
    const params = new SharedParams(a, 2);
    params.publish();
    loadParams(b, params.weights);
    expect(b.map((v) => Array.from(v.dataSync()))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
    ]);
    tf.dispose([...a, ...b]);
  });

  it('averages the gradient slots per variable, named as the optimizer expects', () => {
    const vars = [tf.variable(tf.zeros([2])), tf.variable(tf.zeros([1]))];
    const params = new SharedParams(vars, 2);
    // Each "worker" writes its gradients keyed by its own variables' names, in the same order.
    const grads = (x: number[], y: number[]) => ({
      [vars[0].name]: tf.tensor1d(x),
      [vars[1].name]: tf.tensor1d(y),
    });
    const g0 = grads([1, 2], [10]);
    const g1 = grads([3, 6], [-4]);
    storeGrads(vars, g0, params.grads, 0);
    storeGrads(vars, g1, params.grads, 1);
    const mean = params.mean();
    expect(mean.map((m) => m.name)).toEqual(vars.map((v) => v.name));
    expect(mean.map((m) => Array.from(m.tensor.dataSync()))).toEqual([[2, 4], [3]]);
    tf.dispose([...vars, ...Object.values(g0), ...Object.values(g1), ...mean.map((m) => m.tensor)]);
  });
});

describe('shardOf and ShardPool', () => {
  it('cuts rows into equal consecutive shards', () => {
    const a = Int32Array.from([0, 1, 2, 3, 4, 5]);
    expect([0, 1, 2].map((k) => Array.from(shardOf(a, k, 3)))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('needs at least one worker', async () => {
    await expect(
      ShardPool.open({
        module: new URL('./test-tasks.ts', import.meta.url),
        load: () => import('./test-tasks.js'),
        workers: 0,
      }),
    ).rejects.toThrow('a shard pool needs at least one worker, not 0');
  });
});
