/**
 * @goe/sdk as a user gets it: `npm pack` of the workspace (its `prepack` builds dist/ with tsc), installed
 * with no network into a fresh project outside the repository, next to a real `goe serve` (startServer on
 * 127.0.0.1, port 0, over a temp zoo). Checks that plain Node imports it by name and streams rows
 * byte-identical to `goe pull`, that TypeScript consumers (node16 and bundler resolution) get the contract's
 * types (a wrong field fails), that a bundler building it for the browser meets no Node built-in and no
 * TF.js in the main entry, and that the `./tfjs` entry works with the user's own tfjs-core.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { initBackend } from '../../runtime/backend/index.js';
import { parseNpyHeader } from '../../runtime/codecs/index.js';
import { runGoe, runProcess } from '../helpers/cli.js';
import { offlineProject, type Tarball } from '../helpers/npm.js';
import { tempZoo } from '../helpers/zoo.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const MODEL = 'e2e-cgan';
const ROWS = 1000;
// No registry: every install below must come from the npm cache, or fail.
const OFFLINE = { npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };

interface PackResult {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  integrity: string;
  files: { path: string; size: number }[];
}

let work: string;
let project: string;
let zoo: string;
let server: RunningServer;
let packed: PackResult;
let rootPacked: PackResult;

/** Runs a consumer script with plain Node (no tsx, no loader) in the consumer project. */
async function node(script: string, ...args: string[]) {
  const run = await runProcess(process.execPath, [script, ...args], { cwd: project });
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'goe-sdk-package-'));
  project = join(work, 'consumer');
  await mkdir(project);
  const serving = (async () => {
    await initBackend();
    zoo = await tempZoo({ gWidth: 8, dWidth: 8 }, MODEL);
    server = await startServer({ zoo, host: '127.0.0.1', port: 0, log: () => undefined });
  })();

  // --json sends the prepack build's output to stderr and the pack report to stdout.
  const pack = await runProcess('npm', ['pack', '-w', '@goe/sdk', '--json', '--pack-destination', work], {
    cwd: repo,
    env: OFFLINE,
  });
  expect(pack.code, pack.stderr).toBe(0);
  [packed] = JSON.parse(pack.stdout) as PackResult[];
  const sdkPackage = JSON.parse(await readFile(join(repo, 'sdk', 'package.json'), 'utf8'));
  const tarball: Tarball = {
    name: packed.name,
    version: packed.version,
    path: join(work, packed.filename),
    integrity: packed.integrity,
    dependencies: sdkPackage.dependencies,
  };
  // The user's own TF.js for the ./tfjs entry, and @types/node for the node16 TypeScript consumer.
  const extra = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@types/node'];
  const { packageJson, lockfile } = offlineProject(join(repo, 'package-lock.json'), [tarball], extra);
  await writeFile(join(project, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(project, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
  const [install, rootPack] = await Promise.all([
    runProcess('npm', ['ci', '--ignore-scripts'], { cwd: project, env: OFFLINE }),
    // The root package's file list; its prepack would rebuild the sdk/dist/ that was just built.
    runProcess('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, env: OFFLINE }),
  ]);
  expect(install.code, install.stderr).toBe(0);
  expect(rootPack.code, rootPack.stderr).toBe(0);
  [rootPacked] = JSON.parse(rootPack.stdout) as PackResult[];
  await serving;
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (zoo) await rm(zoo, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('@goe/sdk packed and installed outside the repository', () => {
  it('ships only dist/, its README and package.json, and prints its size and file list', () => {
    const paths = packed.files.map((f) => f.path).sort();
    console.log(
      `${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${paths.length} files\n` +
        packed.files.map((f) => `  ${String(f.size).padStart(7)}  ${f.path}`).join('\n'),
    );
    expect(paths.filter((p) => !p.startsWith('dist/'))).toEqual(['README.md', 'package.json']);
    for (const entry of ['index', 'tfjs', 'schema']) {
      expect(paths).toContain(`dist/${entry}.d.ts`);
    }
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('dist/tfjs.js');
    expect(paths.filter((p) => /test|fixture/.test(p))).toEqual([]);
  });

  it('streams 1,000 rows into plain Node ESM, byte-identical to `goe pull`', async () => {
    await writeFile(
      join(project, 'stream.mjs'),
      `import { writeFile } from 'node:fs/promises';
import { streamOutliers, UnknownModelError } from '@goe/sdk';

const [baseUrl, model, count, out] = process.argv.slice(2);
const stream = streamOutliers({ model, count: Number(count), seed: 11, sigma2: 50 }, { baseUrl, batchSize: 256 });
const parts = [];
const shapes = [];
for await (const batch of stream) {
  shapes.push(batch.shape);
  parts.push(batch.data);
}
await writeFile(out, Buffer.concat(parts));
let refused;
try {
  for await (const _ of streamOutliers({ model: 'no-such-model', count: 1 }, { baseUrl, retry: false })) break;
} catch (err) {
  refused = { isUnknownModel: err instanceof UnknownModelError, status: err.status, slug: err.slug };
}
console.log(JSON.stringify({ shapes, seed: stream.info.seed, refused }));
`,
    );
    const streamed = join(work, 'streamed.bin');
    const pulled = join(work, 'pulled.npy');
    const [stdout, pull] = await Promise.all([
      node('stream.mjs', server.url, MODEL, String(ROWS), streamed),
      runGoe(
        [
          'pull',
          '--api',
          server.url,
          '--model',
          MODEL,
          '--seed',
          '11',
          '--count',
          `${ROWS}`,
          '--sigma2',
          '50',
        ].concat(['--out', pulled, '--no-cache']),
        { GOE_CACHE_DIR: join(work, 'cache') },
      ),
    ]);
    expect(pull.code, pull.stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.shapes).toEqual([
      [256, 28, 28, 1],
      [256, 28, 28, 1],
      [256, 28, 28, 1],
      [232, 28, 28, 1],
    ]);
    expect(result.seed).toBe(11);
    expect(result.refused).toEqual({ isUnknownModel: true, status: 404, slug: 'unknown-model' });

    const npy = new Uint8Array(await readFile(pulled));
    const header = parseNpyHeader(npy);
    expect(header).toMatchObject({ shape: [ROWS, 28, 28, 1], dtype: 'uint8' });
    const pixels = new Uint8Array(await readFile(streamed));
    expect(pixels.length).toBe(ROWS * 784);
    const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(sha256(pixels)).toBe(sha256(npy.subarray(header.dataOffset)));
  });

  it('loads with require() where Node runs ES modules from require (Node ≥ 20.19), with the same classes', async () => {
    await writeFile(
      join(project, 'require.cjs'),
      `try {
  const sdk = require('@goe/sdk');
  console.log(JSON.stringify({ ok: typeof sdk.streamOutliers === 'function' && typeof sdk.GoeApiError === 'function' }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, code: err.code }));
}
`,
    );
    const result = JSON.parse(await node('require.cjs'));
    // One ESM build, no CommonJS copy (whose error classes would fail `instanceof` against the ESM ones).
    const requireEsm = (process.features as { require_module?: boolean }).require_module === true;
    expect(result).toEqual(requireEsm ? { ok: true } : { ok: false, code: 'ERR_REQUIRE_ESM' });
  });

  it('the ./tfjs entry turns a streamed batch into a tensor of the user’s own tfjs-core', async () => {
    await writeFile(
      join(project, 'tfjs.mjs'),
      `import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { streamOutliers } from '@goe/sdk';
import { batchToTensor } from '@goe/sdk/tfjs';

await tf.setBackend('cpu');
const [baseUrl, model] = process.argv.slice(2);
for await (const batch of streamOutliers({ model, count: 8, seed: 3, sigma2: 50 }, { baseUrl })) {
  const t = batchToTensor(batch);
  const sum = tf.tidy(() => tf.sum(t).dataSync()[0]);
  const expected = batch.data.reduce((a, b) => a + b, 0) / 255;
  console.log(JSON.stringify({ shape: t.shape, dtype: t.dtype, max: tf.max(t).dataSync()[0], sum, expected }));
}
`,
    );
    const result = JSON.parse(await node('tfjs.mjs', server.url, MODEL));
    expect(result).toMatchObject({ shape: [8, 28, 28, 1], dtype: 'float32' });
    expect(result.max).toBeLessThanOrEqual(1);
    expect(result.sum).toBeCloseTo(result.expected, 1);
  });

  it('builds for the browser with a bundler: no Node built-in, and the main entry never pulls in TF.js', async () => {
    await writeFile(join(project, 'browser.js'), "export { streamOutliers } from '@goe/sdk';\n");
    const bundle = await build({
      absWorkingDir: project,
      entryPoints: ['browser.js'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const imports = Object.values(bundle.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith('node:') || builtins.has(p))).toEqual([]);
    expect(inputs.some((p) => p.includes('node_modules/@goe/sdk/dist/index.js'))).toBe(true);
    expect(inputs.filter((p) => p.includes('@tensorflow'))).toEqual([]);
    expect(inputs.filter((p) => !p.startsWith('node_modules/') && p !== 'browser.js')).toEqual([]);
  });

  it('type-checks TypeScript consumers (node16 and bundler resolution); a wrong field name fails', async () => {
    const results = await Promise.all((['node16', 'bundler'] as const).map(typeCheck));
    for (const { resolution, run } of results) {
      const errors = run.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
      expect(run.code, resolution).not.toBe(0);
      // Exactly the two planted mistakes, none in good.ts.
      expect(errors, `${resolution}:\n${run.stdout}`).toHaveLength(2);
      expect(errors[0]).toMatch(
        /^bad\.ts\(3,\d+\): error TS2561: .*'sigmaa2'.*Did you mean to write 'sigma2'\?/,
      );
      expect(errors[1]).toMatch(
        /^bad\.ts\(7,\d+\): error TS2551: Property 'labelz' does not exist.*'labels'\?/,
      );
    }
  });
});

describe('the root package goe', () => {
  it('ships the CLI, the zoo `goe serve` uses by default and the SDK build; no tests, reports or caches', () => {
    const paths = rootPacked.files.map((f) => f.path);
    console.log(
      `goe: ${rootPacked.size} bytes packed, ${rootPacked.unpackedSize} unpacked, ${paths.length} files`,
    );
    for (const needed of [
      'bin/goe.mjs',
      'cli/main.ts',
      'api/entries/node.ts',
      'openapi.yaml',
      'sdk/dist/index.js',
      'sdk/dist/index.d.ts',
      'sdk/dist/tfjs.js',
      'sdk/ndjson.ts',
      'zoo/fashion-mnist-cgan/manifest.json',
      'zoo/fashion-mnist-cgan/generator.safetensors',
      // Its ONNX twin (GOE_RUNTIME=auto serves it) and the imported ONNX generator.
      'zoo/fashion-mnist-cgan/model.onnx',
      'zoo/mnist-mlp-gan/generator.onnx',
      'zoo/brown-lm/manifest.json',
    ]) {
      expect(paths).toContain(needed);
    }
    const unwanted =
      /(^|\/)(test|reports|infra|coverage|\.goe|checkpoint|node_modules)\/|\.test\.ts$|test-fixtures/;
    expect(paths.filter((p) => unwanted.test(p))).toEqual([]);
  });

  it('re-exports the SDK as goe/sdk and goe/sdk/tfjs through its exports map', async () => {
    const script =
      "const sdk = await import('goe/sdk'); const tfjs = await import('goe/sdk/tfjs');" +
      'console.log(typeof sdk.streamOutliers, typeof tfjs.batchToTensor);';
    // Node resolves a package's own name through its exports map (self-reference), as an installed copy would.
    const run = await runProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('function function');
  });
});

/**
 * Type-checks good.ts and bad.ts of a consumer with `moduleResolution` node16 (a Node project: Node's
 * typings, no DOM) or bundler (a browser project). `skipLibCheck` as `tsc --init` sets it (tfjs-core's own
 * typings do not check without DOM and @types/long); an SDK type that failed to resolve would then be
 * `any`, which bad.ts catches: its two mistakes are errors only while the real types arrive.
 */
async function typeCheck(resolution: 'node16' | 'bundler') {
  const dir = join(project, `ts-${resolution}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'good.ts'),
    `import { GoeApiError, type ImageRow, type OutlierBatch, type OutlierRequest, streamOutliers } from '@goe/sdk';
import type { ToTensorOptions } from '@goe/sdk/tfjs';

export const request: OutlierRequest = { model: 'fashion-mnist-cgan', count: 1000, seed: 11, sigma2: 50, format: 'npy' };
export const row: ImageRow = { index: 0, class: 3, label: 'Dress', shape: [28, 28, 1], dtype: 'uint8', data: 'AA==' };
export const options: ToTensorOptions = { scale: false };

export async function count(baseUrl: string): Promise<number> {
  let n = 0;
  try {
    for await (const batch of streamOutliers({ model: request.model, count: 10 }, { baseUrl })) {
      const b: OutlierBatch = batch;
      n += b.kind === 'image' ? b.data.length / (b.shape[1] * b.shape[2] * b.shape[3]) : b.texts.length;
    }
  } catch (err) {
    if (err instanceof GoeApiError) return -err.status;
    throw err;
  }
  return n;
}
`,
  );
  await writeFile(
    join(dir, 'bad.ts'),
    `import { type OutlierRequest, streamOutliers } from '@goe/sdk';

export const request: OutlierRequest = { model: 'fashion-mnist-cgan', count: 10, sigmaa2: 50 };

export async function labels(baseUrl: string): Promise<void> {
  for await (const batch of streamOutliers({ model: 'fashion-mnist-cgan' }, { baseUrl })) {
    if (batch.kind === 'image') console.log(batch.labelz);
  }
}
`,
  );
  const compilerOptions =
    resolution === 'node16'
      ? { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] }
      : { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] };
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: ['good.ts', 'bad.ts'],
    }),
  );
  const run = await runProcess(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir });
  return { resolution, run };
}
