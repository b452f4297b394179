import * as tf from '../runtime/tf.js';
import { accuracyOf, type Classifier, logitsOf, newManifest } from './classifier.js';
import { loadFashionMnist } from './datasets/index.js';
import { type FitProgress, fitClassifier, limitSet } from './fit.js';
import { EnergyBoundedLoss } from './losses/index.js';
import { type Architecture, buildClassifier } from './models/index.js';

export interface BaselineOptions {
  arch: Architecture;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Train on this many Fashion-MNIST training images (a seeded subset); default all 60,000. */
  limit?: number;
  id?: string;
  command: string;
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
}

/** Energies −logsumexp f(x) of every image: the scale the energy-bounded loss's margins are set on. */
export function energiesOf(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length / classes);
  for (let i = 0; i < out.length; i++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[i * classes + c]);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(logits[i * classes + c] - m);
    out[i] = -(m + Math.log(s));
  }
  return out;
}

/**
 * Trains the in-distribution classifier on Fashion-MNIST with plain cross-entropy (SGD, momentum 0.9,
 * cosine decay) and records its test accuracy and the energy margins later fine-tuning uses.
 */
export async function trainBaseline(o: BaselineOptions): Promise<Classifier> {
  const full = loadFashionMnist('train');
  const train = limitSet(full, o.limit, o.seed);
  const test = loadFashionMnist('test');
  tf.util.assert(!!train.classNames, () => 'Fashion-MNIST lost its class names');
  const model = buildClassifier(o.arch, [28, 28, 1], train.classNames!.length);
  const run = await fitClassifier(model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    outlierBatch: 0,
    loss: 'ce',
    lr: o.lr,
    momentum: 0.9,
    seed: o.seed,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const classes = train.classNames!.length;
  const accuracy = accuracyOf(logitsOf(model, test.images, test.shape), test.labels!);
  const margins = EnergyBoundedLoss.marginsFrom(
    energiesOf(logitsOf(model, train.images, train.shape), classes),
  );
  const manifest = newManifest(
    o.id ?? 'fashion-mnist-classifier-baseline',
    o.arch,
    train.classNames!,
    {
      kind: 'baseline',
      loss: 'ce',
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      momentum: 0.9,
      schedule: 'cosine',
      trainImages: train.shape[0],
    },
    {
      data: `Fashion-MNIST train (${train.shape[0]} images)`,
      command: o.command,
      steps: run.steps,
      seed: o.seed,
      trainSeconds: Math.round(run.seconds),
    },
  );
  manifest.energyMargins = margins;
  manifest.metrics = { testAccuracy: accuracy, finalLoss: run.finalLoss };
  return { model, manifest };
}
