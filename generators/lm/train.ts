import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { Purpose, sampleStream } from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import {
  assignWeights,
  decodeWeights,
  encodeWeights,
  optimizerArrays,
  restoreOptimizer,
  snapshot,
} from '../weights.js';
import type { LmConfig } from './config.js';
import { lmDropout } from './dropout.js';
import { initLm, type LmVars, lmLoss } from './model.js';
import { LmParallel } from './parallel.js';

/** A document as token ids with its class: what the language model reads. */
export interface LabelledStream {
  tokens: Int32Array;
  label: number;
}

export interface LmTrainOptions {
  config: LmConfig;
  outDir: string;
  steps: number;
  batchSize: number;
  seed: number;
  /** Adam peak learning rate: linear warm-up over `warmup` steps, then cosine to 10 % of it. */
  lr: number;
  warmup: number;
  /** Gradients are clipped to this global norm (the PyTorch example clips at 0.25 with SGD; Adam needs less). */
  clipNorm: number;
  checkpointEvery: number;
  /**
   * Data-parallel compute workers (> 1: each step's rows are split over them, generators/lm/parallel.ts; must
   * divide `batchSize`). Without dropout the run equals the one-thread run up to float reassociation.
   */
  workers?: number;
  fresh?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: LmProgress) => void;
}

export interface LmProgress {
  step: number;
  steps: number;
  loss: number;
  tokensPerSec: number;
  resumedFrom?: number;
}

export interface LmRun {
  vars: LmVars;
  step: number;
  seconds: number;
  loss: number;
}

interface CheckpointState {
  step: number;
  seed: number;
  config: LmConfig;
  seconds: number;
  loss: number;
}

const ckpt = (dir: string, file: string) => join(dir, 'checkpoint', file);

/**
 * Sequences of step `step`: window starts drawn uniformly over every position of every training document
 * (counter-based RNG keyed by (seed, step)), each fed as [class token, w₀ … w_{L−2}] to predict w₀ … w_{L−1}.
 */
export function lmBatch(
  docs: readonly LabelledStream[],
  c: LmConfig,
  batch: number,
  seed: number,
  step: number,
): { ids: Int32Array; targets: Int32Array } {
  const L = c.length;
  const starts = docs.map((d) => Math.max(0, d.tokens.length - L + 1));
  const cumulative = new Float64Array(docs.length);
  let total = 0;
  starts.forEach((s, i) => {
    total += s;
    cumulative[i] = total;
  });
  if (total === 0) throw new Error(`no training document has ${L} tokens`);
  const ids = new Int32Array(batch * L);
  const targets = new Int32Array(batch * L);
  const rng = sampleStream(seed, step, Purpose.TRAIN_INDEX);
  for (let b = 0; b < batch; b++) {
    const r = rng.uniformInt(total);
    let lo = 0;
    let hi = docs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    const d = docs[lo];
    const off = r - (lo > 0 ? cumulative[lo - 1] : 0);
    ids[b * L] = c.classTokens[d.label];
    for (let k = 0; k < L; k++) {
      targets[b * L + k] = d.tokens[off + k];
      if (k + 1 < L) ids[b * L + k + 1] = d.tokens[off + k];
    }
  }
  return { ids, targets };
}

/**
 * Perplexity exp(mean NLL) of the model on non-overlapping windows of held-out documents, each read from
 * its class token as a sample is generated. `maxWindows` bounds the cost (all windows by default).
 */
export function perplexity(
  v: LmVars,
  c: LmConfig,
  docs: readonly LabelledStream[],
  maxWindows = Number.POSITIVE_INFINITY,
  batch = 64,
): number {
  const L = c.length;
  const rows: { ids: Int32Array; targets: Int32Array }[] = [];
  for (const d of docs) {
    for (let s = 0; s + L <= d.tokens.length && rows.length < maxWindows; s += L) {
      const targets = d.tokens.slice(s, s + L);
      const ids = new Int32Array(L);
      ids[0] = c.classTokens[d.label];
      ids.set(targets.subarray(0, L - 1), 1);
      rows.push({ ids, targets });
    }
  }
  let nll = 0;
  for (let s = 0; s < rows.length; s += batch) {
    const part = rows.slice(s, s + batch);
    const ids = new Int32Array(part.length * L);
    const targets = new Int32Array(part.length * L);
    part.forEach((r, i) => {
      ids.set(r.ids, i * L);
      targets.set(r.targets, i * L);
    });
    const loss = tf.tidy(() =>
      lmLoss(
        v,
        c,
        tf.tensor2d(ids, [part.length, L], 'int32'),
        tf.tensor2d(targets, [part.length, L], 'int32'),
      ),
    );
    nll += loss.dataSync()[0] * part.length;
    loss.dispose();
  }
  return Math.exp(nll / rows.length);
}

