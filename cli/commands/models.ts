import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { zooDir } from '../../generators/registry.js';
import { printJson } from '../output.js';
import { registerExport } from './models-export.js';
import { registerImport } from './models-import.js';

interface Entry {
  id: string;
  kind: string;
  modality?: string;
  digest: string;
  summary: string;
}

/** Every manifest in the zoo: generators and classifiers, one line each. */
async function listZoo(): Promise<Entry[]> {
  const root = zooDir();
  if (!existsSync(root)) return [];
  const out: Entry[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const path = join(root, e.name, 'manifest.json');
    if (!e.isDirectory() || e.name.startsWith('.') || !existsSync(path)) continue;
    const m = JSON.parse(await readFile(path, 'utf8'));
    const acc = m.metrics?.testAccuracy;
    const summary =
      m.kind === 'classifier'
        ? `${m.arch} classifier, ${m.training?.kind ?? ''}${m.training?.loss ? ` (${m.training.loss})` : ''}${typeof acc === 'number' ? `, test acc. ${acc.toFixed(2)}%` : ''}`
        : `${m.kind === 'imported' ? `imported ${m.format} ` : ''}${m.modality} generator, ${m.classes?.length ? `${m.classes.length} classes` : 'unconditional'}${m.provenance?.license ? `, licence ${m.provenance.license}` : ''}${m.defaultSigma2 !== undefined ? `, default σ² ${m.defaultSigma2}` : ''}${m.defaultTemperature !== undefined ? `, default T ${m.defaultTemperature}` : ''}${m.modality === 'text' && m.length !== undefined ? `, ${m.length} tokens per sample` : ''}${m.onnx ? ', ONNX twin' : ''}`;
    out.push({ id: m.id ?? e.name, kind: m.kind, modality: m.modality, digest: m.weights?.digest, summary });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description(
      'list the models in the zoo (zoo/ or GOE_ZOO): generators and reference classifiers; import or remove pre-trained generators',
    )
    .option('--json', 'print the list as JSON')
    .action(async (o: { json?: boolean }) => {
      const entries = await listZoo();
      if (o.json) {
        printJson(entries);
        return;
      }
      if (entries.length === 0) process.stdout.write(`no models in ${zooDir()}\n`);
      for (const e of entries) process.stdout.write(`${e.id.padEnd(42)} ${e.summary}\n`);
    });
  registerImport(models);
  registerExport(models);
}
