/**
 * `goe train-generator --kind cgan` once its options are parsed, and what `goe reproduce cifar6`'s
 * generator job calls: load the data (Fashion-MNIST or a team's own images at their row shape), size
 * the cGAN for that shape, train (resumable), export with a manifest and a first sample grid.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  type CganProgress,
  cganConfigFor,
  defaultCganConfig,
  exportCgan,
  sampleImages,
  trainCgan,
} from '../generators/cgan/index.js';
import type { CganManifest } from '../generators/manifest.js';
import { writeFileAtomic } from '../runtime/atomic-write.js';
import { initBackend } from '../runtime/backend/index.js';
import { encodeGridPng } from '../runtime/codecs/index.js';
import { loadFashionMnist } from './datasets/fashion-mnist.js';
import type { ImageSet } from './datasets/image-set.js';
import { type ImageSource, loadImageSource } from './datasets/sources/image-source.js';
import { dataSourceRecord } from './in-distribution.js';

/** Options of {@link trainCganRun}: the data and the cGAN's sizes. */
export interface CganRunOptions {
  /** `fashion-mnist`, or the PATH of a team's labelled images (any layout `goe data inspect` reads). */
  data: string;
  out: string;
  id?: string;
  steps: number;
  batch: number;
  seed: number;
  lr: number;
  latent: number;
  width: number;
  loss: 'ns' | 'hinge';
  checkpointEvery: number;
  fresh?: boolean;
  /** Data-parallel compute workers (`--workers`); 1 = this thread. */
  workers?: number;
  /** Data PATH only: `--size`, `--channels`, `--test-split`, `--labels` as for `goe train`. */
  size?: number;
  channels?: 1 | 3;
  testSplit?: number;
  labels?: string;
  /** The command line the manifest records. */
  command: string;
}

/** What a caller can watch or stop. */
export interface CganRunHooks {
  signal?: AbortSignal;
  onProgress?: (p: CganProgress) => void;
  onDecode?: (done: number, total: number) => void;
  onSource?: (source: ImageSource) => void;
}

/** The finished manifest, or the step a stopped run got to (its checkpoint is saved). */
export type CganRunResult = { manifest: CganManifest } | { stoppedAt: number };

/**
 * Trains a cGAN on `o.data` and writes `o.out/{generator.safetensors, manifest.json, samples.png}`.
 * A data PATH trains on its train split only (the test split stays unseen, as for the classifier); the
 * manifest records the row shape, classes and `dataSource` (path, how it was read, digest).
 *
 * @throws {DatasetError} from the loader, naming the file; Error when the row shape does not fit a
 *   cGAN (height/width not multiples of 4), or the checkpoint in `out` is of another run
 */
export async function trainCganRun(o: CganRunOptions, hooks: CganRunHooks = {}): Promise<CganRunResult> {
  if (o.latent < 64) throw new Error(`--latent must be ≥ 64 (the generator's contract), got ${o.latent}`);
  const backend = await initBackend();
  let train: ImageSet;
  let source: ImageSource | undefined;
  if (o.data === 'fashion-mnist') {
    train = loadFashionMnist('train');
  } else {
    source = loadImageSource(o.data, {
      ...(o.size ? { size: o.size } : {}),
      ...(o.channels ? { channels: o.channels } : {}),
      ...(o.testSplit ? { testSplit: o.testSplit } : {}),
      ...(o.labels ? { labels: o.labels } : {}),
      // The split seed is the run's, as `goe train --data PATH --seed N` splits (same N, same test rows).
      seed: o.seed,
      ...(hooks.onDecode ? { onProgress: hooks.onDecode } : {}),
    });
    hooks.onSource?.(source);
    train = source.train;
  }
  const classes = [...(source?.classNames ?? train.classNames ?? [])];
  const [, h, w, c] = train.shape;
  const sizes = { latentDim: o.latent, gWidth: o.width, dWidth: o.width, loss: o.loss };
  const config = source
    ? cganConfigFor([h, w, c], classes.length, sizes)
    : { ...defaultCganConfig, ...sizes };
  const run = await trainCgan(
    { images: train.images, labels: train.labels!, shape: train.shape },
    {
      config,
      outDir: o.out,
      steps: o.steps,
      batchSize: o.batch,
      seed: o.seed,
      learningRate: o.lr,
      beta1: 0.5,
      beta2: 0.999,
      checkpointEvery: o.checkpointEvery,
      fresh: o.fresh,
      ...(o.workers ? { workers: o.workers } : {}),
      signal: hooks.signal,
      onProgress: hooks.onProgress,
    },
  );
  if (run.step < o.steps) return { stoppedAt: run.step };
  const id = o.id ?? o.out.replace(/\/+$/, '').split('/').pop()!;
  const manifest = await exportCgan(o.out, run.generator, config, {
    id,
    classes,
    provenance: {
      data: source
        ? `${source.path} (${source.format}, ${classes.length} classes, ${h}×${w}×${c}): ${train.shape[0]} training images, ${source.digest}`
        : `Fashion-MNIST train (${train.shape[0].toLocaleString('en')} images), Debian dataset-fashion-mnist`,
      command: o.command,
      steps: run.step,
      seed: o.seed,
      trainSeconds: Math.round(run.seconds),
      machine: `${cpus().length} cores, TF.js ${backend.choice}`,
      createdAt: new Date().toISOString(),
    },
    metrics: { finalLossD: run.lossD, finalLossG: run.lossG },
    ...(source
      ? {
          dataSource: dataSourceRecord(source, {
            ...(o.size ? { size: o.size } : {}),
            ...(o.channels ? { channels: o.channels } : {}),
          }),
        }
      : {}),
  });
  await writeFileAtomic(join(o.out, 'samples.png'), await sampleGridPng(run.generator, config, classes, 1));
  for (const v of [...Object.values(run.generator), ...Object.values(run.discriminator)]) v.dispose();
  return { manifest };
}

/**
 * A first look at a generator: ten samples per class at `sigma2` (seed 0), one row per class, labelled,
 * in colour for an RGB generator.
 */
export async function sampleGridPng(
  vars: Parameters<typeof sampleImages>[0],
  config: Parameters<typeof sampleImages>[1],
  classes: readonly string[],
  sigma2: number,
  perClass = 10,
): Promise<Uint8Array> {
  const { height: h, width: w, channels: c } = config;
  const all = new Uint8Array(classes.length * perClass * h * w * c);
  const labels: string[] = [];
  let off = 0;
  for (let k = 0; k < classes.length; k++) {
    for await (const b of sampleImages(vars, config, { sigma2, classes: [k], seed: 0, count: perClass })) {
      all.set(b.data as Uint8Array, off);
      off += b.data.length;
    }
    labels.push(...Array.from({ length: perClass }, (_, i) => (i === 0 ? classes[k] : '')));
  }
  return encodeGridPng(all, [classes.length * perClass, h, w, c], { cols: perClass, labels });
}
