import { cpus } from 'node:os';
import { Vocab } from '../../runtime/text/vocab.js';
import type { TextGeneratorManifest } from '../manifest.js';
import type { LmConfig } from './config.js';
import { exportLm } from './export.js';
import { initLm } from './model.js';
import type { LabelledStream } from './train.js';

/** Words of the tiny test vocabulary. */
const WORDS =
  'the of and to a in is was he for it with as his on be at by i this had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people mr how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(
    ' ',
  );

/**
 * A tiny untrained class-conditional LM (2 classes, d = 16, length 12, ~150 words) written to `dir` as a
 * zoo entry: for tests of sampling, serving and benchmarking that must not depend on zoo/brown-lm.
 */
export async function writeTinyLm(
  dir: string,
  o: { id?: string; seed?: number; length?: number } = {},
): Promise<TextGeneratorManifest> {
  const classes = ['news', 'fiction'];
  const counts = new Map(WORDS.map((w, i) => [w, WORDS.length - i]));
  const vocab = Vocab.fromCounts(counts, WORDS.length + 3, ['<news>', '<fiction>']);
  const config: LmConfig = {
    vocabSize: vocab.size,
    dModel: 16,
    heads: 2,
    ff: 16,
    layers: 2,
    dropout: 0,
    length: o.length ?? 12,
    classTokens: [vocab.id('<news>'), vocab.id('<fiction>')],
    specials: vocab.specials,
  };
  const vars = initLm(config, o.seed ?? 0);
  try {
    return await exportLm(dir, vars, config, vocab, {
      id: o.id ?? 'tiny-lm',
      classes,
      provenance: {
        data: 'none (random weights: a test fixture)',
        command: 'writeTinyLm()',
        steps: 0,
        seed: o.seed ?? 0,
        machine: `${cpus().length} cores`,
        createdAt: new Date(0).toISOString(),
      },
    });
  } finally {
    for (const v of Object.values(vars)) v.dispose();
  }
}

/** A language model small enough to train in seconds (the unit tests' model; dropout as the zoo LM's). */
export const toyLmConfig: LmConfig = {
  vocabSize: 40,
  dModel: 16,
  heads: 2,
  ff: 24,
  layers: 2,
  dropout: 0.2,
  length: 10,
  classTokens: [1, 2],
  specials: 3,
};

/** Two "genres" for {@link toyLmConfig}: class 0 repeats 3..12, class 1 counts down 39..30; learnable in a few hundred steps. */
export const toyLmDocs: LabelledStream[] = [
  { label: 0, tokens: Int32Array.from({ length: 200 }, (_, i) => 3 + (i % 10)) },
  { label: 1, tokens: Int32Array.from({ length: 200 }, (_, i) => 39 - (i % 10)) },
];
