import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Vocab, type VocabFile } from '../../runtime/text/vocab.js';
import { readManifest, type TextGeneratorManifest } from '../manifest.js';
import { assignWeights, digestOf, readWeights } from '../weights.js';
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

/** Reads a vocabulary file, checking it against the digest a manifest records. */
export async function readVocab(path: string, digest?: string): Promise<Vocab> {
  const bytes = new Uint8Array(await readFile(path));
  if (digest && digestOf(bytes) !== digest) {
    throw new Error(
      `${path} does not match the manifest's vocabulary digest (${digestOf(bytes)} ≠ ${digest})`,
    );
  }
  return new Vocab(JSON.parse(new TextDecoder().decode(bytes)) as VocabFile);
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
