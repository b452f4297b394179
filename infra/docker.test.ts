import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './lambda/bundle.js';
import { DOCKER_CONTEXT_EXCLUDES, HEALTH_CHECK_COMMAND } from './lib/gpu-stack.js';

/**
 * No Docker engine here, so the Dockerfiles are checked as text: what they copy exists, what `goe serve`
 * imports is copied and installed by `npm ci --omit=dev`, and they run `goe serve` with a health check.
 */

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, with `\` continuations joined and comment lines dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    pending += ` ${line.replace(/\\$/, '')}`;
    if (line.endsWith('\\')) continue;
    const [op, ...rest] = pending.trim().split(/\s+/);
    out.push({ op: op.toUpperCase(), args: rest.join(' ') });
    pending = '';
  }
  return out;
}

const files = ['Dockerfile', 'Dockerfile.gpu'] as const;
const dockerfile = (name: string) => readFileSync(join(REPO_ROOT, 'infra', 'docker', name), 'utf8');
const dockerignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** `COPY` sources from the build context (not `--from` another stage), relative to the repo root. */
function contextSources(instructions: Instruction[]): string[] {
  return instructions
    .filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      return words.slice(0, -1);
    });
}

/** The local files and npm packages a module graph reaches (static and dynamic imports). */
async function importClosure(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT, // metafile paths are relative to it
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    outdir: join(REPO_ROOT, 'infra', 'dist', 'closure'),
  });
  const packages = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('node:') || builtinModules.includes(imp.path)) continue;
      const parts = imp.path.split('/');
      packages.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return { files: Object.keys(result.metafile.inputs), packages: [...packages].sort() };
}

for (const name of files) {
  describe(`infra/docker/${name}`, () => {
    const instructions = parseDockerfile(dockerfile(name));
    const sources = contextSources(instructions);

    it('copies only files that exist and that .dockerignore lets through', () => {
      expect(sources.length).toBeGreaterThan(5);
      for (const source of sources) {
        expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
        for (const pattern of dockerignore) {
          expect(source === pattern || source.startsWith(`${pattern}/`), `${source} vs ${pattern}`).toBe(
            false,
          );
        }
      }
    });

    it('installs production dependencies only, from the lock file', () => {
      const run = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
      expect(run.some((r) => r.includes('npm ci --omit=dev'))).toBe(true);
      expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    });

    it('runs goe serve on all interfaces through the zoo-syncing entrypoint', () => {
      const cmd = instructions.filter((i) => i.op === 'CMD').at(-1)!;
      const argv = JSON.parse(cmd.args) as string[];
      expect(argv.slice(0, 2)).toEqual(['goe', 'serve']);
      expect(argv[argv.indexOf('--host') + 1]).toBe('0.0.0.0');
      expect(argv[argv.indexOf('--port') + 1]).toBe('8080');
      expect(instructions.some((i) => i.op === 'EXPOSE' && i.args === '8080')).toBe(true);
      const entry = JSON.parse(instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1)!.args) as string[];
      expect(entry).toEqual(['goe-entrypoint']);
      expect(
        instructions.some((i) => i.op === 'COPY' && i.args.endsWith('/usr/local/bin/goe-entrypoint')),
      ).toBe(true);
      const link = instructions.find((i) => i.op === 'RUN' && i.args.includes('/usr/local/bin/goe'));
      expect(link?.args).toContain('ln -s /app/bin/goe.mjs /usr/local/bin/goe');
      expect(statSync(join(REPO_ROOT, 'infra/docker/entrypoint.sh')).mode & 0o111).not.toBe(0);
    });

    it('has a HEALTHCHECK on /healthz, the same command as the ECS task definition', () => {
      const check = instructions.find((i) => i.op === 'HEALTHCHECK');
      expect(check).toBeDefined();
      const json = check!.args.slice(check!.args.indexOf('CMD ') + 4);
      expect(['CMD', ...(JSON.parse(json) as string[])]).toEqual(HEALTH_CHECK_COMMAND);
      expect(json).toContain('/healthz');
    });

    it('copies every file goe serve and the zoo sync import, and npm ci --omit=dev installs their packages', async () => {
      const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
      const installed = new Set([
        ...Object.keys(pkg.dependencies),
        ...Object.keys(pkg.optionalDependencies ?? {}),
      ]);
      const copied = (file: string) => sources.some((s) => file === s || file.startsWith(`${s}/`));
      for (const entry of ['cli/main.ts', 'infra/bin/sync-zoo.ts']) {
        const closure = await importClosure(entry);
        const local = closure.files;
        expect(local.length).toBeGreaterThan(entry.startsWith('cli') ? 50 : 1);
        expect(local.filter((f) => !copied(f))).toEqual([]);
        expect(closure.packages.filter((p) => !installed.has(p))).toEqual([]);
      }
      for (const runtimeFile of ['bin/goe.mjs', 'openapi.yaml', 'package.json'])
        expect(copied(runtimeFile)).toBe(true);
    });
  });
}

describe('the docker context', () => {
  it('excludes the same paths in .dockerignore and in the CDK image asset', () => {
    expect(dockerignore).toEqual(DOCKER_CONTEXT_EXCLUDES);
  });

  it('Dockerfile.gpu states the CUDA and cuDNN versions libtensorflow 2.9 needs and uses them', () => {
    const text = dockerfile('Dockerfile.gpu');
    expect(text).toMatch(/libtensorflow 2\.9\.1/);
    expect(text).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    expect(text).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-/m);
    const gpu = parseDockerfile(text);
    expect(gpu.filter((i) => i.op === 'FROM').at(-1)!.args).toBe(`\${CUDA_IMAGE}`);
    expect(gpu.some((i) => i.op === 'ENV' && i.args.includes('GOE_BACKEND=node-gpu'))).toBe(true);
  });

  it('Dockerfile runs on node 20 slim and prefers the native CPU backend', () => {
    const cpu = parseDockerfile(dockerfile('Dockerfile'));
    expect(cpu.filter((i) => i.op === 'FROM').at(-1)!.args).toBe(`node:\${NODE_VERSION}-bookworm-slim`);
    expect(cpu.find((i) => i.op === 'ARG')!.args).toBe('NODE_VERSION=20');
    expect(cpu.some((i) => i.op === 'ENV' && i.args.includes('GOE_BACKEND=node'))).toBe(true);
  });
});
