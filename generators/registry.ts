import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goeEnv } from '../runtime/config.js';
import { type GeneratorManifest, readManifest } from './manifest.js';

/** The bundled zoo: `zoo/` at the repository root, or `GOE_ZOO` (e.g. a synced copy of the S3 zoo). */
export function zooDir(): string {
  return goeEnv('GOE_ZOO') ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'zoo');
}

/** A model id (`fashion-mnist-cgan`) → its folder in the zoo; a path (has a `/` or exists) → itself. */
export function resolveModelDir(idOrPath: string): string {
  if (idOrPath.includes('/') || idOrPath.startsWith('.')) return resolve(idOrPath);
  const dir = join(zooDir(), idOrPath);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`unknown model "${idOrPath}": no ${join(dir, 'manifest.json')} (see \`goe models\`)`);
  }
  return dir;
}

/** Every generator manifest in the zoo (folders whose manifest has a `modality`); `root` defaults to {@link zooDir}. */
export async function listGenerators(root: string = zooDir()): Promise<GeneratorManifest[]> {
  if (!existsSync(root)) return [];
  const out: GeneratorManifest[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (
      !entry.isDirectory() ||
      entry.name.startsWith('.') ||
      !existsSync(join(root, entry.name, 'manifest.json'))
    )
      continue;
    const m = await readManifest<GeneratorManifest>(join(root, entry.name));
    if (m.modality) out.push(m);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Class names or indices (`"0,3"`, `"Sandal,Bag"`) → indices; unknown ones are an error naming them. */
export function resolveClasses(
  spec: readonly (string | number)[] | undefined,
  names: readonly string[],
): number[] {
  if (!spec || spec.length === 0) return names.map((_, i) => i);
  const out = spec.map((s) => {
    if (typeof s === 'number' || /^\d+$/.test(s)) {
      const i = Number(s);
      if (i < 0 || i >= names.length) throw new Error(`class ${i} is out of range 0..${names.length - 1}`);
      return i;
    }
    const i = names.findIndex((n) => n.toLowerCase() === s.toLowerCase());
    if (i < 0) throw new Error(`unknown class "${s}" (classes: ${names.join(', ')})`);
    return i;
  });
  return [...new Set(out)];
}
