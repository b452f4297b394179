import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

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
  vocab: { file: string; digest: string; size: number };
  config: Record<string, number | string | number[]>;
  weights: { file: string; digest: string };
  provenance: Provenance;
  metrics?: Record<string, number | string>;
}

export type GeneratorManifest = ImageGeneratorManifest | TextGeneratorManifest;

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
