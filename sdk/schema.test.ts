import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../node_modules/openapi-typescript/bin/cli.js', import.meta.url));

describe('sdk/schema.d.ts', () => {
  it('is what `npm run gen:sdk` makes from openapi.yaml today (else run it and commit)', () => {
    // The same arguments as the npm script, so the two cannot drift apart.
    const { scripts } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    const [tool, ...args] = scripts['gen:sdk'].split(/\s+/);
    expect(tool).toBe('openapi-typescript');
    // --check regenerates in memory and exits 1 when the file on disk differs.
    const run = spawnSync(process.execPath, [bin, ...args, '--check'], { cwd: root, encoding: 'utf8' });
    expect(run.status, `${run.stdout}${run.stderr}\nsdk/schema.d.ts is stale: run \`npm run gen:sdk\``).toBe(
      0,
    );
  });
});
