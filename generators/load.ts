import { loadCgan } from './cgan/load.js';
import { sampleImages } from './cgan/sampler.js';
import type { Generator } from './generator.js';
import { loadImported, openImportedRuntime, sampleImported } from './imported/generator.js';
import { loadLm } from './lm/load.js';
import { openLmStepper } from './lm/onnx-step.js';
import { sampleTexts } from './lm/sampler.js';
import { type CganManifest, type GeneratorManifest, readManifest } from './manifest.js';
import { type GeneratorRuntime, onnxTwinOf, twinProblem } from './twin.js';

/**
 * Loads the generator in zoo folder `dir`, whatever runs it (goe's TF.js cGAN or LM, an imported ONNX
 * or TF.js model), checking its weight digests. TF.js generators need the backend initialised first.
 * `runtime: 'onnx'` loads a cGAN's ONNX twin (generators/twin.ts) on ONNX Runtime instead of its TF.js
 * weights, and runs the LM's decoding step on ONNX Runtime (generators/lm/onnx-step.ts, built from its
 * weights); imported models have one runtime and ignore it (`chooseRuntime` picks it for callers).
 * @throws when the folder has no generator manifest or its files do not match their digests, or when
 *   `runtime: 'onnx'` names a cGAN whose twin is absent, stale or corrupt
 */
export async function loadGenerator(dir: string, runtime: GeneratorRuntime = 'tfjs'): Promise<Generator> {
  const manifest = await readManifest<GeneratorManifest>(dir);
  switch (manifest.kind) {
    case 'cgan': {
      if (runtime === 'onnx') return loadTwin(dir, manifest);
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
      const onnx =
        runtime === 'onnx'
          ? await openLmStepper(m.config, m.vars, `${m.manifest.id} (ONNX step)`)
          : undefined;
      return {
        modality: 'text',
        manifest: m.manifest,
        vocab: m.vocab,
        generate: (p) => sampleTexts(m.vars, m.config, p, onnx),
        dispose: async () => {
          await onnx?.dispose();
          m.dispose();
        },
      };
    }
    case 'imported':
      return loadImported(dir, manifest);
    default:
      throw new Error(`${dir} holds a ${(manifest as { kind?: string }).kind} model, not a generator`);
  }
}

/**
 * A cGAN served through its ONNX twin: one ONNX Runtime session, fed goe's latents and classes exactly as
 * an imported model is (sampleImported: the cGAN sampler's RNG calls), so only the forward pass changes.
 */
async function loadTwin(dir: string, manifest: CganManifest): Promise<Generator> {
  const twin = onnxTwinOf(manifest);
  const problem = twinProblem(dir, manifest);
  if (!twin || problem) throw new Error(problem);
  const runtime = await openImportedRuntime(dir, {
    id: manifest.id,
    format: 'onnx',
    files: [{ path: twin.file, digest: twin.digest, bytes: twin.bytes }],
    weights: { file: twin.file, digest: twin.digest },
  });
  const view = { ...manifest, io: twin.io };
  return {
    modality: 'image',
    manifest,
    generate: (p) => sampleImported(runtime, view, p),
    dispose: () => runtime.dispose(),
  };
}
