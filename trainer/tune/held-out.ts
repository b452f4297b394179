/**
 * Criterion (a) of `goe tune`, "held-out classes as proxy OOD": a proxy classifier is trained briefly on
 * all classes but a few, then fine-tuned with each candidate's outliers (generated for the kept classes
 * only); the candidate whose fine-tune best detects the held-out classes wins. Only in-distribution data
 * is used: the held-out classes stand in for the OOD data a team does not have (validation-free model
 * selection with held-out classes, as in open-set recognition).
 */
import * as tf from '../../runtime/tf.js';
import { logitsOf } from '../classifier.js';
import type { ImageSet } from '../datasets/image-set.js';
import { subset } from '../datasets/row-set.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { EnergyBased } from '../detectors/index.js';
import { fitClassifier, permutation } from '../fit.js';
import { EnergyBoundedLoss, type EnergyMargins } from '../losses/index.js';
import { type Architecture, buildClassifier } from '../models/index.js';
import type { CandidatePool } from './candidates.js';
import { aurocPercent, DETECTOR_OF, detectorScores, type TuneLoss } from './scores.js';

type Rows = ImageSet | TextSet;

/** Sizes of the proxy experiment (the cost of criterion (a)). */
export interface HeldOutSizes {
  /** Classes held out as proxy OOD. */
  holdOut: number;
  /** Kept-class training rows of the proxy classifier, and its epochs. */
  proxyRows: number;
  proxyEpochs: number;
  /** Kept-class rows of each candidate's fine-tune (one epoch, as `goe finetune`). */
  finetuneRows: number;
  /** Rows per side when scoring (kept-class test rows vs held-out-class test rows). */
  evalRows: number;
  batch: number;
}

export const HELD_OUT_DEFAULTS: HeldOutSizes = {
  holdOut: 2,
  proxyRows: 10_000,
  proxyEpochs: 1,
  finetuneRows: 3000,
  evalRows: 1000,
  batch: 128,
};

/** The proxy task: which classes are held out, and the kept-class data relabelled 0…k−1. */
export interface HeldOutSplit {
  held: number[];
  kept: number[];
  train: Rows;
  finetune: Rows;
  inTest: Rows;
  outTest: Rows;
}

/**
 * Holds out `sizes.holdOut` classes chosen by a seeded shuffle (never all but one).
 *
 * @throws {Error} when the data has too few classes (at least holdOut + 2)
 */
export function heldOutSplit(
  train: Rows,
  test: Rows,
  classes: number,
  sizes: HeldOutSizes,
  seed: number,
): HeldOutSplit {
  if (classes < sizes.holdOut + 2) {
    throw new Error(
      `held-out classes need at least ${sizes.holdOut + 2} classes; the classifier has ${classes}`,
    );
  }
  const order = permutation(classes, seed, 0, HELD_OUT_PURPOSE);
  const held = Array.from(order.subarray(0, sizes.holdOut)).sort((a, b) => a - b);
  const kept = Array.from({ length: classes }, (_, c) => c).filter((c) => !held.includes(c));
  const relabel = new Int32Array(classes).fill(-1);
  kept.forEach((c, i) => {
    relabel[c] = i;
  });
  const pick = (set: Rows, keep: (label: number) => boolean, limit: number, salt: number): Rows => {
    const idx = Array.from({ length: set.shape[0] }, (_, i) => i).filter((i) => keep(set.labels![i]));
    const p = permutation(idx.length, seed, salt, HELD_OUT_PURPOSE);
    const chosen = Array.from(p.subarray(0, Math.min(limit, idx.length)), (j) => idx[j]);
    const s = subset(set as ImageSet, chosen) as Rows;
    const labels = Int32Array.from(s.labels!, (l) => Math.max(0, relabel[l]));
    return { ...s, labels, classNames: kept.map((c) => set.classNames?.[c] ?? String(c)) };
  };
  const isKept = (l: number) => relabel[l] >= 0;
  return {
    held,
    kept,
    train: pick(train, isKept, sizes.proxyRows, 1),
    finetune: pick(train, isKept, sizes.finetuneRows, 2),
    inTest: pick(test, isKept, sizes.evalRows, 3),
    outTest: pick(test, (l) => !isKept(l), sizes.evalRows, 4),
  };
}

/** The Philox purpose of the held-out draws (class choice, row subsets). */
const HELD_OUT_PURPOSE = 0x686f_0000;

