import type * as tf from '../runtime/tf.js';
import { accuracyOf, type Classifier, logitsOf, newManifest } from './classifier.js';
import type { ImageSource } from './datasets/sources/image-source.js';
import { EnergyBased } from './detectors/index.js';
import { type FitProgress, fitClassifier, limitSet, parallelOf } from './fit.js';
import {
  type InDistribution,
  type InDistributionName,
  imageSourceTask,
  loadInDistribution,
} from './in-distribution.js';
import { EnergyBoundedLoss } from './losses/index.js';
import { type Architecture, buildClassifier } from './models/index.js';

export interface BaselineOptions {
  /** In-distribution data; default Fashion-MNIST. Ignored when `source` is given. */
  data?: InDistributionName;
  /** A team's own labelled images (loaded by the caller, which shows the decoding progress). */
  source?: ImageSource;
  /** A task built by the caller (a team's labelled texts); wins over `data` and `source`. */
  task?: InDistribution;
  /** The `--size`/`--channels` the source was loaded with, for the manifest. */
  sourceOptions?: { size?: number; channels?: 1 | 3 };
  /** Backbone; default the data's (small-cnn for images, gru for text). */
  arch?: Architecture;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Tokens per text window (default 64). */
  length?: number;
  /** Default: SGD with momentum 0.9 for images, Adam for text. */
  optimizer?: 'sgd' | 'adam';
  seed: number;
  /** Train on a seeded subset of this many training rows (smoke tests); default all. */
  limit?: number;
  /** Data-parallel compute workers (> 1: each step's batch is split over them; see `FitOptions.parallel`). */
  workers?: number;
  id?: string;
  command: string;
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
}

/**
 * Trains the in-distribution classifier with plain cross-entropy (cosine decay; SGD + momentum for
 * images, Adam for the GRU) and records its test accuracy and the energy margins fine-tuning uses.
 */
export async function trainBaseline(o: BaselineOptions): Promise<Classifier> {
  const task = o.task
    ? o.task
    : o.source
      ? imageSourceTask(o.source, o.sourceOptions)
      : loadInDistribution(o.data ?? 'fashion-mnist', { length: o.length });
  const train = limitSet(task.train, o.limit, o.seed);
  const arch = o.arch ?? task.arch;
  const classes = task.classNames.length;
  const model: tf.LayersModel = buildClassifier(arch, task.input.inputShape, classes, {
    vocabSize: task.vocab?.size,
    seed: o.seed,
  });
  const optimizer = o.optimizer ?? (task.vocab ? 'adam' : 'sgd');
  const run = await fitClassifier(model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    outlierBatch: 0,
    loss: 'ce',
    lr: o.lr,
    momentum: 0.9,
    optimizer,
    seed: o.seed,
    ...parallelOf(o.workers, {
      arch,
      inputShape: [...task.input.inputShape],
      classes,
      vocabSize: task.vocab?.size,
    }),
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const accuracy = accuracyOf(logitsOf(model, task.test), task.test.labels!);
  const margins = EnergyBoundedLoss.marginsFrom(EnergyBased.energies(logitsOf(model, train), classes));
  const manifest = newManifest(
    o.id ?? `${task.name}-classifier-baseline`,
    arch,
    task.classNames,
    {
      kind: 'baseline',
      loss: 'ce',
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      optimizer,
      ...(optimizer === 'sgd' ? { momentum: 0.9 } : {}),
      schedule: 'cosine',
      trainRows: train.shape[0],
      ...(o.workers && o.workers > 1 ? { workers: o.workers } : {}),
      runtime: run.runtime,
    },
    {
      data: task.describe(train.shape[0]),
      command: o.command,
      steps: run.steps,
      seed: o.seed,
      trainSeconds: Math.round(run.seconds),
    },
    task.input,
  );
  manifest.energyMargins = margins;
  manifest.metrics = { testAccuracy: accuracy, finalLoss: run.finalLoss };
  return { model, manifest, ...(task.vocab ? { vocab: task.vocab } : {}) };
}
