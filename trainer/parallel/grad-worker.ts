import { initBackend } from '../../runtime/backend/index.js';
import { loadParams, type ShardTask, storeGrads } from '../../runtime/pool/index.js';
import * as tf from '../../runtime/tf.js';
import type { Examples } from '../datasets/examples.js';
import { examplesOf } from '../datasets/examples.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { EnergyBoundedLoss, type EnergyMargins, OutlierExposureLoss } from '../losses/index.js';
import { type Architecture, buildClassifier } from '../models/index.js';

/**
 * The data-parallel training worker's task (runtime/pool task module). Stateless across runs but for a
 * cache: the model replica and the data views of the current run live in module scope. The weights are
 * read from shared memory at every step, so any worker may take any shard of any step.
 */

/** A data set shared with the workers: its rows in a SharedArrayBuffer (viewed, never copied). */
export interface SharedSet {
  kind: 'image' | 'text';
  /** uint8 pixels (image) or int32 token ids (text), row-major. */
  rows: SharedArrayBuffer;
  shape: number[];
  labels?: SharedArrayBuffer;
}

/** One shard of one step. */
export interface GradTask extends ShardTask {
  model: { arch: Architecture; inputShape: number[]; classes: number; vocabSize?: number };
  data: SharedSet;
  outliers?: SharedSet;
  loss: { name: 'ce' | 'oe' | 'energy'; oeLambda?: number; margins?: EnergyMargins; weightDecay?: number };
  /** Every trainable weight, flattened in `model.trainableWeights` order (read at the start of the step). */
  weights: SharedArrayBuffer;
  /** Gradient slots: slot `slot` receives this shard's gradients, flattened like `weights`. */
  grads: SharedArrayBuffer;
  idx: Int32Array;
  outIdx?: Int32Array;
}

let replica: { run: string; model: tf.LayersModel; data: Examples; outliers?: Examples } | undefined;

function view(s: SharedSet): ImageSet | TextSet {
  const labels = s.labels ? new Int32Array(s.labels) : undefined;
  return s.kind === 'image'
    ? { name: 'shared', images: new Uint8Array(s.rows), shape: s.shape as ImageSet['shape'], labels }
    : ({ name: 'shared', tokens: new Int32Array(s.rows), shape: s.shape, labels } as unknown as TextSet);
}

/**
 * The mean loss of this shard and its gradients (written into `grads` slot `slot`), with the weights
 * in `weights`. Equal shards' means average to the whole batch's mean, so the averaged gradients are
 * the single-worker ones up to float reassociation.
 */
export async function grad(task: GradTask): Promise<number> {
  await initBackend();
  if (replica?.run !== task.run) {
    replica?.model.dispose();
    const m = task.model;
    replica = {
      run: task.run,
      model: buildClassifier(m.arch, m.inputShape, m.classes, { vocabSize: m.vocabSize }),
      data: examplesOf(view(task.data)),
      outliers: task.outliers ? examplesOf(view(task.outliers)) : undefined,
    };
  }
  const { model, data, outliers } = replica;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  loadParams(vars, task.weights);
  const l = task.loss;
  const lossFn =
    l.name === 'energy'
      ? new EnergyBoundedLoss(l.margins!)
      : new OutlierExposureLoss(l.name === 'oe' ? (l.oeLambda ?? 0.5) : 0);
  const decayed = model.trainableWeights.filter((w) => w.shape.length > 1).map((w) => w.read());
  const x = data.batch(task.idx);
  const y = tf.tensor1d(
    Int32Array.from(task.idx, (i) => data.labels![i]),
    'int32',
  );
  const xo = task.outIdx && outliers ? outliers.batch(task.outIdx) : undefined;
  const n = task.idx.length;
  const { value, grads } = tf.variableGrads(() => {
    const input = xo ? tf.concat([x, xo], 0) : x;
    const logits = model.apply(input, { training: true }) as tf.Tensor2D;
    const inLogits = xo ? logits.slice([0, 0], [n, -1]) : logits;
    const outLogits = xo ? logits.slice([n, 0], [-1, -1]) : undefined;
    let loss = lossFn.loss(inLogits, y, outLogits);
    if (l.weightDecay) {
      loss = tf.add(
        loss,
        tf.mul(0.5 * l.weightDecay, tf.addN(decayed.map((w) => tf.sum(tf.square(w))))),
      ) as tf.Scalar;
    }
    return loss;
  }, vars);
  storeGrads(vars, grads, task.grads, task.slot);
  const loss = value.dataSync()[0];
  tf.dispose([value, x, y, xo, ...Object.values(grads)] as tf.Tensor[]);
  return loss;
}
