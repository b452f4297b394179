import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Env, goeEnv } from '../runtime/config.js';
import { digestOf } from '../runtime/digest.js';
import { log } from '../runtime/log.js';
import { onnxRuntimeInstalled, ortProviders } from './imported/onnx.js';
import type { CganManifest, GeneratorManifest, ImportedIo } from './manifest.js';

/**
 * What computes a generator's rows: TF.js (goe's own cGAN and LM, an imported TF.js model) or ONNX
 * Runtime (an imported ONNX model, or a cGAN's ONNX twin). Rows depend on (model, runtime, params, seed,
 * index): the two runtimes agree to float rounding, not bit for bit, so the runtime is part of the ETag.
 */
export type GeneratorRuntime = 'tfjs' | 'onnx';

/** `GOE_RUNTIME`: `auto` serves a cGAN through its ONNX twin when the twin is usable, else TF.js. */
export type RuntimePreference = 'auto' | GeneratorRuntime;

/**
 * How a twin was checked to compute the generator's function: the same latents and labels through TF.js
 * and ONNX Runtime, `rows` rows at each σ² of `sigma2`, compared on the tanh output in [−1, 1].
 */
export interface TwinCheck {
  /** Largest |TF.js − ONNX Runtime| over every output value. */
  maxAbsDiff: number;
  /** The bound it had to stay under (generators/cgan/onnx-export.ts says why this one). */
  tolerance: number;
  /** Output values compared, and how many of them land on a different uint8 level. */
  values: number;
  uint8Differ: number;
  rowsPerSigma2: number;
  sigma2: number[];
  /** The TF.js backend and ONNX Runtime version the check ran on. */
  tfjsBackend: string;
  onnxruntime: string;
}

/**
 * The ONNX twin of a goe cGAN (`manifest.onnx`): the same weights as an ONNX file, made by `goe models
 * export-onnx ID`, fed and read like an imported model (`io`).
 */
export interface OnnxTwin {
  /** The file, relative to the model folder, its sha256 and size. */
  file: string;
  digest: string;
  bytes: number;
  /** `weights.digest` of the TF.js weights it was made from: a twin of other weights is stale. */
  weightsDigest: string;
  io: ImportedIo;
  check: TwinCheck;
  /** The exporter (PyTorch version) and opset, the command, and when. */
  exporter: string;
  opset: number;
  command: string;
  createdAt: string;
}

/** A cGAN manifest that may name an ONNX twin. */
export type CganWithTwin = CganManifest & { onnx?: OnnxTwin };

/**
 * `GOE_RUNTIME` (default `auto`).
 * @throws {Error} naming the variable when it is not `auto`, `tfjs` or `onnx`
 */
export function runtimePreference(env: Env = process.env): RuntimePreference {
  const raw = goeEnv('GOE_RUNTIME', env) ?? 'auto';
  if (raw === 'auto' || raw === 'tfjs' || raw === 'onnx') return raw;
  throw new Error(`GOE_RUNTIME must be auto, tfjs or onnx, got "${raw}"`);
}

/** The ONNX twin a manifest names (cGANs only), whether or not its file is there. */
export function onnxTwinOf(manifest: GeneratorManifest): OnnxTwin | undefined {
  return manifest.kind === 'cgan' ? (manifest as CganWithTwin).onnx : undefined;
}

/**
 * Why the twin of the generator in `dir` cannot be used, or undefined when it can: the manifest names
 * none, its file is missing, its bytes differ from the manifest's digest, or it was made from other
 * weights than the manifest's (the cGAN was retrained after the export).
 */
export function twinProblem(dir: string, manifest: GeneratorManifest): string | undefined {
  const twin = onnxTwinOf(manifest);
  const remake = `(make it again: goe models export-onnx ${manifest.id})`;
  if (!twin) return `${manifest.id} has no ONNX twin (make one: goe models export-onnx ${manifest.id})`;
  const path = join(dir, twin.file);
  if (!existsSync(path)) return `${manifest.id}'s ONNX twin ${path} is missing ${remake}`;
  if (twin.weightsDigest !== manifest.weights.digest)
    return `${manifest.id}'s ONNX twin was made from other weights (${twin.weightsDigest}) ${remake}`;
  const digest = digestOf(readFileSync(path));
  if (digest !== twin.digest)
    return `${manifest.id}'s ONNX twin ${path} does not match the manifest digest (${digest} ≠ ${twin.digest}) ${remake}`;
  return undefined;
}

const warned = new Set<string>();

/**
 * The runtime that serves generator `manifest` (zoo folder `dir`) under `preference`. Imported models run
 * on their own format's runtime, whatever the preference. The LM runs on ONNX Runtime with `auto` and
 * `onnx` whenever onnxruntime-node is installed (its graph is made from its weights). A cGAN runs on its ONNX
 * twin with `onnx`, and with `auto` when the twin is usable; with `auto`, an unusable twin (missing, stale,
 * corrupt, or no onnxruntime-node installed, as in the Lambda bundle) is a logged warning and TF.js serves: the rows and ETag are then TF.js's, never a mix.
 * Reads and hashes the twin file (≈1 MB): callers that serve many requests keep the answer.
 * @throws {Error} with `onnx` when a cGAN's twin is absent or unusable (the message says how to make it)
 */
export function chooseRuntime(
  dir: string,
  manifest: GeneratorManifest,
  preference: RuntimePreference = runtimePreference(),
): GeneratorRuntime {
  if (manifest.kind === 'imported') return manifest.format === 'onnx' ? 'onnx' : 'tfjs';
  if (preference === 'tfjs') return 'tfjs';
  if (manifest.kind === 'lm') {
    // The LM's ONNX graph is built from its own weights when loaded (generators/lm/onnx-step.ts): it
    // cannot be stale, so only a missing onnxruntime-node keeps it on TF.js.
    if (onnxRuntimeInstalled()) return 'onnx';
    const problem = `onnxruntime-node is not installed, so ${manifest.id} cannot run on it`;
    if (preference === 'onnx') throw new Error(`GOE_RUNTIME=onnx: ${problem}`);
    return 'tfjs';
  }
  if (manifest.kind !== 'cgan') return 'tfjs';
  if (preference === 'auto' && !onnxTwinOf(manifest)) return 'tfjs';
  const problem = onnxRuntimeInstalled()
    ? twinProblem(dir, manifest)
    : `onnxruntime-node is not installed, so ${manifest.id}'s ONNX twin cannot run`;
  if (!problem) return 'onnx';
  if (preference === 'onnx') throw new Error(`GOE_RUNTIME=onnx: ${problem}`);
  if (!warned.has(problem)) {
    warned.add(problem);
    log('warn', `${problem}; serving it on TF.js`, { model: manifest.id });
  }
  return 'tfjs';
}

/**
 * The name of what computes the rows, as ETags and /healthz give it: the TF.js backend (`wasm`, …) for
 * TF.js, `onnxruntime:<providers>` for ONNX Runtime (a CUDA provider computes other last bits than the CPU).
 */
export function runtimeLabel(runtime: GeneratorRuntime, tfjsBackend: string): string {
  return runtime === 'onnx' ? `onnxruntime:${ortProviders().join(',')}` : tfjsBackend;
}
