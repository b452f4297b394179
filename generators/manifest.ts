import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VocabEntry } from '../runtime/text/vocab-file.js';

/** How a shipped artifact was made (brief: "what data, what command, how many steps, seed, weight digest"). */
export interface Provenance {
  data: string;
  command: string;
  steps: number;
  seed: number;
  /** Wall-clock seconds of training, and the machine it ran on. */
  trainSeconds?: number;
  machine?: string;
  createdAt: string;
}

/** A value of one command-line option, as the parsed options hold it. */
export type OptionValue = string | number | boolean | undefined | readonly (string | number)[];

/**
 * The command line a manifest's provenance records, built from the parsed options rather than by hand,
 * so no option is left out: `commandLine('train', { data: 'brown', outlierCount: 5 })` is
 * `goe train --data brown --outlier-count 5`. Keys become `--kebab-case` flags in the object's order;
 * `true` is a bare flag, `false` its `--no-` form, `undefined` is left out, arrays are comma-joined,
 * and a value with spaces or quotes is double-quoted.
 */
export function commandLine(command: string, options: Readonly<Record<string, OptionValue>>): string {
  const parts = [`goe ${command}`];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (value === true) parts.push(`--${flag}`);
    else if (value === false) parts.push(`--no-${flag}`);
    else {
      const text = Array.isArray(value) ? value.join(',') : String(value);
      // Quoted when a shell would split it (a path with spaces), so the line can be run as it stands.
      parts.push(`--${flag} ${/[\s'"$]/.test(text) ? JSON.stringify(text) : text}`);
    }
  }
  return parts.join(' ');
}

/**
 * How a model's own image data set was read (`goe train --data PATH`, `goe train-generator --data PATH`),
 * recorded in its manifest so `goe finetune`/`goe eval` read it alike.
 */
export interface DataSourceRecord {
  /** Absolute path of the ImageFolder tree, the images file, or the labelled texts (folder, JSONL, CSV). */
  path: string;
  format: 'image-folder' | 'npy' | 'idx' | 'text-folder' | 'jsonl' | 'csv';
  /** The labels file of a `.npy`/IDX images file. */
  labels?: string;
  /** `--size` and `--channels` as given (absent: the data's most common, which `inputShape` records). */
  size?: number;
  channels?: 1 | 3;
  split: 'folders' | 'seeded';
  testSplit?: number;
  seed: number;
  trainRows: number;
  testRows: number;
  /** `sha256:` over class names, rows and labels of both splits, as loaded. */
  digest: string;
}

/** What every image generator's manifest says, whoever made the generator: how requests are resolved. */
interface ImageManifestBase {
  id: string;
  modality: 'image';
  /**
   * Class names in label order; requests may name classes or give indices. Empty for an unconditional
   * generator: its rows carry no class, and a request naming classes is `parameter-not-applicable`.
   */
  classes: string[];
  latentDim: number;
  /** Row shape of one sample, H×W×C. */
  shape: [number, number, number];
  defaultSigma2: number;
  /** Allowed σ² range, inclusive. */
  sigma2Range: [number, number];
  /** The file the generator's weights live in and its digest; the digest is part of every ETag. */
  weights: { file: string; digest: string };
  metrics?: Record<string, number | string>;
}

/** The manifest of goe's own class-conditional GAN in `zoo/<id>/manifest.json`. */
export interface CganManifest extends ImageManifestBase {
  kind: 'cgan';
  /** The architecture's hyper-parameters, enough to rebuild it before loading the weights. */
  config: Record<string, number | string>;
  provenance: Provenance;
  /** Trained on a team's own images (`--data PATH`): where they were and how they were read. */
  dataSource?: DataSourceRecord;
}

/** Where a generator goe did not train came from (shown by `GET /models/{id}`). */
export interface ImportedProvenance {
  /** Where the model came from (a URL, a repository and path, a paper). */
  source: string;
  license: string;
  /** Who trained it. */
  author?: string;
  /** When it was added to this zoo, and by which command. */
  importedAt: string;
  command?: string;
}

