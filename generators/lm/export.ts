import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { digestOf } from '../../runtime/digest.js';
import type { Vocab } from '../../runtime/text/vocab.js';
import { writeVocab } from '../../runtime/text/vocab-file.js';
import type { Provenance, TextGeneratorManifest } from '../manifest.js';
import { encodeWeights, snapshot } from '../weights.js';
import type { LmConfig } from './config.js';
import type { LmVars } from './model.js';

/** Writes a trained language model as a zoo artifact: `lm.safetensors`, `vocab.json`, `manifest.json`. */
export async function exportLm(
  dir: string,
  vars: LmVars,
  c: LmConfig,
  vocab: Vocab,
  meta: { id: string; classes: string[]; provenance: Provenance; metrics?: TextGeneratorManifest['metrics'] },
): Promise<TextGeneratorManifest> {
  const bytes = encodeWeights(snapshot(vars), { format: 'goe-lm' });
  await writeFileAtomic(join(dir, 'lm.safetensors'), bytes);
  const vocabEntry = await writeVocab(dir, vocab);
  const manifest: TextGeneratorManifest = {
    id: meta.id,
    kind: 'lm',
    modality: 'text',
    classes: meta.classes,
    length: c.length,
    // The paper's text setting (Kirchheim & Ortmeier 2022, §4.2).
    defaultTemperature: 2,
    temperatureRange: [0.05, 20],
    vocab: vocabEntry,
    config: { ...c },
    weights: { file: 'lm.safetensors', digest: digestOf(bytes) },
    provenance: meta.provenance,
    ...(meta.metrics ? { metrics: meta.metrics } : {}),
  };
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
