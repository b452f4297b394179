import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { zooDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { requirePython } from '../../runtime/python.js';
import { repoRoot as REPO_ROOT } from '../../trainer/datasets/locate.js';
import { type CliRun, runGoe, runProcess } from '../helpers/cli.js';

/**
 * The worked examples in examples/, run as their READMEs say, on tiny settings, against a real `goe serve`
 * (the zoo the repository ships, with an API key) on a loopback socket.
 */

const KEY = 'examples-test-key';
let server: RunningServer;
let dir: string;
const requests: { path: string; status: number }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goe-examples-'));
  server = await startServer({
    zoo: zooDir(),
    port: 0,
    keys: [KEY],
    backend: async () => (await initBackend()).choice,
    log: (_level, msg, fields = {}) => {
      if (msg === 'request') requests.push({ path: String(fields.path), status: Number(fields.status) });
    },
  });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A command run from the repository (or `cwd`) with goe's logs silenced, as the examples' READMEs run it. */
function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
): Promise<CliRun> {
  return runProcess(cmd, args, { cwd, env: { GOE_LOG: 'silent', ...env } });
}

/** The `goe metrics --scores` JSON of a scores file, checked to be a valid result. */
async function metricsOf(csv: string): Promise<{ auroc: number; fpr95: number }> {
  const m = await runGoe(['metrics', '--scores', csv, '--json']);
  expect(m.code, m.stderr).toBe(0);
  const r = JSON.parse(m.stdout) as { auroc: number; auprIn: number; auprOut: number; fpr95: number };
  for (const v of Object.values(r)) expect(v).toBeGreaterThanOrEqual(0);
  for (const v of Object.values(r)) expect(v).toBeLessThanOrEqual(100);
  return r;
}

const outlierRequests = () => requests.filter((r) => r.path === '/outliers' && r.status === 200).length;

