import { accuracyOf, type Classifier, logitsOf, newManifest } from './classifier.js';
import type { RowShape } from './datasets/sources/image-source.js';
import { loadTextSource } from './datasets/sources/text-source.js';
import type { LossName } from './fit.js';
import { type FitProgress, fitClassifier, limitSet, parallelOf } from './fit.js';
import { imageSourceTask, loadInDistribution, reloadImageSource, textSourceTask } from './in-distribution.js';
import { type MixPart, mixOrder, mixturePool } from './outlier-mix.js';
import { type OutlierSpec, outlierPool, textOutlierPool } from './outliers.js';

export interface FinetuneOptions {
  outliers: OutlierSpec;
  /** A mixture (`--outliers a,b:2,…`): these sources, in these proportions, in every outlier batch. */
  mix?: MixPart[];
  /** `oe` or `energy`; with `outliers.source = 'none'` the run is the control (same schedule, CE only). */
  loss: Exclude<LossName, 'ce'>;
  /** λ of the OE loss, CE + λ·CE(outliers, uniform) (Hendrycks et al. 2019; default 0.5, the paper's vision value). */
  oeLambda?: number;
  /**
   * λ_E of the energy-bounded loss (default: the base model's margins', 0.1 as in Liu et al. 2020); m_in and m_out
   * stay the base model's own.
   */
  energyLambda?: number;
  epochs: number;
  batchSize: number;
  outlierBatch: number;
  lr: number;
  /** Default: SGD + momentum 0.9 for images, Adam for text (DESIGN.md's text reference: Adam 5e-4). */
  optimizer?: 'sgd' | 'adam';
  seed: number;
  /** Fine-tune on a seeded subset of this many training rows (smoke tests); default all. */
  limit?: number;
  /** Data-parallel compute workers (> 1: each step's batches are split over them; see `FitOptions.parallel`). */
  workers?: number;
  id: string;
  command: string;
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
  /** Called once the outlier pool is ready (it can take a while for generated outliers). */
  onPool?: (name: string, count: number) => void;
}

/**
 * The task of a classifier trained on a team's own images, its data read again as its manifest records.
 *
 * @throws {Error} when the data now loads at another row shape than the model reads
 */
export function userImagesTask(base: Classifier): ReturnType<typeof imageSourceTask> | undefined {
  const m = base.manifest;
  if (m.data !== 'images') return undefined;
  if (!m.dataSource) throw new Error(`${m.id}: its manifest says data "images" but records no dataSource`);
  const source = reloadImageSource(m.dataSource);
  if (source.rowShape.join('x') !== m.inputShape.join('x')) {
    throw new Error(
      `${m.dataSource.path} now loads as ${source.rowShape.join('×')} rows; ${m.id} reads ${m.inputShape.join('×')}`,
    );
  }
  if (source.classNames.join('\0') !== m.classes.join('\0')) {
    throw new Error(
      `${m.dataSource.path} now has classes ${source.classNames.join(', ')}; ${m.id} was trained on ${m.classes.join(', ')}`,
    );
  }
  return imageSourceTask(source, m.dataSource);
}

/**
 * The task of a classifier trained on a team's labelled texts, read again as its manifest records (same
 * split, seed and window length) with the classifier's own vocabulary.
 *
 * @throws {Error} when the texts now have other classes than the model was trained on
 */
export function userTextTask(base: Classifier): ReturnType<typeof textSourceTask> | undefined {
  const m = base.manifest;
  if (m.data !== 'texts') return undefined;
  if (!m.dataSource) throw new Error(`${m.id}: its manifest says data "texts" but records no dataSource`);
  const src = loadTextSource(m.dataSource.path);
  if (src.classNames.join('\0') !== m.classes.join('\0')) {
    throw new Error(
      `${m.dataSource.path} now has classes ${src.classNames.join(', ')}; ${m.id} was trained on ${m.classes.join(', ')}`,
    );
  }
  return textSourceTask(src, {
    testSplit: m.dataSource.testSplit,
    seed: m.dataSource.seed,
    length: m.inputShape[0],
    ...(base.vocab ? { vocab: base.vocab } : {}),
  });
}

/**
 * The data a classifier was trained on, read again: a team's own images or texts as its manifest records,
 * else the built-in set it names (Fashion-MNIST, MNIST or Brown) at its input length.
 *
 * @throws {Error} from {@link userImagesTask} / {@link userTextTask} when the data changed shape or classes
 */
