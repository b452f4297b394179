import { join } from 'node:path';
import { type CganManifest, readManifest } from '../manifest.js';
import { assignWeights, readWeights } from '../weights.js';
import { type CganConfig, defaultCganConfig } from './config.js';
import { type GeneratorVars, initGenerator } from './model.js';

/** A generator ready to sample: its manifest, config and variables. */
export interface LoadedCgan {
  manifest: CganManifest;
  config: CganConfig;
  vars: GeneratorVars;
  dispose(): void;
}

/** Loads `dir/manifest.json` and its weights, checking the weight digest against the manifest. */
export async function loadCgan(dir: string): Promise<LoadedCgan> {
  const manifest = await readManifest<CganManifest>(dir);
  if (manifest.kind !== 'cgan') throw new Error(`${dir} holds a ${manifest.kind} model, not a cgan`);
  const config = { ...defaultCganConfig, ...manifest.config } as CganConfig;
  const { arrays, digest } = await readWeights(join(dir, manifest.weights.file));
  if (digest !== manifest.weights.digest) {
    throw new Error(
      `weights of ${manifest.id} do not match the manifest digest (${digest} ≠ ${manifest.weights.digest})`,
    );
  }
  const vars = initGenerator(config, 0);
  assignWeights(vars, arrays, manifest.id);
  return {
    manifest,
    config,
    vars,
    dispose: () => {
      for (const v of Object.values(vars)) v.dispose();
    },
  };
}
