import { initBackend } from '../../runtime/backend/index.js';
import { loadParams, type ShardTask, storeGrads } from '../../runtime/pool/index.js';
import * as tf from '../../runtime/tf.js';
import type { LmConfig } from './config.js';
import { lmDropout } from './dropout.js';
import { initLm, type LmVars, lmLoss } from './model.js';

/**
 * The data-parallel LM step's worker task (runtime/pool task module): a replica of the language model whose
 * weights are read from shared memory at every task, the gradients of one shard of the step's batch written
 * into the worker's slot (generators/lm/parallel.ts averages them).
 */

/** One shard of one training step. */
export interface LmShard extends ShardTask {
  config: LmConfig;
  seed: number;
  step: number;
  /** This shard's rows, [rows, L] int32 row-major: inputs (class token first) and next-token targets. */
  ids: Int32Array;
  targets: Int32Array;
  /** The model's weights (runtime/pool `SharedParams` layout) and the gradient slots. */
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

let replica: { run: string; v: LmVars; vars: tf.Variable[] } | undefined;

/** The mean next-token cross-entropy of this shard; its gradients go to slot `task.slot`. */
export async function lmGrads(task: LmShard): Promise<number> {
  await initBackend();
  const c = task.config;
  if (replica?.run !== task.run) {
    if (replica) tf.dispose(replica.vars);
    // Any seed: the weights are overwritten from shared memory at every task.
    const v = initLm(c, 0);
    replica = { run: task.run, v, vars: Object.values(v) };
  }
  const { v, vars } = replica;
  loadParams(vars, task.weights);
  const rows = task.ids.length / c.length;
  const x = tf.tensor2d(task.ids, [rows, c.length], 'int32');
  const y = tf.tensor2d(task.targets, [rows, c.length], 'int32');
  const { value, grads } = tf.variableGrads(
    () => lmLoss(v, c, x, y, lmDropout(c, task.seed, task.step, task.slot)),
    vars,
  );
  storeGrads(vars, grads, task.grads, task.slot);
  const loss = value.dataSync()[0];
  tf.dispose([value, x, y, ...Object.values(grads)]);
  return loss;
}
