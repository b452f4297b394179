import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { normalRows, Purpose, uniformIntRows } from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import {
  assignWeights,
  decodeWeights,
  encodeWeights,
  optimizerArrays,
  restoreOptimizer,
  snapshot,
} from '../weights.js';
import type { CganConfig } from './config.js';
import { discriminatorLoss, generatorLoss } from './losses.js';
import {
  type DiscriminatorVars,
  discriminate,
  type GeneratorVars,
  generate,
  initDiscriminator,
  initGenerator,
  trainable,
} from './model.js';
import { CganParallel } from './parallel.js';

/** Labelled uint8 images, N×H×W×C (the trainer's `ImageSet` fits). */
export interface LabelledImages {
  images: Uint8Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

export interface CganTrainOptions {
  config: CganConfig;
  outDir: string;
  steps: number;
  batchSize: number;
  seed: number;
  /** Adam(2e-4, β = 0.5, 0.999), as DCGAN and the DESIGN.md reference. */
  learningRate: number;
  beta1: number;
  beta2: number;
  checkpointEvery: number;
  /**
   * Data-parallel compute workers (> 1: each step's discriminator work is split over them, see
   * generators/cgan/parallel.ts; must divide `batchSize`). Checkpoints do not depend on it: a run may
   * resume with another count.
   */
  workers?: number;
  /** Start over even if `outDir` holds a checkpoint (default: resume from it). */
  fresh?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: CganProgress) => void;
}

export interface CganProgress {
  step: number;
  steps: number;
  lossD: number;
  lossG: number;
  /** Real images consumed per second since this run (not the checkpoint) started. */
  imagesPerSec: number;
  resumedFrom?: number;
}

/** What a finished (or stopped) run leaves: the generator's variables and where training got to. */
export interface CganRun {
  generator: GeneratorVars;
  discriminator: DiscriminatorVars;
  step: number;
  seconds: number;
  lossD: number;
  lossG: number;
}

interface CheckpointState {
  step: number;
  seed: number;
  config: CganConfig;
  seconds: number;
}

const ckpt = (dir: string, file: string) => join(dir, 'checkpoint', file);

