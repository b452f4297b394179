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