/** A trained proxy classifier: its weights to restart every fine-tune from, and its energy margins. */
export interface Proxy {
  model: tf.LayersModel;
  weights: tf.Tensor[];
  margins: EnergyMargins;
  accuracy: number;
  seconds: number;
}

/** Trains the proxy classifier on the kept classes (plain cross-entropy, the baseline's recipe). */
export async function trainProxy(
  split: HeldOutSplit,
  arch: Architecture,
  inputShape: readonly number[],
  o: { vocabSize?: number; sizes: HeldOutSizes; seed: number; signal?: AbortSignal },
): Promise<Proxy> {
  const t0 = performance.now();
  const text = arch === 'gru';
  const model = buildClassifier(arch, inputShape, split.kept.length, {
    vocabSize: o.vocabSize,
    seed: o.seed,
  });
  await fitClassifier(model, split.train, {
    epochs: o.sizes.proxyEpochs,
    batchSize: o.sizes.batch,
    outlierBatch: 0,
    loss: 'ce',
    lr: text ? 2e-3 : 0.02,
    momentum: 0.9,
    optimizer: text ? 'adam' : 'sgd',
    seed: o.seed,
    signal: o.signal,
  });
  const k = split.kept.length;
  const margins = EnergyBoundedLoss.marginsFrom(EnergyBased.energies(logitsOf(model, split.train), k));
  const logits = logitsOf(model, split.inTest);
  let right = 0;
  for (let i = 0; i < split.inTest.shape[0]; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
    if (best === split.inTest.labels![i]) right++;
  }
  return {
    model,
    weights: model.getWeights().map((w) => w.clone()),
    margins,
    accuracy: (100 * right) / split.inTest.shape[0],
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * The brief fine-tune both trained criteria share ((a) on the proxy, (b) on the baseline): `model`
 * restarted from `weights`, one epoch of `rows` with `outliers` and `loss` (SGD 0.01 with momentum 0.9 for
 * images, Adam 5e-4 for text — `goe finetune`'s recipe at `sizes.batch` in-distribution + outlier rows per
 * step). Returns false when `signal` stopped it before its last step.
 */
export async function briefFinetune(
  model: tf.LayersModel,
  weights: tf.Tensor[],
  rows: Rows,
  outliers: CandidatePool,
  loss: TuneLoss,
  margins: EnergyMargins | undefined,
  o: { sizes: HeldOutSizes; seed: number; text: boolean; signal?: AbortSignal },
): Promise<boolean> {
  model.setWeights(weights);
  const run = await fitClassifier(model, rows, {
    epochs: 1,
    batchSize: o.sizes.batch,
    outlierBatch: o.sizes.batch,
    outliers: outliers.pool,
    ...(outliers.order ? { outlierOrder: outliers.order(o.seed) } : {}),
    loss,
    ...(margins ? { energyMargins: margins } : {}),
    lr: o.text ? 5e-4 : 0.01,
    momentum: 0.9,
    optimizer: o.text ? 'adam' : 'sgd',
    seed: o.seed,
    signal: o.signal,
  });
  return run.steps >= Math.floor(rows.shape[0] / o.sizes.batch);
}

/**
 * Fine-tunes the proxy (from its saved weights) with `outliers` and `loss`, then returns the AUROC (%)
 * of the loss's detector telling held-out-class test rows from kept-class test rows, or undefined when
 * `signal` stopped the fine-tune before its end.
 */
export async function heldOutAuroc(
  proxy: Proxy,
  split: HeldOutSplit,
  outliers: CandidatePool,
  loss: TuneLoss,
  o: { sizes: HeldOutSizes; seed: number; text: boolean; signal?: AbortSignal },
): Promise<number | undefined> {
  const done = await briefFinetune(
    proxy.model,
    proxy.weights,
    split.finetune,
    outliers,
    loss,
    proxy.margins,
    o,
  );
  if (!done) return undefined;
  const k = split.kept.length;
  const d = DETECTOR_OF[loss];
  return aurocPercent(
    detectorScores(d, logitsOf(proxy.model, split.inTest), k),
    detectorScores(d, logitsOf(proxy.model, split.outTest), k),
  );
}

/** Frees the proxy's tensors. */
export function disposeProxy(proxy: Proxy): void {
  tf.dispose(proxy.weights);
  proxy.model.dispose();
}
