import { basename, dirname, join } from 'node:path';
import type { ImageBatch } from '../cgan/sampler.js';
import type { Generator } from '../generator.js';
import type { TextBatch } from '../lm/sampler.js';
import { loadGenerator as loadGeneratorDir } from '../load.js';
import type { GeneratorManifest } from '../manifest.js';
import { chooseRuntime, type GeneratorRuntime, onnxTwinOf } from '../twin.js';

/**
 * The worker-side face of a generator: {@link loadGenerator} and {@link generateRows} are all a compute
 * worker calls. It is generators/generator.ts's one interface, so every kind generators/load.ts loads
 * (goe's TF.js cGAN and LM, an imported ONNX model on ONNX Runtime, an imported TF.js model) runs in
 * the workers, each worker with its own copy (its own ONNX Runtime session).
 */
export type LoadedGenerator = Generator;

/**
 * What a loaded generator must match to be reused: its weight digest and, for an imported model, how it
 * is fed and read (`io`: `goe models add --replace` may change it for the same file). Workers reload a
 * generator whose version differs from the one a task names, so a replaced model is never served stale.
 */
export function generatorVersion(manifest: GeneratorManifest, runtime: GeneratorRuntime = 'tfjs'): string {
  const { digest } = manifest.weights;
  if (manifest.kind === 'imported') return `${digest} ${JSON.stringify(manifest.io)}`;
  // A cGAN on its ONNX twin: a twin exported again (same weights, new file) is a new version too.
  const twin = runtime === 'onnx' ? onnxTwinOf(manifest) : undefined;
  if (twin) return `${digest} onnx ${twin.digest}`;
  // The LM on ONNX Runtime: a graph made from the same weights, but other rows than TF.js's. Its second
  // form (a fixed-size cache, attention summed in another order) may move a draw: a new version.
  return manifest.kind === 'lm' && runtime === 'onnx' ? `${digest} onnx 2` : digest;
}

/** Where a generator lives, which version it must be, and which runtime computes its rows. */
export interface GeneratorRef {
  zoo: string;
  id: string;
  /**
   * Which version it must be: {@link generatorVersion} of the manifest and runtime. A worker holding
   * another version loads the generator again.
   */
  digest: string;
  /** TF.js or ONNX Runtime (a cGAN's twin); chosen by the caller, so planning and computing agree. */
  runtime: GeneratorRuntime;
}

/**
 * The {@link GeneratorRef} of the generator in zoo folder `dir`, served on `runtime` (default: what
 * `GOE_RUNTIME` chooses for it, generators/twin.ts `chooseRuntime`).
 * @throws {Error} when `GOE_RUNTIME=onnx` and a cGAN's twin is absent or unusable
 */
export function generatorRef(
  dir: string,
  manifest: GeneratorManifest,
  runtime: GeneratorRuntime = chooseRuntime(dir, manifest),
): GeneratorRef {
  return { zoo: dirname(dir), id: basename(dir), digest: generatorVersion(manifest, runtime), runtime };
}

/** What rows to draw, resolved against the manifest; row i depends only on (weights, these, i). */
export type RowParams =
  | {
      modality: 'image';
      /** Latent variance σ². */
      sigma2: number;
      /** Class indices, drawn uniformly. */
      classes: readonly number[];
      seed: number;
      dtype: 'uint8' | 'float32';
    }
  | {
      modality: 'text';
      /** Softmax temperature T. */
      temperature: number;
      classes: readonly number[];
      seed: number;
      /** Whether `<unk>` may be drawn (default true). */
      allowUnk?: boolean;
    };

/** Rows `[start, start + count)` of one request: image rows, or text rows (token ids). */
export type RowBatch = ImageBatch | TextBatch;

/**
 * Loads generator `id` from the zoo folder `zoo` (`zoo/id/manifest.json` and its files, digests checked)
 * through generators/load.ts, on `runtime` (a cGAN's ONNX twin with `onnx`).
 * @throws {Error} naming the folder when the manifest is missing, malformed or of an unknown kind
 */
export function loadGenerator(
  zoo: string,
  id: string,
  runtime: GeneratorRuntime = 'tfjs',
): Promise<LoadedGenerator> {
  return loadGeneratorDir(join(zoo, id), runtime);
}

/**
 * Rows `[start, start + count)` for `params`, in one forward pass (text: one decoding run) of `count`
 * rows. Images: count×H×W×C uint8 or float32 in [0, 1]; text: count×length token ids. The values of a
 * row do not depend on `start` or `count` (DESIGN.md, "Determinism"), so any cut of a request into
 * calls, on any worker, gives the same rows.
 * @throws {Error} when `params.modality` is not the generator's
 */
export async function generateRows(
  generator: LoadedGenerator,
  params: RowParams,
  start: number,
  count: number,
): Promise<RowBatch> {
  const { id } = generator.manifest;
  let batches: AsyncGenerator<RowBatch>;
  if (generator.modality === 'image' && params.modality === 'image')
    batches = generator.generate({ ...params, start, count, batchSize: count });
  else if (generator.modality === 'text' && params.modality === 'text')
    batches = generator.generate({ ...params, start, count, batchSize: count });
  else throw new Error(`${id} is a ${generator.modality} generator, not ${params.modality}`);
  const { value, done } = await batches.next();
  if (done) throw new Error(`${id} produced no rows for [${start}, ${start + count})`);
  await batches.return(undefined);
  return value;
}
