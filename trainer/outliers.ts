import { extname, join } from 'node:path';
import type { ImageBatch } from '../generators/cgan/index.js';
import type { TextBatch } from '../generators/lm/index.js';
import type {
  GeneratorManifest,
  ImageGeneratorManifest,
  TextGeneratorManifest,
} from '../generators/manifest.js';
import { readManifest } from '../generators/manifest.js';
import { generatorRef, RowPool } from '../generators/pool/index.js';
import { resolveModelDir } from '../generators/registry.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { readVocab, vocabBytes } from '../runtime/text/vocab-file.js';
import type { ImageSet } from './datasets/image-set.js';
import { naturalOutliers, uniformNoise } from './datasets/index.js';
import { loadImagesAs, type RowShape } from './datasets/sources/image-source.js';
import { readNdjsonTexts } from './datasets/text/ndjson-outliers.js';
import { type TextSet, textSetOf } from './datasets/text/text-set.js';
import { randomTokens, textFileOutliers, wordnetOutliers } from './datasets/text/text-sources.js';

export interface OutlierSpec {
  /** `generated`, `noise`, `natural`, `none`, or a path (images: IDX, .npy, PNG folder; text: .txt, .ndjson). */
  source: string;
  /** How many distinct outliers training cycles through. */
  count: number;
  seed: number;
  /** Generator id or folder; its latent variance σ² (images) or temperature T (text), for `generated`. */
  generator?: string;
  sigma2?: number;
  temperature?: number;
  /** `generated` only: the class indices to condition on (default all of the generator's). */
  classes?: number[];
}

/**
 * Materialises a pool of image training outliers at the classifier's row `shape` (default 28×28×1).
 * Generated outliers come from the generator at σ² on the compute workers (`GOE_WORKERS`), with seeds
 * disjoint from the serving defaults, and must be of that shape; noise is uniform (the paper's noise-OE
 * baseline) and natural outliers are crops of photographs (OE's natural-outlier setting), both drawn at
 * the shape; a path is read and brought to it (any image folder, `.npy`, IDX).
 *
 * @throws {Error} when the generator makes rows of another shape; DatasetError from the loaders
 */
export async function outlierPool(
  spec: OutlierSpec,
  shape: RowShape = [28, 28, 1],
): Promise<ImageSet | undefined> {
  switch (spec.source) {
    case 'none':
      return undefined;
    case 'noise':
      return { ...uniformNoise(spec.count, spec.seed, { shape }), name: 'noise' };
    case 'natural':
      return naturalOutliers(spec.count, spec.seed, { shape });
    case 'generated': {
      const dir = resolveModelDir(spec.generator ?? 'fashion-mnist-cgan');
      const manifest = await readManifest<ImageGeneratorManifest>(dir);
      // Any image generator of the zoo: goe's cGAN or an imported ONNX / TF.js model.
      if (manifest.modality !== 'image') {
        throw new Error(
          `--generator ${manifest.id} is a language model; image outliers need an image generator`,
        );
      }
      const [h, w, c] = manifest.shape;
      if (manifest.shape.join('x') !== shape.join('x')) {
        throw new Error(
          `--generator ${manifest.id} makes ${manifest.shape.join('×')} rows; the classifier reads ${shape.join('×')}: train one on its data (goe train-generator --data PATH)`,
        );
      }
      const images = new Uint8Array(spec.count * h * w * c);
      const sigma2 = spec.sigma2 ?? manifest.defaultSigma2;
      const classes = spec.classes ?? manifest.classes.map((_, i) => i);
      const pool = new RowPool();
      try {
        const params = { modality: 'image', sigma2, classes, seed: spec.seed, dtype: 'uint8' } as const;
        for await (const b of pool.rows(ref(dir, manifest), params, 0, spec.count)) {
          images.set((b as ImageBatch).data as Uint8Array, b.start * h * w * c);
        }
      } finally {
        await pool.close();
      }
      return {
        name: `generated σ²=${sigma2}`,
        images,
        shape: [spec.count, h, w, c],
      };
    }
    default:
      return loadImagesAs(spec.source, shape);
  }
}

/**
 * Materialises a pool of text training outliers as windows of `length` token ids of `vocab`: samples of
 * the language model at temperature T (GOE), uniform random tokens (the paper's "Noise"), WordNet
 * glosses (natural outliers), or a file (`.txt`, one sample per line; `.ndjson` rows of `goe sample`).
 * A generator whose vocabulary differs from the classifier's has its text re-tokenised.
 */
export async function textOutlierPool(
  spec: OutlierSpec,
  vocab: Vocab,
  length: number,
): Promise<TextSet | undefined> {
  switch (spec.source) {
    case 'none':
      return undefined;
    case 'noise':
      return randomTokens(vocab, length, spec.count, spec.seed);
    case 'natural':
      return wordnetOutliers(vocab, length, spec.count);
    case 'generated': {
      const dir = resolveModelDir(spec.generator ?? 'brown-lm');
      const manifest = await readManifest<TextGeneratorManifest>(dir);
      if (manifest.modality !== 'text') throw new Error(`${manifest.id} is not a language model`);
      const lmVocab = await readVocab(join(dir, manifest.vocab.file), manifest.vocab.digest);
      const temperature = spec.temperature ?? manifest.defaultTemperature;
      const same = sameVocab(lmVocab, vocab) && manifest.length === length;
      const rows: Int32Array[] = [];
      const texts: string[] = [];
      const classes = spec.classes ?? manifest.classes.map((_, i) => i);
      // Rows split across the compute workers (GOE_WORKERS), handed back in order.
      const pool = new RowPool();
      try {
        const params = { modality: 'text', temperature, classes, seed: spec.seed } as const;
        for await (const batch of pool.rows(ref(dir, manifest), params, 0, spec.count)) {
          const b = batch as TextBatch;
          for (let r = 0; r < b.count; r++) {
            const ids = b.tokens.slice(r * b.length, (r + 1) * b.length);
            if (same) rows.push(ids);
            else texts.push(lmVocab.decode(ids));
          }
        }
      } finally {
        await pool.close();
      }
      const name = `generated T=${temperature}`;
      return same ? textSetOf(name, rows, length) : { ...retokenised(texts, vocab, length), name };
    }
  }
  if (extname(spec.source).toLowerCase() === '.ndjson') {
    return { ...retokenised(await readNdjsonTexts(spec.source), vocab, length), name: spec.source };
  }
  return textFileOutliers(spec.source, vocab, length, spec.count);
}

/** The pool's reference to the generator in model folder `dir`. */
function ref(dir: string, manifest: GeneratorManifest) {
  return generatorRef(dir, manifest);
}

function sameVocab(a: Vocab, b: Vocab): boolean {
  const x = vocabBytes(a);
  const y = vocabBytes(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Texts → windows of `length` ids of `vocab`: each text cut or, if short, padded by repeating itself. */
function retokenised(texts: readonly string[], vocab: Vocab, length: number): TextSet {
  const rows = texts
    .map((t) => vocab.encode(t))
    .filter((ids) => ids.length > 0)
    .map((ids) => Int32Array.from({ length }, (_, k) => ids[k % ids.length]));
  return textSetOf('outliers', rows, length);
}
