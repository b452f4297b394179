import { initBackend } from '../../runtime/backend/index.js';
import { loadParams, type ShardTask, storeGrads } from '../../runtime/pool/index.js';
import * as tf from '../../runtime/tf.js';
import type { CganConfig } from './config.js';
import { discriminatorLoss, generatorLoss } from './losses.js';
import { discriminate, initDiscriminator, trainable } from './model.js';

/**
 * The data-parallel cGAN step's worker tasks (runtime/pool task module). A worker holds a replica of the
 * discriminator only: the generator (and its batch norm, whose statistics must be the whole batch's) stays
 * with the caller, which sends the generated rows (generators/cgan/parallel.ts).
 */

/** One shard of one round of a step. */
export interface CganShard extends ShardTask {
  config: CganConfig;
  /** Rows per step (all shards). */
  batch: number;
  /** This shard's rows: [from, to). */
  from: number;
  to: number;
  /** The step's rows, float32: real [B,H,W,C] (in [−1, 1]), fake [B,H,W,C], one-hot yReal [B,K], yFake [B,K]. */
  rows: SharedArrayBuffer;
  /** The discriminator's trainable weights (runtime/pool `SharedParams` layout) and gradient slots. */
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** ∂L_G/∂fake, float32 [B,H,W,C]: `fakeGrads` writes its rows. */
  dFake: SharedArrayBuffer;
}

let replica: { run: string; vars: tf.Variable[]; d: Record<string, tf.Variable> } | undefined;

function discriminator(task: CganShard): { d: Record<string, tf.Variable>; vars: tf.Variable[] } {
  if (replica?.run !== task.run) {
    if (replica) tf.dispose(Object.values(replica.d));
    // Any seed: the weights are overwritten from shared memory at every task.
    const d = initDiscriminator(task.config, 0);
    replica = { run: task.run, d, vars: trainable(d) };
  }
  loadParams(replica.vars, task.weights);
  return replica;
}

/** Views of this shard's rows of the step (tensors the caller disposes). */
function shardRows(task: CganShard): {
  real: tf.Tensor4D;
  fake: tf.Tensor4D;
  yReal: tf.Tensor2D;
  yFake: tf.Tensor2D;
} {
  const c = task.config;
  const { batch: B, from } = task;
  const m = task.to - from;
  const px = c.height * c.width * c.channels;
  const K = c.numClasses;
  const f = new Float32Array(task.rows);
  const image = (at: number) =>
    tf.tensor4d(f.subarray(at + from * px, at + (from + m) * px), [m, c.height, c.width, c.channels]);
  const label = (at: number) => tf.tensor2d(f.subarray(at + from * K, at + (from + m) * K), [m, K]);
  return { real: image(0), fake: image(B * px), yReal: label(2 * B * px), yFake: label(2 * B * px + B * K) };
}

/** Round 1: the discriminator loss of this shard, its gradients written into slot `slot`. */
export async function discriminatorGrads(task: CganShard): Promise<number> {
  await initBackend();
  const { d, vars } = discriminator(task);
  const r = shardRows(task);
  const { value, grads } = tf.variableGrads(
    () =>
      discriminatorLoss(
        task.config,
        discriminate(d, task.config, r.real, r.yReal),
        discriminate(d, task.config, r.fake, r.yFake),
      ),
    vars,
  );
  storeGrads(vars, grads, task.grads, task.slot);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads), r.real, r.fake, r.yReal, r.yFake]);
  return loss;
}

/**
 * Round 2 (after the discriminator's update): the gradient of the whole batch's generator loss with
 * respect to this shard's fake rows, written into `dFake`; returns this shard's share of that loss
 * (shard mean × rows / B, so the shares sum to the batch mean).
 */
export async function fakeGrads(task: CganShard): Promise<number> {
  await initBackend();
  const { d } = discriminator(task);
  const r = shardRows(task);
  const share = (task.to - task.from) / task.batch;
  const { value, grad } = tf.valueAndGrad(
    (fake: tf.Tensor4D) =>
      tf.mul(generatorLoss(task.config, discriminate(d, task.config, fake, r.yFake)), share) as tf.Scalar,
  )(r.fake);
  const c = task.config;
  const px = c.height * c.width * c.channels;
  new Float32Array(task.dFake, task.from * px * 4, (task.to - task.from) * px).set(
    grad.dataSync() as Float32Array,
  );
  const loss = value.dataSync()[0];
  tf.dispose([value, grad, r.real, r.fake, r.yReal, r.yFake]);
  return loss;
}