async function saveCheckpoint(
  dir: string,
  state: CheckpointState,
  g: GeneratorVars,
  d: DiscriminatorVars,
  optG: tf.Optimizer,
  optD: tf.Optimizer,
): Promise<void> {
  await writeFileAtomic(ckpt(dir, 'generator.safetensors'), encodeWeights(snapshot(g)));
  await writeFileAtomic(ckpt(dir, 'discriminator.safetensors'), encodeWeights(snapshot(d)));
  await writeFileAtomic(ckpt(dir, 'adam-g.safetensors'), encodeWeights(await optimizerArrays(optG)));
  await writeFileAtomic(ckpt(dir, 'adam-d.safetensors'), encodeWeights(await optimizerArrays(optD)));
  // state.json last: its presence means the four files beside it are complete.
  await writeFileAtomic(ckpt(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** Scales uint8 pixels to the generator's tanh range [−1, 1]. */
function realBatch(data: LabelledImages, idx: Int32Array): { x: tf.Tensor4D; labels: Int32Array } {
  const [, h, w, c] = data.shape;
  const row = h * w * c;
  const out = new Float32Array(idx.length * row);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * row;
    for (let k = 0; k < row; k++) out[i * row + k] = data.images[src + k] / 127.5 - 1;
    labels[i] = data.labels[idx[i]];
  }
  return { x: tf.tensor4d(out, [idx.length, h, w, c]), labels };
}

function oneHot(labels: Int32Array, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat() as tf.Tensor2D);
}

/**
 * Trains the class-conditional GAN. Mini-batches, latents and fake classes of step s are drawn from the
 * counter-based RNG keyed by (seed, s), so a run resumed from a checkpoint continues exactly as an
 * uninterrupted one would (up to float summation order).
 */
export async function trainCgan(data: LabelledImages, o: CganTrainOptions): Promise<CganRun> {
  const c = o.config;
  const [n, h, w, ch] = data.shape;
  if (h !== c.height || w !== c.width || ch !== c.channels) {
    throw new Error(`data is ${h}×${w}×${ch}, the generator makes ${c.height}×${c.width}×${c.channels}`);
  }
  const g = initGenerator(c, o.seed);
  const d = initDiscriminator(c, o.seed);
  const optG = tf.train.adam(o.learningRate, o.beta1, o.beta2);
  const optD = tf.train.adam(o.learningRate, o.beta1, o.beta2);
  let start = 0;
  let priorSeconds = 0;
  const statePath = ckpt(o.outDir, 'state.json');
  if (!o.fresh && existsSync(statePath)) {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
    if (JSON.stringify(state.config) !== JSON.stringify(c) || state.seed !== o.seed) {
      throw new Error(
        `${o.outDir} holds a checkpoint of a different run (seed ${state.seed}, config ${JSON.stringify(state.config)}); ` +
          'pass --fresh to start over or choose another --out',
      );
    }
    assignWeights(
      g,
      decodeWeights(new Uint8Array(await readFile(ckpt(o.outDir, 'generator.safetensors')))),
      'checkpoint',
    );
    assignWeights(
      d,
      decodeWeights(new Uint8Array(await readFile(ckpt(o.outDir, 'discriminator.safetensors')))),
      'checkpoint',
    );
    await restoreOptimizer(optG, ckpt(o.outDir, 'adam-g.safetensors'));
    await restoreOptimizer(optD, ckpt(o.outDir, 'adam-d.safetensors'));
    start = state.step;
    priorSeconds = state.seconds;
  }
  const gVars = trainable(g);
  const dVars = trainable(d);
  const B = o.batchSize;
  const t0 = performance.now();
  let lossD = Number.NaN;
  let lossG = Number.NaN;
  let step = start;
  const elapsed = () => priorSeconds + (performance.now() - t0) / 1000;
  const save = () =>
    saveCheckpoint(o.outDir, { step, seed: o.seed, config: c, seconds: elapsed() }, g, d, optG, optD);
  const parallel = (o.workers ?? 1) > 1 ? await CganParallel.open(c, d, B, o.workers!) : undefined;
  try {
    for (; step < o.steps; ) {
      if (o.signal?.aborted) break;
      const idx = uniformIntRows(o.seed, step * B, B, n, Purpose.TRAIN_INDEX);
      const fakeClasses = uniformIntRows(o.seed, step * B, B, c.numClasses, Purpose.TRAIN_CLASS);
      const zData = normalRows(o.seed, step * B, B, c.latentDim, 1, Purpose.TRAIN_LATENT);
      const real = realBatch(data, idx);
      const yReal = oneHot(real.labels, c.numClasses);
      const yFake = oneHot(fakeClasses, c.numClasses);
      const z = tf.tensor2d(zData, [B, c.latentDim]);
      const fake = tf.tidy(() => generate(g, c, z, yFake, true));
      if (parallel) {
        ({ lossD, lossG } = await parallel.step({ real: real.x, yReal, fake, z, yFake }, g, optD, optG));
      } else {
        const costD = optD.minimize(
          () => discriminatorLoss(c, discriminate(d, c, real.x, yReal), discriminate(d, c, fake, yFake)),
          true,
          dVars,
        );
        const costG = optG.minimize(
          () => generatorLoss(c, discriminate(d, c, generate(g, c, z, yFake, true), yFake)),
          true,
          gVars,
        );
        lossD = costD?.dataSync()[0] ?? Number.NaN;
        lossG = costG?.dataSync()[0] ?? Number.NaN;
        tf.dispose([costD, costG] as tf.Tensor[]);
      }
      step++;
      tf.dispose([fake, z, yFake, yReal, real.x]);
      if (!Number.isFinite(lossD) || !Number.isFinite(lossG)) {
        throw new Error(`training diverged at step ${step} (loss D ${lossD}, G ${lossG}); try a lower --lr`);
      }
      o.onProgress?.({
        step,
        steps: o.steps,
        lossD,
        lossG,
        imagesPerSec: ((step - start) * B) / ((performance.now() - t0) / 1000),
        ...(start > 0 ? { resumedFrom: start } : {}),
      });
      if (step % o.checkpointEvery === 0 && step < o.steps) await save();
    }
  } finally {
    await parallel?.close();
  }
  await save();
  optG.dispose();
  optD.dispose();
  return { generator: g, discriminator: d, step, seconds: elapsed(), lossD, lossG };
}
