import { Purpose, sampleStream } from '../runtime/rng/index.js';
import * as tf from '../runtime/tf.js';
import { type Examples, examplesOf } from './datasets/examples.js';
import type { ImageSet } from './datasets/image-set.js';
import { subset } from './datasets/row-set.js';
import type { TextSet } from './datasets/text/text-set.js';
import { EnergyBoundedLoss, type EnergyMargins, OutlierExposureLoss } from './losses/index.js';
import {
  type OnnxGradients,
  openOnnxGradients,
  type TrainingRuntime,
  trainingRuntime,
} from './onnx/gradients.js';
import { DataParallel, type ParallelOptions } from './parallel/data-parallel.js';

/** `oe` = Outlier Exposure loss, `energy` = energy-bounded loss, `ce` = plain cross-entropy (baseline, control). */
export type LossName = 'ce' | 'oe' | 'energy';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Outliers per step (0 = none); drawn from `outliers`, cycled with a seeded shuffle. */
  outlierBatch: number;
  outliers?: ImageSet | TextSet | Examples;
  /**
   * Indices into `outliers` of each step's outlier batch (length `outlierBatch`); default a seeded cycle
   * through the whole pool. A mixture sets it to draw fixed quotas per source (`trainer/outlier-mix.ts`).
   */
  outlierOrder?: () => Int32Array;
  loss: LossName;
  oeLambda?: number;
  energyMargins?: EnergyMargins;
  /** SGD with Nesterov-free momentum (images) or Adam (the GRU); the learning rate follows a cosine from `lr` to 0. */
  lr: number;
  momentum: number;
  optimizer?: 'sgd' | 'adam';
  weightDecay?: number;
  seed: number;
  /**
   * Data-parallel over compute workers (`--workers N`, N > 1): each step's batch and outlier batch are cut
   * into N equal shards whose gradients are averaged through shared memory; the same update as one worker
   * up to float reassociation. `batchSize` and `outlierBatch` must divide by N.
   */
  parallel?: ParallelOptions;
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
}

export interface FitProgress {
  step: number;
  steps: number;
  epoch: number;
  loss: number;
  samplesPerSec: number;
}

export interface FitResult {
  steps: number;
  seconds: number;
  finalLoss: number;
  /** Where the steps ran ({@link trainingRuntime}); manifests record it as `training.runtime`. */
  runtime: TrainingRuntime;
}

