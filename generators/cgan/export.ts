import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { digestOf } from '../../runtime/digest.js';
import type { CganManifest, DataSourceRecord, Provenance } from '../manifest.js';
import { encodeWeights, snapshot } from '../weights.js';
import type { CganConfig } from './config.js';
import type { GeneratorVars } from './model.js';

/** Writes a trained generator as a zoo artifact: `generator.safetensors` + `manifest.json`. */
export async function exportCgan(
  dir: string,
  vars: GeneratorVars,
  c: CganConfig,
  meta: {
    id: string;
    classes: string[];
    provenance: Provenance;
    metrics?: CganManifest['metrics'];
    dataSource?: DataSourceRecord;
  },
): Promise<CganManifest> {
  const bytes = encodeWeights(snapshot(vars), { format: 'goe-cgan' });
  const file = 'generator.safetensors';
  await writeFileAtomic(join(dir, file), bytes);
  const manifest: CganManifest = {
    id: meta.id,
    kind: 'cgan',
    modality: 'image',
    classes: meta.classes,
    latentDim: c.latentDim,
    shape: [c.height, c.width, c.channels],
    // The paper's σ² for small images (CIFAR); DESIGN.md's Fashion-MNIST sweep peaks there too.
    defaultSigma2: 50,
    sigma2Range: [0, 1000],
    config: { ...c },
    weights: { file, digest: digestOf(bytes) },
    provenance: meta.provenance,
    ...(meta.metrics ? { metrics: meta.metrics } : {}),
    ...(meta.dataSource ? { dataSource: meta.dataSource } : {}),
  };
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
