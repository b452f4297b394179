import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The dependency rule of DESIGN.md, checked on the real import graph (madge resolves each `./x.js`
 * specifier to its `.ts` file; type-only imports count, since a type cycle is a cycle to a reader):
 *
 *   cli → api | sdk | trainer → generators → runtime;  the SDK imports nothing outside sdk/.
 *
 * A folder may import itself and the folders to its right; api may read the SDK's generated contract
 * types (sdk/schema.d.ts) and nothing else of the SDK; api never imports the trainer.
 */
const LAYERS = ['cli', 'api', 'sdk', 'trainer', 'generators', 'runtime'] as const;
type Layer = (typeof LAYERS)[number];

const ALLOWED: Record<Layer | 'bench', readonly (Layer | 'bench')[]> = {
  // `goe bench` runs the benchmark scripts; bench/ sits beside the CLI, outside the layered core.
  cli: ['cli', 'api', 'sdk', 'trainer', 'generators', 'runtime', 'bench'],
  bench: [],
  api: ['api', 'generators', 'runtime'],
  sdk: ['sdk'],
  trainer: ['trainer', 'generators', 'runtime'],
  generators: ['generators', 'runtime'],
  runtime: ['runtime'],
};
/** Single files a layer may import although their folder is not allowed (with why). */
const EXCEPTIONS: Partial<Record<Layer, readonly string[]>> = {
  // Types at the edges are generated once (openapi-typescript), never retyped: STYLE.md habit 3.
  api: ['sdk/schema.d.ts'],
  // The SDK's NDJSON decoder is the one copy (it ships alone); the server's codecs re-export it (DESIGN.md).
  runtime: ['sdk/codec-error.ts', 'sdk/ndjson.ts'],
};

/**
 * Known breaks of the rule that work in flight removes (the SDK becoming its own package, with its own
 * NDJSON decoding and TF.js adapter). Each must still occur: once fixed, delete its line here.
 */
const PENDING: readonly string[] = [];

/** Modules only tests import (shipped code never does), so they may use the test helpers. */
const TEST_SUPPORT: readonly string[] = ['trainer/metrics/sklearn-reference.ts'];

const layerOf = (file: string): Layer | 'bench' | undefined =>
  file.startsWith('bench/') ? 'bench' : LAYERS.find((l) => file.startsWith(`${l}/`));
// Tests may reach across layers (an API test drives the SDK client); the rule is about shipped code.
const isTest = (file: string) =>
  /\.test\.ts$|(^|\/)test-[\w-]+\.ts$/.test(file) || TEST_SUPPORT.includes(file);

describe('architecture', () => {
  let graph: Record<string, string[]>;
  let cycles: string[][];

  beforeAll(async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const result = await madge([...LAYERS], {
      baseDir: root,
      fileExtensions: ['ts'],
      tsConfig: `${root}/tsconfig.json`,
      excludeRegExp: [/node_modules/, /\.test\.ts$/, /(^|\/)test-[\w-]+\.ts$/],
    });
    graph = result.obj();
    cycles = result.circular();
  });

  it('reads the whole source tree', () => {
    expect(Object.keys(graph).length).toBeGreaterThan(200);
    expect(graph['api/app.ts']?.length).toBeGreaterThan(3);
  });

  it('follows cli → api | sdk | trainer → generators → runtime, with the SDK alone', () => {
    const violations: string[] = [];
    for (const [file, deps] of Object.entries(graph)) {
      const from = layerOf(file);
      if (!from || from === 'bench' || isTest(file)) continue;
      for (const dep of deps) {
        const to = layerOf(dep);
        if (!to) {
          violations.push(`${file} → ${dep} (outside the layers)`);
          continue;
        }
        if (!ALLOWED[from].includes(to) && !EXCEPTIONS[from as Layer]?.includes(dep)) {
          violations.push(`${file} → ${dep}`);
        }
      }
    }
    expect(violations.filter((v) => !PENDING.includes(v))).toEqual([]);
    expect(
      PENDING.filter((p) => !violations.includes(p)),
      'fixed: delete from PENDING',
    ).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles.map((c) => c.join(' → '))).toEqual([]);
  });
});
