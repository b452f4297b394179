import type { Vocab } from '../runtime/text/vocab.js';
import type { ImageBatch } from './cgan/sampler.js';
import type { TextBatch } from './lm/sampler.js';
import type { ImageGeneratorManifest, TextGeneratorManifest } from './manifest.js';

/**
 * What to draw from an image generator, already resolved against its manifest. Row i of the result
 * depends only on (model digest, σ², classes, seed, start + i): never on batch size or call order.
 */
export interface ImageGenerateParams {
  /** Latent variance: z ~ N(0, σ²·I) from the counter RNG. */
  sigma2: number;
  /** Class indices drawn uniformly per row; empty (or omitted) for an unconditional model. */
  classes?: readonly number[];
  seed: number;
  start: number;
  count: number;
  dtype: 'uint8' | 'float32';
  /** Rows per forward pass (does not change the values); default 256. */
  batchSize?: number;
}

/** What to draw from a language model: row i depends only on (weights, T, classes, seed, start + i). */
export interface TextGenerateParams {
  temperature: number;
  classes?: readonly number[];
  seed: number;
  start: number;
  count: number;
  /** Rows decoded together (does not change the values); default 64. */
  batchSize?: number;
  /** Whether `<unk>` may be drawn (word-level LMs; default true). */
  allowUnk?: boolean;
}

/**
 * An image generator ready to sample, whatever runs it (goe's TF.js cGAN, an ONNX file on ONNX Runtime,
 * an imported TF.js model). Batches come in request order; `classes[i]` is −1 for an unconditional model.
 */
export interface ImageGenerator {
  readonly modality: 'image';
  readonly manifest: ImageGeneratorManifest;
  /** Rows `[start, start + count)`, one batch per forward pass; pulling drives generation. */
  generate(params: ImageGenerateParams): AsyncGenerator<ImageBatch>;
  dispose(): Promise<void>;
}

/** A language model ready to sample (goe's TF.js Transformer LM). */
export interface TextGenerator {
  readonly modality: 'text';
  readonly manifest: TextGeneratorManifest;
  /** The vocabulary that turns token ids into words. */
  readonly vocab: Vocab;
  generate(params: TextGenerateParams): AsyncGenerator<TextBatch>;
  dispose(): Promise<void>;
}

/** Any loaded generator; `modality` tells which rows it makes. */
export type Generator = ImageGenerator | TextGenerator;
