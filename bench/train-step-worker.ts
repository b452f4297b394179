import { initBackend } from '../runtime/backend/index.js';
import { loadParams, type ShardTask, storeGrads } from '../runtime/pool/index.js';
import * as tf from '../runtime/tf.js';
import { type BenchArch, benchCnn } from './reference-cnn.js';

/** One shard of a data-parallel reference-CNN step (`goe bench train-step --workers`). */
export interface StepShard extends ShardTask {
  /** The whole batch: float32 NHWC inputs [batch, 28, 28, 1] and one-hot float32 targets [batch, 10]. */
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  batch: number;
  /** Rows [from, to) of the batch are this shard's. */
  from: number;
  to: number;
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** The timed backbone (default small-cnn). */
  arch?: BenchArch;
}

// The replica of this run, and the shards of the (constant) benchmark batch this worker has been given:
// piscina hands any shard to any worker, so each worker keeps every shard it has seen (a few hundred KB).
let replica:
  | { run: string; model: tf.LayersModel; shards: Map<number, { x: tf.Tensor; y: tf.Tensor }> }
  | undefined;

/**
 * The gradients of the mean softmax cross-entropy over rows [from, to) into slot `slot` (the same loss as
 * bench/train-step.ts's in-thread step); returns that shard's loss and the task's time in this worker (ms).
 */
export async function step(task: StepShard): Promise<{ loss: number; ms: number }> {
  await initBackend('wasm');
  const t0 = performance.now();
  if (replica?.run !== task.run) {
    if (replica) {
      replica.model.dispose();
      for (const s of replica.shards.values()) tf.dispose([s.x, s.y]);
    }
    replica = { run: task.run, model: benchCnn(task.arch), shards: new Map() };
  }
  const rows = task.to - task.from;
  let shard = replica.shards.get(task.from);
  if (!shard) {
    shard = {
      x: tf.tensor4d(new Float32Array(task.x, task.from * 784 * 4, rows * 784), [rows, 28, 28, 1]),
      y: tf.tensor2d(new Float32Array(task.y, task.from * 10 * 4, rows * 10), [rows, 10]),
    };
    replica.shards.set(task.from, shard);
  }
  const { model } = replica;
  const { x, y } = shard;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  loadParams(vars, task.weights);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    vars,
  );
  storeGrads(vars, grads, task.grads, task.slot);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, ms: performance.now() - t0 };
}
