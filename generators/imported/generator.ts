import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOf } from '../../runtime/digest.js';
import { normalRows, Purpose, uniformIntRows } from '../../runtime/rng/index.js';
import type { ImageBatch } from '../cgan/sampler.js';
import type { ImageGenerateParams, ImageGenerator } from '../generator.js';
import type { ImportedImageManifest, ImportedModelFile } from '../manifest.js';
import { unitToDtype } from '../rows.js';
import { buildFeeds, type ImportedRuntime, outputToUnit } from './io.js';
import { openOnnx } from './onnx.js';
import { openTfjsFile } from './tfjs.js';

/**
 * The digest of a model made of several files (TF.js: model.json + shards): sha256 over each file's
 * path and digest in order, so any changed byte or renamed shard is a new model (and a new ETag).
 * A single file's digest is its own sha256.
 */
export function modelDigest(files: readonly ImportedModelFile[]): string {
  if (files.length === 1) return files[0].digest;
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.path}\0${f.digest}\n`);
  return `sha256:${h.digest('hex')}`;
}

/**
 * Opens the model files of an imported generator in `dir`, checking each against its manifest digest.
 * @throws when a file is missing or its bytes differ from the manifest's digest
 */
export async function openImportedRuntime(
  dir: string,
  manifest: Pick<ImportedImageManifest, 'id' | 'format' | 'files' | 'weights'>,
): Promise<ImportedRuntime> {
  const byPath = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    const bytes = new Uint8Array(await readFile(join(dir, f.path)));
    if (digestOf(bytes) !== f.digest) {
      throw new Error(
        `${manifest.id}: ${f.path} does not match the manifest digest (${digestOf(bytes)} ≠ ${f.digest})`,
      );
    }
    byPath.set(f.path, bytes);
  }
  if (manifest.format === 'onnx')
    return openOnnx(byPath.get(manifest.weights.file) as Uint8Array, join(dir, manifest.weights.file));
  return openTfjsFile(join(dir, manifest.weights.file));
}

/**
 * Rows of an imported image generator: z ~ N(0, σ²I) from the counter RNG (the cGAN's own
 * `normalRows(seed, start + i, …, Purpose.LATENT)`), classes uniform over `classes` from the CLASS
 * stream, one forward pass per batch, the output read per the manifest's layout and range.
 * Row i depends only on (model digest, σ², classes, seed, start + i).
 */
export async function* sampleImported(
  runtime: ImportedRuntime,
  // Only how it is fed and read: a cGAN's ONNX twin (generators/twin.ts) is sampled by this too.
  manifest: Pick<ImportedImageManifest, 'id' | 'io' | 'classes' | 'latentDim' | 'shape'>,
  params: ImageGenerateParams,
): AsyncGenerator<ImageBatch> {
  const conditional = manifest.io.class !== undefined;
  const classes = conditional
    ? params.classes && params.classes.length > 0
      ? params.classes
      : manifest.classes.map((_, i) => i)
    : [];
  const batch = params.batchSize ?? 256;
  for (let done = 0; done < params.count; ) {
    const n = Math.min(batch, params.count - done);
    const first = params.start + done;
    const z = normalRows(params.seed, first, n, manifest.latentDim, params.sigma2, Purpose.LATENT);
    const cls = conditional
      ? Int32Array.from(
          uniformIntRows(params.seed, first, n, classes.length, Purpose.CLASS),
          (k) => classes[k],
        )
      : new Int32Array(n).fill(-1);
    const feeds = buildFeeds(
      manifest.io,
      runtime.signature,
      manifest.classes.length,
      z,
      conditional ? cls : undefined,
      n,
    );
    const raw = await runtime.run(feeds, manifest.io.output.name);
    const data = unitToDtype(outputToUnit(raw, manifest, n), params.dtype);
    yield { start: first, count: n, data, classes: cls };
    done += n;
  }
}

/** Loads an imported generator from its zoo folder as an {@link ImageGenerator}. */
export async function loadImported(dir: string, manifest: ImportedImageManifest): Promise<ImageGenerator> {
  const runtime = await openImportedRuntime(dir, manifest);
  return {
    modality: 'image',
    manifest,
    generate: (params) => sampleImported(runtime, manifest, params),
    dispose: () => runtime.dispose(),
  };
}
