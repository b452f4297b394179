import { join } from 'node:path';
import { type ImageBatch, type LoadedCgan, loadCgan, sampleImages } from '../cgan/index.js';
import { type LoadedLm, loadLm } from '../lm/load.js';
import { sampleTexts, type TextBatch } from '../lm/sampler.js';
import { type GeneratorManifest, readManifest } from '../manifest.js';

/**
 * The worker-side face of a generator: {@link loadGenerator} and {@link generateRows} are all a compute
 * worker calls, so another kind of generator (an imported ONNX or TF.js model) plugs in here alone.
 */
export type LoadedGenerator = LoadedCgan | LoadedLm;

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
 * Loads generator `id` from the zoo folder `zoo` (`zoo/id/manifest.json` and its weights, digests checked).
 * @throws {Error} naming the folder when the manifest is missing, malformed or of an unknown kind
 */
export async function loadGenerator(zoo: string, id: string): Promise<LoadedGenerator> {
  const dir = join(zoo, id);
  const manifest = await readManifest<GeneratorManifest>(dir);
  if (manifest.modality === 'text') return loadLm(dir);
  if (manifest.modality === 'image') return loadCgan(dir);
  throw new Error(
    `${dir} holds a generator of modality ${String((manifest as { modality?: unknown }).modality)}`,
  );
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
  const { id, modality } = generator.manifest;
  if (params.modality !== modality)
    throw new Error(`${id} is a ${modality} generator, not ${params.modality}`);
  const batches =
    params.modality === 'image'
      ? sampleImages((generator as LoadedCgan).vars, (generator as LoadedCgan).config, {
          ...params,
          start,
          count,
          batchSize: count,
        })
      : sampleTexts((generator as LoadedLm).vars, (generator as LoadedLm).config, {
          ...params,
          start,
          count,
          batchSize: count,
        });
  const { value, done } = await batches.next();
  if (done) throw new Error(`${id} produced no rows for [${start}, ${start + count})`);
  await batches.return(undefined);
  return value;
}
