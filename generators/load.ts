import { loadCgan } from './cgan/load.js';
import { sampleImages } from './cgan/sampler.js';
import type { Generator } from './generator.js';
import { loadImported } from './imported/generator.js';
import { loadLm } from './lm/load.js';
import { sampleTexts } from './lm/sampler.js';
import { type GeneratorManifest, readManifest } from './manifest.js';

/**
 * Loads the generator in zoo folder `dir`, whatever runs it (goe's TF.js cGAN or LM, an imported ONNX
 * or TF.js model), checking its weight digests. TF.js generators need the backend initialised first.
 * @throws when the folder has no generator manifest or its files do not match their digests
 */
export async function loadGenerator(dir: string): Promise<Generator> {
  const manifest = await readManifest<GeneratorManifest>(dir);
  switch (manifest.kind) {
    case 'cgan': {
      const m = await loadCgan(dir);
      return {
        modality: 'image',
        manifest: m.manifest,
        generate: (p) => sampleImages(m.vars, m.config, p),
        dispose: async () => m.dispose(),
      };
    }
    case 'lm': {
      const m = await loadLm(dir);
      return {
        modality: 'text',
        manifest: m.manifest,
        vocab: m.vocab,
        generate: (p) => sampleTexts(m.vars, m.config, p),
        dispose: async () => m.dispose(),
      };
    }
    case 'imported':
      return loadImported(dir, manifest);
    default:
      throw new Error(`${dir} holds a ${(manifest as { kind?: string }).kind} model, not a generator`);
  }
}