describe('examples/pytorch', () => {
  it('pulls .npy over HTTP into a DataLoader, fine-tunes with the OE loss and scores for goe metrics', async () => {
    const scores = join(dir, 'torch-scores.csv');
    const before = outlierRequests();
    const r = await run(
      requirePython(['torch', 'numpy']),
      [
        'examples/pytorch/oe_finetune.py',
        '--api',
        server.url,
        '--synthetic',
        '256',
        '--outliers',
        '128',
        '--epochs',
        '1',
        '--scores',
        scores,
      ],
      { GOE_API_KEY: KEY },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { outliers: number[]; outliers_sha256: string };
    expect(out.outliers).toEqual([128, 28, 28, 1]);
    expect(outlierRequests()).toBe(before + 1);
    // The bytes the example trained on are the API's for that request.
    const direct = await fetch(`${server.url}/outliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'fashion-mnist-cgan', sigma2: 50, count: 128, seed: 7, format: 'npy' }),
    });
    const sha = createHash('sha256')
      .update(Buffer.from(await direct.arrayBuffer()))
      .digest('hex');
    expect(out.outliers_sha256).toBe(sha);
    const csv = (await readFile(scores, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('score,is_ood');
    expect(csv).toHaveLength(1 + 64 + 64);
    await metricsOf(scores);
  });

  it('says what the server refused, without a traceback', async () => {
    const r = await run(
      requirePython(['torch', 'numpy']),
      [
        'examples/pytorch/oe_finetune.py',
        '--api',
        server.url,
        '--synthetic',
        '64',
        '--scores',
        join(dir, 'x.csv'),
      ],
      { GOE_API_KEY: 'a-wrong-api-key' },
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('goe: 401 Unauthorized: the bearer API key is not valid');
  });
});

describe('examples/tfjs', () => {
  it('streams outliers with streamOutliers + oeBatches into a tf.LayersModel loop and scores for goe metrics', async () => {
    const scores = join(dir, 'tfjs-scores.csv');
    const before = outlierRequests();
    const r = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'examples/tfjs/oe-train.ts',
        '--api',
        server.url,
        '--synthetic',
        '256',
        '--epochs',
        '2',
        '--scores',
        scores,
      ],
      { GOE_API_KEY: KEY },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { steps: number; testAccuracy: number };
    // 256 images in batches of 64, two epochs, one outlier stream (HTTP request) per epoch.
    expect(out.steps).toBe(8);
    expect(outlierRequests()).toBe(before + 2);
    // Class k of the synthetic set is a bar at row 2k+3: a working loop learns it.
    expect(out.testAccuracy).toBeGreaterThan(0.5);
    const csv = (await readFile(scores, 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(1 + 64 + 64);
    await metricsOf(scores);
  });
});

describe('examples/ci', () => {
  interface Workflow {
    jobs: { outliers: { env: Record<string, string>; steps: { name?: string; run?: string }[] } };
  }

  /** A user's project after `npm ci`: `npx goe` resolves to node_modules/.bin/goe (here: this checkout's). */
  async function userProject(): Promise<string> {
    const project = await mkdtemp(join(dir, 'project-'));
    await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
    await symlink(join(REPO_ROOT, 'bin', 'goe.mjs'), join(project, 'node_modules', '.bin', 'goe'));
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, devDependencies: { goe: '*' } }),
    );
    return project;
  }

  /** Runs the workflow's named steps (those after checkout, setup and `npm ci`) as GitHub would: bash -e. */
  async function runSteps(wf: Workflow, env: Record<string, string>, cwd: string): Promise<CliRun[]> {
    const job = wf.jobs.outliers;
    const jobEnv = Object.fromEntries(
      Object.entries(job.env).filter(([, v]) => !String(v).includes('${{')),
    ) as Record<string, string>;
    const out: CliRun[] = [];
    for (const step of job.steps.filter((s) => s.name && s.run)) {
      const r = await run(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!],
        { ...jobEnv, ...env },
        cwd,
      );
      out.push(r);
      if (r.code !== 0) break;
    }
    return out;
  }

  it('the GitHub Actions steps pull a fixed-seed batch with --expect-model-digest, byte-identical on a second run from the cache', async () => {
    const wf = parse(await readFile(join(REPO_ROOT, 'examples', 'ci', 'outliers.yml'), 'utf8')) as Workflow;
    const steps = wf.jobs.outliers.steps.filter((s) => s.name && s.run);
    expect(steps.map((s) => s.name)).toEqual(['Pull fixed-seed outliers', 'Check the batch']);
    expect(steps[0].run).toContain('--expect-model-digest "$GOE_GENERATOR_DIGEST"');
    // The digest pinned in the snippet is the shipped generator's.
    const manifest = JSON.parse(
      await readFile(join(REPO_ROOT, 'zoo', 'fashion-mnist-cgan', 'manifest.json'), 'utf8'),
    ) as { weights: { digest: string } };
    expect(wf.jobs.outliers.env.GOE_GENERATOR_DIGEST).toBe(manifest.weights.digest);

    const cache = join(dir, 'ci-cache');
    const env = {
      GOE_API: server.url,
      GOE_API_KEY: KEY,
      GOE_CACHE_DIR: cache,
      GOE_PYTHON: requirePython(['numpy']),
    };
    const first = await userProject();
    const a = await runSteps(wf, env, first);
    expect(
      a.map((r) => r.code),
      a.map((r) => r.stderr).join('\n'),
    ).toEqual([0, 0]);
    expect(a[1].stdout.trim()).toBe('(1000, 28, 28, 1) uint8');
    const pulled = JSON.parse(await readFile(join(first, 'outliers.json'), 'utf8')) as { count: number };
    expect(pulled.count).toBe(1000);

    // The next CI run (actions/cache restored GOE_CACHE_DIR): the same bytes, from the cache.
    const second = await userProject();
    const b = await runSteps(wf, env, second);
    expect(b.map((r) => r.code)).toEqual([0, 0]);
    expect(b[0].stderr).toContain('cache hit');
    expect(
      Buffer.compare(
        await readFile(join(first, 'outliers.npy')),
        await readFile(join(second, 'outliers.npy')),
      ),
    ).toBe(0);
  });

  it('fails the job with exit 5 when the server has another generator than the pinned digest', async () => {
    const wf = parse(await readFile(join(REPO_ROOT, 'examples', 'ci', 'outliers.yml'), 'utf8')) as Workflow;
    const project = await userProject();
    const r = await runSteps(
      wf,
      {
        GOE_API: server.url,
        GOE_API_KEY: KEY,
        GOE_CACHE_DIR: join(dir, 'ci-cache-2'),
        GOE_GENERATOR_DIGEST: `sha256:${'0'.repeat(64)}`,
      },
      project,
    );
    expect(r).toHaveLength(1);
    expect(r[0].code).toBe(5);
  });
});
