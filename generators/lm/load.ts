import { join } from 'node:path';
import type { Vocab } from '../../runtime/text/vocab.js';
import { readVocab } from '../../runtime/text/vocab-file.js';
import { readManifest, type TextGeneratorManifest } from '../manifest.js';
import { assignWeights, readWeights } from '../weights.js';
import type { LmConfig } from './config.js';
import { initLm, type LmVars } from './model.js';

/** A language model ready to sample: manifest, config, vocabulary and variables. */
export interface LoadedLm {
  manifest: TextGeneratorManifest;
  config: LmConfig;
  vocab: Vocab;
  vars: LmVars;
  dispose(): void;
}

/** Loads `dir/manifest.json`, its vocabulary and weights, checking both digests. */
export async function loadLm(dir: string): Promise<LoadedLm> {
  const manifest = await readManifest<TextGeneratorManifest>(dir);
  if (manifest.kind !== 'lm') throw new Error(`${dir} holds a ${manifest.kind} model, not a language model`);
  const config = manifest.config as unknown as LmConfig;
  const vocab = await readVocab(join(dir, manifest.vocab.file), manifest.vocab.digest);
  const { arrays, digest } = await readWeights(join(dir, manifest.weights.file));
  if (digest !== manifest.weights.digest) {
    throw new Error(
      `weights of ${manifest.id} do not match the manifest digest (${digest} ≠ ${manifest.weights.digest})`,
    );
  }
  const vars = initLm(config, 0);
  assignWeights(vars, arrays, manifest.id);
  return {
    manifest,
    config,
    vocab,
    vars,
    dispose: () => {
      for (const v of Object.values(vars)) v.dispose();
    },
  };
}