/** A seeded permutation of 0..n−1 (Fisher–Yates on the counter-based RNG), one per (seed, epoch). */
export function permutation(
  n: number,
  seed: number,
  epoch: number,
  purpose: number = Purpose.TRAIN_INDEX,
): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const rng = sampleStream(seed, epoch, purpose);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.uniformInt(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Trains `model` on `data` (labelled), optionally exposing it to outliers each step (Outlier Exposure,
 * Hendrycks et al. 2019; energy-bounded, Liu et al. 2020). The in-distribution order, the outlier order
 * and so the whole run depend only on `seed`.
 */
export async function fitClassifier(
  model: tf.LayersModel,
  set: ImageSet | TextSet | Examples,
  o: FitOptions,
): Promise<FitResult> {
  const data = examplesOf(set);
  const outliers = o.outliers ? examplesOf(o.outliers) : undefined;
  if (!data.labels) throw new Error(`${data.name} has no labels: a classifier needs labelled data`);
  const n = data.size;
  const perEpoch = Math.floor(n / o.batchSize);
  if (perEpoch < 1) throw new Error(`batch size ${o.batchSize} is larger than the ${n} training images`);
  const steps = perEpoch * o.epochs;
  const useOutliers = o.loss !== 'ce' && o.outlierBatch > 0;
  if (useOutliers && (!outliers || outliers.size === 0)) throw new Error(`loss ${o.loss} needs outliers`);
  if (o.loss === 'energy' && !o.energyMargins)
    throw new Error('the energy loss needs margins (m_in, m_out, λ)');
  const lossFn =
    o.loss === 'energy'
      ? new EnergyBoundedLoss(o.energyMargins!)
      : new OutlierExposureLoss(o.loss === 'oe' ? (o.oeLambda ?? 0.5) : 0);
  const optimizer = o.optimizer === 'adam' ? tf.train.adam(o.lr) : tf.train.momentum(o.lr, o.momentum);
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const decayed = model.trainableWeights.filter((w) => w.shape.length > 1).map((w) => w.read());
  const workers = o.parallel?.workers ?? 1;
  for (const [what, n] of [
    ['batch size', o.batchSize],
    ['outlier batch', useOutliers ? o.outlierBatch : 0],
  ] as const) {
    if (n % workers !== 0) throw new Error(`--workers ${workers} must divide the ${what} (${n})`);
  }
  // Batch norm would see each worker's shard statistics (not the batch's), and its moving statistics would
  // be updated in the workers' replicas, never in this model: refuse rather than train something else.
  if (workers > 1 && model.layers.some((l) => l.getClassName() === 'BatchNormalization')) {
    throw new Error(
      `--workers ${workers}: ${o.parallel!.model.arch} has batch norm, which data-parallel training does not synchronise; use --workers 1`,
    );
  }
  const parallel =
    workers > 1
      ? await DataParallel.open(o.parallel!, weights, set, useOutliers ? o.outliers : undefined, {
          name: o.loss,
          oeLambda: o.oeLambda,
          margins: o.energyMargins,
          weightDecay: o.weightDecay,
        })
      : undefined;
  const runtime = trainingRuntime(model, workers);
  const onnx = runtime === 'onnx' ? await openOnnxGradients(model, model.name) : undefined;
  const outN = outliers?.size ?? 0;
  let outPerm = useOutliers ? permutation(outN, o.seed, 0, Purpose.TRAIN_CLASS) : new Int32Array(0);
  let outPos = 0;
  let outEpoch = 0;
  const t0 = performance.now();
  let last = Number.NaN;
  let step = 0;
  try {
    for (let epoch = 0; epoch < o.epochs && !o.signal?.aborted; epoch++) {
      const perm = permutation(n, o.seed, epoch);
      for (let b = 0; b < perEpoch && !o.signal?.aborted; b++, step++) {
        // Cosine decay to 0 (Loshchilov & Hutter 2017), as the OE reference schedule.
        setLearningRate(optimizer, 0.5 * o.lr * (1 + Math.cos((Math.PI * step) / steps)));
        const idx = perm.subarray(b * o.batchSize, (b + 1) * o.batchSize);
        let oi: Int32Array | undefined;
        if (useOutliers && o.outlierOrder) {
          oi = o.outlierOrder();
          if (oi.length !== o.outlierBatch)
            throw new Error(
              `outlierOrder gave ${oi.length} indices for an outlier batch of ${o.outlierBatch}`,
            );
        } else if (useOutliers) {
          oi = new Int32Array(o.outlierBatch);
          for (let k = 0; k < oi.length; k++) {
            if (outPos === outN) {
              outEpoch++;
              outPerm = permutation(outN, o.seed, outEpoch, Purpose.TRAIN_CLASS);
              outPos = 0;
            }
            oi[k] = outPerm[outPos++];
          }
        }
        if (parallel) {
          const { loss, grads } = await parallel.gradients(idx, oi);
          optimizer.applyGradients(grads);
          tf.dispose(grads.map((g) => g.tensor));
          last = loss;
        } else if (onnx) {
          last = await onnxStep(onnx, idx, oi);
        } else {
          last = localStep(idx, oi);
        }
        if (!Number.isFinite(last))
          throw new Error(`training diverged at step ${step} (loss ${last}); lower the learning rate`);
        o.onProgress?.({
          step: step + 1,
          steps,
          epoch,
          loss: last,
          samplesPerSec:
            ((step + 1) * (o.batchSize + (useOutliers ? o.outlierBatch : 0))) /
            ((performance.now() - t0) / 1000),
        });
        // Yield to the event loop each step: progress bars redraw and Ctrl-C is heard.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    optimizer.dispose();
    await parallel?.close();
    await onnx?.dispose();
  }
  return { steps: step, seconds: (performance.now() - t0) / 1000, finalLoss: last, runtime };

  /** The loss of the step's logits: in-distribution rows first, then the outliers'. */
  function lossOf(logits: tf.Tensor2D, y: tf.Tensor1D, inRows: number, withOutliers: boolean): tf.Scalar {
    const inLogits = withOutliers ? logits.slice([0, 0], [inRows, -1]) : logits;
    const outLogits = withOutliers ? logits.slice([inRows, 0], [-1, -1]) : undefined;
    return lossFn.loss(inLogits, y, outLogits);
  }

  /** {@link localStep} with the model's forward and backward pass on ONNX Runtime; the update stays TF.js's. */
  async function onnxStep(
    engine: OnnxGradients,
    idx: Int32Array,
    oi: Int32Array | undefined,
  ): Promise<number> {
    const x = data.batch(idx);
    const labels = Int32Array.from(idx, (i) => data.labels![i]);
    const y = tf.tensor1d(labels, 'int32');
    const xo = oi ? outliers!.batch(oi) : undefined;
    const input = xo ? tf.concat([x, xo], 0) : x;
    try {
      // Plain cross-entropy (baselines, the control row) runs as one graph; any other loss on TF.js between two.
      const { loss, grads } =
        o.loss === 'ce' && !xo
          ? await engine.crossEntropyGradients(input, labels)
          : await engine.gradients(input, (logits) => lossOf(logits, y, idx.length, !!xo));
      let value = loss;
      if (o.weightDecay) {
        // ∂/∂w of ½·wd·Σw², as localStep's loss adds it.
        const wd = o.weightDecay;
        for (const w of decayed as tf.Variable[]) {
          const g = grads.find((n) => n.name === w.name)!;
          const plain = g.tensor;
          g.tensor = tf.tidy(() => tf.add(plain, tf.mul(wd, w)));
          plain.dispose();
        }
        // One read for the decay term's value, as localStep's single loss read.
        value += 0.5 * wd * tf.tidy(() => tf.addN(decayed.map((w) => tf.sum(tf.square(w)))).dataSync()[0]);
      }
      optimizer.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
      return value;
    } finally {
      tf.dispose([x, y, xo, input] as tf.Tensor[]);
    }
  }

  /** One step on this thread: the loss at `idx` (+ outliers `oi`) minimised, its value returned. */
  function localStep(idx: Int32Array, oi: Int32Array | undefined): number {
    const x = data.batch(idx);
    const y = tf.tensor1d(
      Int32Array.from(idx, (i) => data.labels![i]),
      'int32',
    );
    const xo = oi ? outliers!.batch(oi) : undefined;
    const cost = optimizer.minimize(
      () => {
        const input = xo ? tf.concat([x, xo], 0) : x;
        let loss = lossOf(model.apply(input, { training: true }) as tf.Tensor2D, y, idx.length, !!xo);
        if (o.weightDecay) {
          loss = tf.add(
            loss,
            tf.mul(0.5 * o.weightDecay, tf.addN(decayed.map((w) => tf.sum(tf.square(w))))),
          ) as tf.Scalar;
        }
        return loss;
      },
      true,
      weights,
    );
    const value = cost?.dataSync()[0] ?? Number.NaN;
    tf.dispose([cost, x, y, xo] as tf.Tensor[]);
    return value;
  }
}

/** `FitOptions.parallel` for `workers` (absent for 0 or 1: the single-thread path) and a model spec. */
export function parallelOf(
  workers: number | undefined,
  model: ParallelOptions['model'],
): { parallel?: ParallelOptions } {
  return workers && workers > 1 ? { parallel: { workers, model } } : {};
}

/** SGD/momentum cache −lr in a tensor behind a setter; Adam reads its `learningRate` field at each update. */
function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** `set`, or a seeded subset of `limit` of its rows (smoke tests, ablations). */
export function limitSet<T extends ImageSet | TextSet>(set: T, limit: number | undefined, seed: number): T {
  if (!limit || limit >= set.shape[0]) return set;
  const idx = permutation(set.shape[0], seed, 0).subarray(0, limit);
  return subset(set, idx);
}
