import { cpus } from 'node:os';
import { join } from 'node:path';
import type { DataSourceRecord, Provenance } from '../generators/manifest.js';
import { readManifest } from '../generators/manifest.js';
import { encodeWeights, readWeights } from '../generators/weights.js';
import { writeFileAtomic } from '../runtime/atomic-write.js';
import { digestOf } from '../runtime/digest.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { readVocab, type VocabEntry, writeVocab } from '../runtime/text/vocab-file.js';
import * as tf from '../runtime/tf.js';
import { type Examples, examplesOf } from './datasets/examples.js';
import type { ImageSet } from './datasets/image-set.js';
import type { TextSet } from './datasets/text/text-set.js';
import type { EnergyMargins } from './losses/index.js';
import { type Architecture, buildClassifier } from './models/index.js';

export type { DataSourceRecord } from '../generators/manifest.js';

/** `manifest.json` of a classifier in the zoo or a training output folder. */
export interface ClassifierManifest {
  id: string;
  kind: 'classifier';
  arch: Architecture;
  /** One input's shape: [28, 28, 1] images, or [length] token windows. */
  inputShape: number[];
  classes: string[];
  /** Pixels are uint8/255 (the one input normalisation of goe's image classifiers), or token ids. */
  input: 'uint8/255' | 'token-ids';
  /** Text classifiers: the vocabulary file beside the weights (ids must mean the same words everywhere). */
  vocab?: VocabEntry;
  /**
   * The in-distribution data set (`fashion-mnist` when absent: manifests before text support); `images`:
   * a team's own labelled images, `texts`: their labelled texts, each described by `dataSource`.
   */
  data?: 'fashion-mnist' | 'brown' | 'mnist' | 'images' | 'texts';
  /** `data: 'images'`: where the data was and how it was read, so `goe finetune`/`goe eval` read it alike. */
  dataSource?: DataSourceRecord;
  weights: { file: string; digest: string };
  /** How it was trained: baseline, or fine-tuned with which outliers and loss. */
  training: Record<string, unknown>;
  /** Energy margins this model was (or would be) fine-tuned with; from its own training energies. */
  energyMargins?: EnergyMargins;
  provenance: Provenance;
  metrics?: Record<string, unknown>;
}

/** A classifier in memory: its layers model and its manifest (minus weights until saved). */
export interface Classifier {
  model: tf.LayersModel;
  manifest: ClassifierManifest;
  /** Text classifiers: the vocabulary its token ids index (saved beside the weights). */
  vocab?: Vocab;
}

/** Weights keyed by position: tfjs-layers suffixes variable names (`_1`) when models share a process. */
function weightArrays(model: tf.LayersModel): Record<string, { data: Float32Array; shape: number[] }> {
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  model.weights.forEach((w, i) => {
    const t = w.read();
    out[`${String(i).padStart(3, '0')}:${w.originalName}`] = {
      data: Float32Array.from(t.dataSync()),
      shape: [...t.shape],
    };
  });
  return out;
}

/** Saves `weights.safetensors` + `manifest.json` into `dir`; returns the manifest with the digest set. */
export async function saveClassifier(dir: string, c: Classifier): Promise<ClassifierManifest> {
  const bytes = encodeWeights(weightArrays(c.model), { format: 'goe-classifier', arch: c.manifest.arch });
  await writeFileAtomic(join(dir, 'weights.safetensors'), bytes);
  const manifest = {
    ...c.manifest,
    ...(c.vocab ? { vocab: await writeVocab(dir, c.vocab) } : {}),
    weights: { file: 'weights.safetensors', digest: digestOf(bytes) },
  };
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  c.manifest = manifest;
  return manifest;
}

/** Loads a classifier folder, checking the weights against the manifest's digest. */
export async function loadClassifier(dir: string): Promise<Classifier> {
  const manifest = await readManifest<ClassifierManifest>(dir);
  if (manifest.kind !== 'classifier') throw new Error(`${dir} is not a classifier (kind ${manifest.kind})`);
  const { arrays, digest } = await readWeights(join(dir, manifest.weights.file));
  if (digest !== manifest.weights.digest) {
    throw new Error(
      `weights in ${dir} do not match the manifest digest (${digest} ≠ ${manifest.weights.digest})`,
    );
  }
  const model = buildClassifier(manifest.arch, manifest.inputShape, manifest.classes.length, {
    vocabSize: manifest.vocab?.size,
  });
  const names = Object.keys(arrays).sort();
  if (names.length !== model.weights.length) {
    throw new Error(
      `${dir}: ${names.length} weights in the file, the ${manifest.arch} model has ${model.weights.length}`,
    );
  }
  model.weights.forEach((w, i) => {
    const a = arrays[names[i]];
    if (a.shape.join('x') !== w.shape.join('x')) {
      throw new Error(`${dir}: weight ${names[i]} has shape [${a.shape}], the model expects [${w.shape}]`);
    }
    w.write(tf.tensor(a.data, a.shape));
  });
  const vocab = manifest.vocab
    ? await readVocab(join(dir, manifest.vocab.file), manifest.vocab.digest)
    : undefined;
  return { model, manifest, ...(vocab ? { vocab } : {}) };
}

/** A fresh classifier's manifest skeleton (weights and metrics are filled in when saved). */
export function newManifest(
  id: string,
  arch: Architecture,
  classes: readonly string[],
  training: Record<string, unknown>,
  provenance: Omit<Provenance, 'createdAt' | 'machine'>,
  input: Pick<ClassifierManifest, 'inputShape' | 'input' | 'vocab' | 'data' | 'dataSource'> = {
    inputShape: [28, 28, 1],
    input: 'uint8/255',
  },
): ClassifierManifest {
  return {
    id,
    kind: 'classifier',
    arch,
    ...input,
    classes: [...classes],
    weights: { file: 'weights.safetensors', digest: '' },
    training,
    provenance: { ...provenance, machine: `${cpus().length} cores`, createdAt: new Date().toISOString() },
  };
}

/** Logits of every row of an image or text set, in batches: n×classes, row-major. */
export function logitsOf(
  model: tf.LayersModel,
  set: ImageSet | TextSet | Examples,
  batch = 512,
): Float32Array {
  const ex = examplesOf(set);
  const classes = (model.outputs[0].shape as number[])[1];
  const out = new Float32Array(ex.size * classes);
  for (let s = 0; s < ex.size; s += batch) {
    const idx = Int32Array.from({ length: Math.min(batch, ex.size - s) }, (_, i) => s + i);
    const x = ex.batch(idx);
    const logits = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
    out.set(logits.dataSync() as Float32Array, s * classes);
    tf.dispose([x, logits]);
  }
  return out;
}

/** Top-1 accuracy of row-major logits against labels, in percent. */
export function accuracyOf(logits: Float32Array, labels: Int32Array): number {
  const k = logits.length / labels.length;
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
    if (best === labels[i]) right++;
  }
  return (100 * right) / labels.length;
}
