import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** The repository root (this file is `infra/lambda/bundle.ts`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where `npm run infra:bundle` and `cdk synth` put the bundle (gitignored). */
export const DEFAULT_BUNDLE_DIR = join(REPO_ROOT, 'infra', 'dist', 'lambda');

/** The Lambda `handler` setting for a bundle made by {@link buildLambdaBundle}. */
export const BUNDLE_HANDLER = 'lambda/index.handler';

/** The `.wasm` binaries of `@tensorflow/tfjs-backend-wasm` (Node picks the SIMD one, else the plain one). */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

// What an ES module bundle needs for the CommonJS code inside it. esbuild's `__require` shim throws for
// Node built-ins unless a real `require` exists, and tfjs-backend-wasm's Emscripten loader finds its
// `.wasm` through `__dirname`, so the binaries are loaded from beside the bundle (`lambda/`) with no
// `setWasmPaths` call in runtime/backend/select.ts.
const BANNER = [
  "import { createRequire as __goeCreateRequire } from 'node:module';",
  "import { fileURLToPath as __goeFileURLToPath } from 'node:url';",
  "import { dirname as __goeDirname } from 'node:path';",
  'const require = __goeCreateRequire(import.meta.url);',
  'const __filename = __goeFileURLToPath(import.meta.url);',
  'const __dirname = __goeDirname(__filename);',
].join('\n');

/** esbuild's options for the Lambda bundle; exported so tests and tools build exactly the same thing. */
export function lambdaBuildOptions(outDir: string): BuildOptions {
  return {
    entryPoints: [join(REPO_ROOT, 'infra', 'lambda', 'handler.ts')],
    outfile: join(outDir, 'lambda', 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // The native backends are optionalDependencies that Lambda never loads (GOE_BACKEND=wasm); left out,
    // runtime/backend's import of them fails and is skipped like on a machine without them. ONNX Runtime
    // (native .node binaries esbuild cannot bundle) is left out too: imported ONNX generators are served by
    // the container service, and on Lambda loading one is an error naming the package.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'],
    banner: { js: BANNER },
    // Not minified: Node prints the source line of an uncaught error, and a minified bundle's lines are
    // 100 kB each; readable names and lines also make CloudWatch stack traces usable without a source map.
    legalComments: 'external',
    metafile: true,
    logLevel: 'warning',
    // The bundle reads openapi.yaml and package.json from `..` (api/contract.ts, api/version.ts resolve
    // them against import.meta.url), so it lives one folder down: <asset>/lambda/index.mjs.
  };
}

/** What {@link buildLambdaBundle} produced. */
export interface LambdaBundle {
  /** The asset folder to upload (`lambda.Code.fromAsset(dir)`). */
  dir: string;
  handler: string;
  /** Size of `lambda/index.mjs`. */
  bytes: number;
  metafile: Metafile;
}

/**
 * Builds the Lambda asset folder, replacing what was there:
 * ```
 * <dir>/package.json        name and version (api/version.ts), "type": "module"
 * <dir>/openapi.yaml        the contract the app validates against and serves
 * <dir>/lambda/index.mjs    the esbuild bundle of infra/lambda/handler.ts (+ its legal notices)
 * <dir>/lambda/*.wasm       tfjs-backend-wasm's binaries, found through __dirname
 * <dir>/lambda/static/      the preview page's files (api/page/index.ts reads them beside its module)
 * ```
 * Synchronous (esbuild's `buildSync`), because a CDK app is constructed synchronously.
 */
export function buildLambdaBundle(dir: string = DEFAULT_BUNDLE_DIR): LambdaBundle {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'lambda'), { recursive: true });
  const result = buildSync(lambdaBuildOptions(dir));
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module' }, null, 2)}\n`,
  );
  copyFileSync(join(REPO_ROOT, 'openapi.yaml'), join(dir, 'openapi.yaml'));
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  for (const file of WASM_FILES) copyFileSync(join(wasmDir, file), join(dir, 'lambda', file));
  cpSync(join(REPO_ROOT, 'api', 'page', 'static'), join(dir, 'lambda', 'static'), { recursive: true });
  const out = join(dir, 'lambda', 'index.mjs');
  return {
    dir,
    handler: BUNDLE_HANDLER,
    bytes: readFileSync(out).length,
    metafile: result.metafile!,
  };
}