export function taskOf(base: Classifier) {
  const data = base.manifest.data;
  return (
    userImagesTask(base) ??
    userTextTask(base) ??
    loadInDistribution(data === 'brown' ? 'brown' : data === 'mnist' ? 'mnist' : 'fashion-mnist', {
      length: base.manifest.inputShape[0],
    })
  );
}

/**
 * Outlier Exposure fine-tuning of a trained classifier (DESIGN.md: SGD 0.01, momentum 0.9, cosine to 0
 * for images; OE loss λ = 0.5 (`oeLambda`) or the energy-bounded loss with the baseline's own margins). The data set
 * is the base model's own (Fashion-MNIST or Brown). The control row uses the same schedule without
 * outliers, so gains are not just extra training.
 */
export async function finetune(base: Classifier, o: FinetuneOptions): Promise<Classifier> {
  const task = taskOf(base);
  const train = limitSet(task.train, o.limit, o.seed);
  const load = (spec: OutlierSpec) =>
    task.vocab
      ? textOutlierPool(spec, base.vocab ?? task.vocab, task.input.inputShape[0])
      : outlierPool(spec, task.input.inputShape as RowShape);
  const mixed = o.mix ? await mixturePool(o.mix, o.outliers, o.outlierBatch, load) : undefined;
  const pool = mixed ? mixed.pool : await load(o.outliers);
  if (pool) o.onPool?.(pool.name, pool.shape[0]);
  // An imported generator (or a user's file) may make rows of another shape than the classifier reads.
  if (pool && !task.vocab && pool.shape.slice(1).join('×') !== base.manifest.inputShape.join('×')) {
    throw new Error(
      `${pool.name} outliers are ${pool.shape.slice(1).join('×')}, but ${base.manifest.id} reads ${base.manifest.inputShape.join('×')} images`,
    );
  }
  const baseMargins = base.manifest.energyMargins;
  if (o.loss === 'energy' && pool && !baseMargins) {
    throw new Error(`${base.manifest.id} records no energy margins; retrain it with \`goe train\``);
  }
  const margins =
    baseMargins && o.energyLambda !== undefined ? { ...baseMargins, lambda: o.energyLambda } : baseMargins;
  const optimizer = o.optimizer ?? (task.vocab ? 'adam' : 'sgd');
  const run = await fitClassifier(base.model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    outlierBatch: pool ? o.outlierBatch : 0,
    outliers: pool,
    ...(mixed ? { outlierOrder: mixOrder(mixed.sizes, mixed.quotas, o.seed) } : {}),
    loss: pool ? o.loss : 'ce',
    oeLambda: o.oeLambda ?? 0.5,
    energyMargins: margins,
    lr: o.lr,
    momentum: 0.9,
    optimizer,
    seed: o.seed,
    ...parallelOf(o.workers, {
      arch: base.manifest.arch,
      inputShape: [...base.manifest.inputShape],
      classes: base.manifest.classes.length,
      vocabSize: base.vocab?.size ?? task.vocab?.size,
    }),
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const accuracy = accuracyOf(logitsOf(base.model, task.test), task.test.labels!);
  const manifest = newManifest(
    o.id,
    base.manifest.arch,
    base.manifest.classes,
    {
      kind: pool ? 'outlier-exposure' : 'control',
      from: { id: base.manifest.id, digest: base.manifest.weights.digest },
      loss: pool ? o.loss : 'ce',
      ...(o.loss === 'oe' ? { oeLambda: o.oeLambda ?? 0.5 } : { energyMargins: margins }),
      outliers: {
        ...o.outliers,
        pool: pool?.name ?? 'none',
        ...(mixed
          ? { mix: o.mix!.map((p, k) => ({ ...p, count: mixed.sizes[k], perBatch: mixed.quotas[k] })) }
          : {}),
      },
      epochs: o.epochs,
      batchSize: o.batchSize,
      outlierBatch: o.outlierBatch,
      lr: o.lr,
      optimizer,
      ...(optimizer === 'sgd' ? { momentum: 0.9 } : {}),
      schedule: 'cosine',
      runtime: run.runtime,
    },
    {
      data: `${task.describe(train.shape[0])} + outliers`,
      command: o.command,
      steps: run.steps,
      seed: o.seed,
      trainSeconds: Math.round(run.seconds),
    },
    task.input,
  );
  // The model's own margins, for whatever fine-tunes it next; the λ_E this run used is in `training`.
  manifest.energyMargins = baseMargins;
  manifest.metrics = { testAccuracy: accuracy, finalLoss: run.finalLoss };
  return { model: base.model, manifest, ...(base.vocab ? { vocab: base.vocab } : {}) };
}
