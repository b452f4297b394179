import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeVariables, GOE_VARIABLES, goeEnv } from './config.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every `.ts` file of the shipped code, tests left out. */
function sources(): string[] {
  const out: string[] = [];
  for (const top of ['api', 'cli', 'generators', 'runtime', 'sdk', 'trainer']) {
    for (const entry of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (
        entry.isFile() &&
        path.endsWith('.ts') &&
        !path.endsWith('.test.ts') &&
        !path.includes('node_modules')
      )
        out.push(path);
    }
  }
  return out;
}

describe('config', () => {
  it('lists every GOE_* variable the code names, and only those', () => {
    const named = new Set<string>();
    for (const file of sources())
      for (const m of readFileSync(file, 'utf8').matchAll(/\bGOE_(?!VARIABLES\b)[A-Z0-9_]+/g))
        named.add(m[0]);
    const listed = GOE_VARIABLES.map((v) => v.name);
    expect([...named].filter((n) => !listed.includes(n as never)).sort()).toEqual([]);
    expect(listed.filter((n) => !named.has(n) && n !== 'GOE_API_KEY')).toEqual([]);
  });

  it('reads a variable trimmed, and a blank one as unset', () => {
    expect(goeEnv('GOE_ZOO', { GOE_ZOO: ' /z ' })).toBe('/z');
    expect(goeEnv('GOE_ZOO', { GOE_ZOO: '  ' })).toBeUndefined();
    expect(goeEnv('GOE_ZOO', {})).toBeUndefined();
  });

  it('describes every variable on its own line', () => {
    const lines = describeVariables().split('\n');
    expect(lines).toHaveLength(GOE_VARIABLES.length);
    for (const v of GOE_VARIABLES) expect(describeVariables()).toContain(`${v.name}=${v.values}`);
  });

  it('has no direct process.env.GOE_* read outside this module', () => {
    const direct = sources().filter(
      // The SDK is a separate package: its users read their own environment (its docs show how).
      (f) =>
        !f.endsWith(join('runtime', 'config.ts')) &&
        !f.startsWith(join(root, 'sdk')) &&
        /process\.env\.GOE_|process\.env\[['"]GOE_/.test(readFileSync(f, 'utf8')),
    );
    expect(direct.map((f) => f.slice(root.length))).toEqual([]);
  });
});
