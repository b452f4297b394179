import { accuracyOf, type Classifier, logitsOf, newManifest } from './classifier.js';
import { loadFashionMnist } from './datasets/index.js';
import type { LossName } from './fit.js';
import { type FitProgress, fitClassifier, limitSet } from './fit.js';
import { type OutlierSpec, outlierPool } from './outliers.js';

export interface FinetuneOptions {
  outliers: OutlierSpec;
  /** `oe` or `energy`; with `outliers.source = 'none'` the run is the control (same schedule, CE only). */
  loss: Exclude<LossName, 'ce'>;
  epochs: number;
  batchSize: number;
  outlierBatch: number;
  lr: number;
  seed: number;
  /** Fine-tune on a seeded subset of this many training images (smoke tests); default all. */
  limit?: number;
  id: string;
  command: string;
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
  /** Called once the outlier pool is ready (it can take a while for generated outliers). */
  onPool?: (name: string, count: number) => void;
}

/**
 * Outlier Exposure fine-tuning of a trained classifier (DESIGN.md: SGD 0.01, momentum 0.9, cosine to 0;
 * OE loss λ = 0.5 or the energy-bounded loss with the baseline's own margins). The control row uses the
 * same schedule without outliers, so gains are not just extra training.
 */
export async function finetune(base: Classifier, o: FinetuneOptions): Promise<Classifier> {
  const full = loadFashionMnist('train');
  const train = limitSet(full, o.limit, o.seed);
  const test = loadFashionMnist('test');
  const pool = await outlierPool(o.outliers);
  if (pool) o.onPool?.(pool.name, pool.shape[0]);
  const margins = base.manifest.energyMargins;
  if (o.loss === 'energy' && pool && !margins) {
    throw new Error(`${base.manifest.id} records no energy margins; retrain it with \`goe train\``);
  }
  const run = await fitClassifier(base.model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    outlierBatch: pool ? o.outlierBatch : 0,
    outliers: pool,
    loss: pool ? o.loss : 'ce',
    energyMargins: margins,
    lr: o.lr,
    momentum: 0.9,
    seed: o.seed,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const accuracy = accuracyOf(logitsOf(base.model, test.images, test.shape), test.labels!);
  const manifest = newManifest(
    o.id,
    base.manifest.arch,
    base.manifest.classes,
    {
      kind: pool ? 'outlier-exposure' : 'control',
      from: { id: base.manifest.id, digest: base.manifest.weights.digest },
      loss: pool ? o.loss : 'ce',
      ...(o.loss === 'oe' ? { oeLambda: 0.5 } : { energyMargins: margins }),
      outliers: { ...o.outliers, pool: pool?.name ?? 'none' },
      epochs: o.epochs,
      batchSize: o.batchSize,
      outlierBatch: o.outlierBatch,
      lr: o.lr,
      momentum: 0.9,
      schedule: 'cosine',
    },
    {
      data: `Fashion-MNIST train (${train.shape[0]} images) + outliers`,
      command: o.command,
      steps: run.steps,
      seed: o.seed,
      trainSeconds: Math.round(run.seconds),
    },
  );
  manifest.energyMargins = margins;
  manifest.metrics = { testAccuracy: accuracy, finalLoss: run.finalLoss };
  return { model: base.model, manifest };
}
