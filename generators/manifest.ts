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

/** The manifest of an image generator in `zoo/<id>/manifest.json`. */
export interface ImageGeneratorManifest {
  id: string;
  kind: 'cgan';
  modality: 'image';
  /** Class names in label order; requests may name classes or give indices. */
  classes: string[];
  latentDim: number;
  /** Row shape of one sample, H×W×C. */
  shape: [number, number, number];
  defaultSigma2: number;
  /** Allowed σ² range, inclusive. */
  sigma2Range: [number, number];
  /** The architecture's hyper-parameters, enough to rebuild it before loading the weights. */
  config: Record<string, number | string>;
  weights: { file: string; digest: string };
  provenance: Provenance;
  metrics?: Record<string, number | string>;
}

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