/** Learning rate of step s: linear warm-up, then cosine from `lr` to 0.1·lr (Loshchilov & Hutter 2017). */
export function lmLearningRate(o: Pick<LmTrainOptions, 'lr' | 'warmup' | 'steps'>, s: number): number {
  if (s < o.warmup) return (o.lr * (s + 1)) / o.warmup;
  const t = (s - o.warmup) / Math.max(1, o.steps - o.warmup);
  return o.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * t)));
}

/** Scales `grads` to global norm ≤ `clipNorm` and applies them with `opt` (disposes nothing it was given). */
function applyClipped(opt: tf.Optimizer, grads: Record<string, tf.Tensor>, clipNorm: number): void {
  tf.tidy(() => {
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    opt.applyGradients(Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], scale)])));
  });
}

/**
 * Trains the class-conditional Transformer LM with Adam and global-norm clipping. Batches and dropout
 * masks of step s depend only on (seed, s), so a resumed run continues as an uninterrupted one would.
 */
export async function trainLm(docs: readonly LabelledStream[], o: LmTrainOptions): Promise<LmRun> {
  const c = o.config;
  const v = initLm(c, o.seed);
  const opt = tf.train.adam(o.lr, 0.9, 0.999);
  let start = 0;
  let priorSeconds = 0;
  let loss = Number.NaN;
  const statePath = ckpt(o.outDir, 'state.json');
  if (!o.fresh && existsSync(statePath)) {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
    if (JSON.stringify(state.config) !== JSON.stringify(c) || state.seed !== o.seed) {
      throw new Error(
        `${o.outDir} holds a checkpoint of a different run (seed ${state.seed}); pass --fresh to start over or choose another --out`,
      );
    }
    assignWeights(
      v,
      decodeWeights(new Uint8Array(await readFile(ckpt(o.outDir, 'lm.safetensors')))),
      'checkpoint',
    );
    await restoreOptimizer(opt, ckpt(o.outDir, 'adam.safetensors'));
    start = state.step;
    priorSeconds = state.seconds;
    loss = state.loss;
  }
  const t0 = performance.now();
  const elapsed = () => priorSeconds + (performance.now() - t0) / 1000;
  let step = start;
  const save = async () => {
    await writeFileAtomic(ckpt(o.outDir, 'lm.safetensors'), encodeWeights(snapshot(v)));
    await writeFileAtomic(ckpt(o.outDir, 'adam.safetensors'), encodeWeights(await optimizerArrays(opt)));
    // state.json last: its presence means the files beside it are complete.
    const state: CheckpointState = { step, seed: o.seed, config: c, seconds: elapsed(), loss };
    await writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
  };
  const varList = Object.values(v);
  const L = c.length;
  const parallel =
    (o.workers ?? 1) > 1 ? await LmParallel.open(c, varList, o.batchSize, o.workers!) : undefined;
  try {
    for (; step < o.steps && !o.signal?.aborted; ) {
      const { ids, targets } = lmBatch(docs, c, o.batchSize, o.seed, step);
      (opt as unknown as { learningRate: number }).learningRate = lmLearningRate(o, step);
      if (parallel) {
        const r = await parallel.gradients(ids, targets, o.seed, step);
        applyClipped(opt, r.grads, o.clipNorm);
        tf.dispose(Object.values(r.grads));
        loss = r.loss;
      } else {
        const cost = tf.tidy(() => {
          const x = tf.tensor2d(ids, [o.batchSize, L], 'int32');
          const y = tf.tensor2d(targets, [o.batchSize, L], 'int32');
          const drop = lmDropout(c, o.seed, step);
          const { value, grads } = tf.variableGrads(() => lmLoss(v, c, x, y, drop), varList);
          applyClipped(opt, grads, o.clipNorm);
          return value;
        });
        loss = cost.dataSync()[0];
        cost.dispose();
      }
      step++;
      if (!Number.isFinite(loss))
        throw new Error(`training diverged at step ${step} (loss ${loss}); try a lower --lr`);
      o.onProgress?.({
        step,
        steps: o.steps,
        loss,
        tokensPerSec: ((step - start) * o.batchSize * L) / ((performance.now() - t0) / 1000),
        ...(start > 0 ? { resumedFrom: start } : {}),
      });
      if (step % o.checkpointEvery === 0 && step < o.steps) await save();
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await parallel?.close();
  }
  await save();
  opt.dispose();
  return { vars: v, step, seconds: elapsed(), loss };
}
