import { existsSync } from 'node:fs';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zooDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import type { ClassifierManifest } from '../classifier.js';
import { runName } from './plan.js';

/** Run → zoo name of a table's classifiers (msp = trained with the OE loss, energy = energy-bounded loss). */
export function zooNames(prefix: string): Record<string, string> {
  return {
    baseline: `${prefix}-classifier-baseline`,
    'generated-oe': `${prefix}-classifier-goe-msp`,
    'generated-energy': `${prefix}-classifier-goe-energy`,
    'noise-oe': `${prefix}-classifier-noise-msp`,
    'noise-energy': `${prefix}-classifier-noise-energy`,
    'natural-oe': `${prefix}-classifier-natural-msp`,
    'natural-energy': `${prefix}-classifier-natural-energy`,
  };
}

/**
 * Copies one seed's table classifiers into the zoo ({@link exportRuns}); returns the zoo ids.
 */
export async function exportClassifiers(
  runsDir: string,
  seed: number,
  prefix: string,
  reportPath: string,
): Promise<string[]> {
  const runs = Object.entries(zooNames(prefix)).map(([run, id]) => [runName(run, seed), id] as const);
  return exportRuns(runsDir, runs, reportPath);
}

/**
 * Copies run folders into the zoo under new ids (`runs`: pairs of run folder name and zoo id; one run may
 * become several ids): weights, vocabulary
 * if any, the manifest renamed with the run's OOD evaluation and the report attached.
 */
export async function exportRuns(
  runsDir: string,
  runs: readonly (readonly [run: string, id: string])[],
  reportPath: string,
): Promise<string[]> {
  const out: string[] = [];
  for (const [run, id] of runs) {
    const from = join(runsDir, run);
    const to = join(zooDir(), id);
    await mkdir(to, { recursive: true });
    for (const file of ['weights.safetensors', 'vocab.json']) {
      if (existsSync(join(from, file))) await cp(join(from, file), join(to, file));
    }
    const manifest = JSON.parse(await readFile(join(from, 'manifest.json'), 'utf8')) as ClassifierManifest;
    const evalReport = JSON.parse(await readFile(join(from, 'eval.json'), 'utf8'));
    manifest.id = id;
    manifest.metrics = { ...manifest.metrics, ood: evalReport, report: reportPath };
    await writeFileAtomic(join(to, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    out.push(id);
  }
  return out;
}
