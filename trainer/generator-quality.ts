/**
 * How good a class-conditional generator is, judged by a Fashion-MNIST classifier: does it draw the class
 * it is asked for (conditioning accuracy), and do its samples' features spread like real images' (a
 * Fréchet distance of Gaussian fits to the classifier's penultimate features, FID's formula in a cheap
 * feature space). Works on zoo generators and on training snapshots (state.json + generator.safetensors).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CganConfig,
  defaultCganConfig,
  type GeneratorVars,
  initGenerator,
  loadCgan,
  sampleImages,
} from '../generators/cgan/index.js';
import { resolveModelDir } from '../generators/registry.js';
import { assignWeights, readWeights } from '../generators/weights.js';
import { accuracyOf, type Classifier, logitsOf } from './classifier.js';
import type { ImageSet } from './datasets/image-set.js';
import { frechetDistance, type GaussianFit, gaussianFit } from './metrics/frechet.js';
import { penultimateOf } from './tune/scores.js';

/** A cGAN ready to sample, from the zoo or from a training snapshot. */
export interface GeneratorAt {
  /** The zoo id, or the snapshot folder's name (`step-300`). */
  label: string;
  dir: string;
  /** Training steps behind these weights (state.json's `step`, or the manifest's provenance). */
  step?: number;
  /** Seconds of training behind these weights, where recorded. */
  seconds?: number;
  config: CganConfig;
  vars: GeneratorVars;
  classes?: readonly string[];
  dispose(): void;
}

/** What `goe train-generator` writes with each checkpoint (`checkpoint/state.json`). */
interface SnapshotState {
  step: number;
  seed: number;
  config: Partial<CganConfig>;
  seconds?: number;
}

/**
 * Loads a cGAN: a zoo id or folder with `manifest.json` (digest-checked, {@link loadCgan}), or a training
 * snapshot folder holding `state.json` and `generator.safetensors` (built from `state.config`).
 * @throws {Error} naming `idOrDir` when it is neither, or its weights do not fit its config
 */
export async function loadGeneratorAt(idOrDir: string): Promise<GeneratorAt> {
  const snapshot = join(idOrDir, 'state.json');
  if (existsSync(snapshot) && !existsSync(join(idOrDir, 'manifest.json'))) {
    const state = JSON.parse(await readFile(snapshot, 'utf8')) as SnapshotState;
    const weights = join(idOrDir, 'generator.safetensors');
    if (!existsSync(weights)) throw new Error(`${idOrDir} has state.json but no generator.safetensors`);
    const config = { ...defaultCganConfig, ...state.config } as CganConfig;
    const vars = initGenerator(config, 0);
    assignWeights(vars, (await readWeights(weights)).arrays, idOrDir);
    return {
      label: idOrDir.split(/[\\/]/).filter(Boolean).pop() ?? idOrDir,
      dir: idOrDir,
      step: state.step,
      seconds: state.seconds,
      config,
      vars,
      dispose: () => {
        for (const v of Object.values(vars)) v.dispose();
      },
    };
  }
  const dir = resolveModelDir(idOrDir);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(
      `${idOrDir} is neither a generator (manifest.json) nor a training snapshot (state.json + generator.safetensors)`,
    );
  }
  const gen = await loadCgan(dir);
  return {
    label: gen.manifest.id,
    dir,
    step: gen.manifest.provenance.steps,
    seconds: gen.manifest.provenance.trainSeconds,
    config: gen.config,
    vars: gen.vars,
    classes: gen.manifest.classes,
    dispose: gen.dispose,
  };
}

/**
 * The snapshot folders directly under `dir` (each with a `state.json`), in training-step order.
 * @throws {Error} naming `dir` when it is missing or holds none
 */
export async function listSnapshots(dir: string): Promise<string[]> {
  if (!existsSync(dir)) throw new Error(`--checkpoints ${dir} does not exist`);
  const found: { path: string; step: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const state = join(dir, e.name, 'state.json');
    if (!e.isDirectory() || !existsSync(state)) continue;
    const { step } = JSON.parse(await readFile(state, 'utf8')) as SnapshotState;
    found.push({ path: join(dir, e.name), step });
  }
  if (found.length === 0) {
    throw new Error(`--checkpoints ${dir} holds no snapshot folders (sub-folders with state.json)`);
  }
  return found.sort((a, b) => a.step - b.step).map((f) => f.path);
}

/**
 * `count` samples at latent variance `sigma2`, classes uniform, as a labelled uint8 image set (labels =
 * the conditioning class). Deterministic in (weights, σ², seed): the serving sampler's promise.
 */
export async function sampleLabelled(
  gen: Pick<GeneratorAt, 'vars' | 'config' | 'classes'>,
  o: { sigma2: number; count: number; seed: number; classes?: readonly number[] },
): Promise<ImageSet & { labels: Int32Array }> {
  const { height: h, width: w, channels: c } = gen.config;
  const images = new Uint8Array(o.count * h * w * c);
  const labels = new Int32Array(o.count);
  for await (const b of sampleImages(gen.vars, gen.config, {
    sigma2: o.sigma2,
    seed: o.seed,
    count: o.count,
    ...(o.classes ? { classes: o.classes } : {}),
  })) {
    images.set(b.data as Uint8Array, b.start * h * w * c);
    labels.set(b.classes, b.start);
  }
  return {
    name: `generated σ²=${o.sigma2}`,
    images,
    shape: [o.count, h, w, c],
    labels,
    ...(gen.classes ? { classNames: gen.classes } : {}),
  };
}

/** One generator's (or snapshot's) quality. */
export interface GeneratorQuality {
  label: string;
  dir: string;
  step?: number;
  seconds?: number;
  sigma2: number;
  samples: number;
  /** % of samples the classifier labels with their conditioning class (issue 16 target: ≥ 90). */
  conditioningAccuracy: number;
  /**
   * Fréchet distance between Gaussian fits of the classifier's penultimate features of the samples and of
   * the real images (squared feature units; lower = closer). Biased upward at small sample counts, as FID
   * is: compare values made with the same `samples`.
   */
  frechet: number;
}

/** The classifier's penultimate-feature Gaussian of a real image set: the reference {@link measureQuality} compares to. */
export function featureFit(clf: Classifier, set: ImageSet): GaussianFit {
  const f = penultimateOf(clf.model, set);
  return gaussianFit(f.features, f.dim);
}

/**
 * Samples `samples` images at σ² (default 1, seed 0: the same draw as the reproduction's generator check)
 * and measures conditioning accuracy and the Fréchet distance to `real`.
 */
export async function measureQuality(
  gen: GeneratorAt,
  clf: Classifier,
  real: GaussianFit,
  o: { samples: number; sigma2?: number; seed?: number },
): Promise<GeneratorQuality> {
  const sigma2 = o.sigma2 ?? 1;
  const set = await sampleLabelled(gen, { sigma2, count: o.samples, seed: o.seed ?? 0 });
  const conditioningAccuracy = accuracyOf(logitsOf(clf.model, set), set.labels);
  const frechet = frechetDistance(featureFit(clf, set), real);
  return {
    label: gen.label,
    dir: gen.dir,
    ...(gen.step === undefined ? {} : { step: gen.step }),
    ...(gen.seconds === undefined ? {} : { seconds: Math.round(gen.seconds) }),
    sigma2,
    samples: o.samples,
    conditioningAccuracy,
    frechet,
  };
}