/** Value ranges an imported generator's output may declare; each maps linearly onto [0, 1]. */
export type OutputRange = [-1, 1] | [0, 1] | [0, 255];

/** How an imported image generator is fed and read (see generators/imported/). */
export interface ImportedIo {
  /** The latent input: z ~ N(0, σ²I) of `latentDim` values per row, fed as `[N, ...shape]`. */
  latent: { name: string; shape: number[] };
  /** The class input of a class-conditional model: one-hot `[N, K]` floats or `[N]` integer indices. */
  class?: { name: string; encoding: 'one-hot' | 'index' };
  /** Inputs fed the same value for every row (e.g. BigGAN's `truncation`), by input name. */
  constants: Record<string, number>;
  /**
   * The output read as rows: `NCHW` `[N, C, H, W]`, `NHWC` `[N, H, W, C]` or `flat` `[N, H·W·C]` (row-major
   * H, W, C), with values in `range`.
   */
  output: { name: string; layout: 'NCHW' | 'NHWC' | 'flat'; range: OutputRange };
}

/**
 * The manifest of an imported (pre-trained, unmodified) image generator: an ONNX file or a TF.js
 * `model.json` with its weight shards. `weights.file` is the model file; for TF.js, `weights.digest`
 * covers `model.json` and every shard (see {@link ImportedModelFile}).
 */
export interface ImportedImageManifest extends ImageManifestBase {
  kind: 'imported';
  format: 'onnx' | 'tfjs';
  /** Every file of the model with its own digest (one for ONNX; model.json + shards for TF.js). */
  files: ImportedModelFile[];
  io: ImportedIo;
  provenance: ImportedProvenance;
}

/** One file of an imported model, relative to its zoo folder. */
export interface ImportedModelFile {
  path: string;
  digest: string;
  bytes: number;
}

/** The manifest of an image generator in `zoo/<id>/manifest.json`. */
export type ImageGeneratorManifest = CganManifest | ImportedImageManifest;

/** The manifest of a class-conditional language model in `zoo/<id>/manifest.json`. */
export interface TextGeneratorManifest {
  id: string;
  kind: 'lm';
  modality: 'text';
  /** Class names in label order; a sample of class k starts from class k's token. */
  classes: string[];
  /** Tokens per sample (the length the model was trained on, and every Brown model's sample length). */
  length: number;
  /** Softmax temperature when a request names none (the paper's T = 2), and the allowed range. */
  defaultTemperature: number;
  temperatureRange: [number, number];
  /** Word vocabulary (`vocab.json`, see runtime/text/vocab.ts), with its digest. */
  vocab: VocabEntry;
  config: Record<string, number | string | number[]>;
  weights: { file: string; digest: string };
  provenance: Provenance;
  metrics?: Record<string, number | string>;
}

export type GeneratorManifest = ImageGeneratorManifest | TextGeneratorManifest;

/** A generator's sampling knob at the value a request asked for (or the model's default), with its range. */
export interface SamplingSetting {
  /** σ² of the latent for an image model, softmax temperature T for a text model. */
  name: 'sigma2' | 'temperature';
  value: number;
  /** The model's allowed range, inclusive. */
  range: readonly [number, number];
  /** Whether `value` lies within `range`; callers turn `false` into their own error (a 400, a CLI line). */
  ok: boolean;
}

/**
 * σ² (image model) or T (text model) to sample `manifest` at: `requested`, else the manifest's default,
 * checked against the manifest's range. −0 becomes 0, so both spell the same request and the same bytes.
 */
export function samplingSetting(manifest: GeneratorManifest, requested?: number): SamplingSetting {
  const [name, fallback, range] =
    manifest.modality === 'text'
      ? (['temperature', manifest.defaultTemperature, manifest.temperatureRange] as const)
      : (['sigma2', manifest.defaultSigma2, manifest.sigma2Range] as const);
  const value = (requested ?? fallback) + 0;
  return { name, value, range, ok: value >= range[0] && value <= range[1] };
}

/** Reads `manifest.json` from a model folder, with a clear error when it is missing or malformed. */
export async function readManifest<T = GeneratorManifest>(dir: string): Promise<T> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`no model at ${dir} (missing ${path})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
