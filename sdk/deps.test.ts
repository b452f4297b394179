import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file and package reached from `entry` through static imports (type-only imports included). */
function closure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g)) {
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
        visit(existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.d.ts`);
      } else
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(join(root, entry));
  return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort() };
}

describe('sdk dependency rule', () => {
  it('the core SDK needs only openapi-fetch and its own files, so @goe/sdk ships alone', () => {
    const { files, packages } = closure('sdk/index.ts');
    expect(packages).toEqual(['openapi-fetch']);
    expect(files.filter((f) => !f.startsWith('sdk/'))).toEqual([]);
  });

  it('only the TF.js adapter loads TF.js, and only its peer dependency tfjs-core', () => {
    const tfjs = closure('sdk/tfjs.ts');
    expect(tfjs.packages).toEqual(['@tensorflow/tfjs-core']);
    expect(tfjs.files.filter((f) => !f.startsWith('sdk/'))).toEqual([]);
    expect(closure('sdk/index.ts').packages).not.toContain('@tensorflow/tfjs-core');
  });

  it('declares exactly what it imports: openapi-fetch as a dependency, tfjs-core as an optional peer', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'sdk/package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(closure('sdk/index.ts').packages);
    expect(Object.keys(pkg.peerDependencies)).toEqual(['@tensorflow/tfjs-core']);
    expect(pkg.peerDependenciesMeta['@tensorflow/tfjs-core'].optional).toBe(true);
  });
});
