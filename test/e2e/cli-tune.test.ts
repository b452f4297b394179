import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGoe } from '../helpers/cli.js';
import { writeMnistFixture } from '../helpers/mnist-fixture.js';
import { tempZoo } from '../helpers/zoo.js';

/**
 * `goe tune`, `goe finetune` with a mixture and `goe reproduce tune --quick` as a user runs them: real
 * processes, a temporary zoo (a tiny random generator), the synthetic MNIST fixture for evaluation.
 */

let dir: string;
let zoo: string;
const mnist = writeMnistFixture(96);
const env = () => ({ GOE_ZOO: zoo, GOE_MNIST_DIR: mnist.dir });
const base = () => join(dir, 'base');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goe-e2e-tune-'));
  zoo = await tempZoo();
  // The small CNN: goe tune's proxies train the baseline's backbone, and the reference CNN costs twice as much.
  const t = await runGoe(
    ['train', '--out', base(), '--arch', 'small-cnn', '--epochs', '1', '--limit', '512'],
    env(),
  );
  expect(t.code, t.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(zoo, { recursive: true, force: true });
  await rm(mnist.dir, { recursive: true, force: true });
});

describe('bad input: one line naming it, exit 1, no work', () => {
  it.each([
    [['tune', '--from', '.', '--grid', '1,abc'], /--grid entry "abc"/],
    [['tune', '--from', '.', '--grid', '5,5'], /--grid lists 5 twice/],
    [
      ['tune', '--from', '.', '--mixtures', 'generated:sigma2=5,noise:0'],
      /--mixtures part "noise:0": weight/,
    ],
    [['tune', '--from', '/nonexistent-dir'], /--from \/nonexistent-dir: not a classifier folder/],
    [['tune', '--from', 'fashion-mnist-cgan'], /--from fashion-mnist-cgan is not a classifier/],
  ])('goe %j', async (args, message) => {
    const r = await runGoe(args, env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('goe finetune refuses a bad mixture part', async () => {
    const r = await runGoe(
      ['finetune', '--from', base(), '--outliers', 'generated:sigma2=-1,noise', '--out', join(dir, 'x')],
      env(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--outliers part "generated:sigma2=-1": sigma2 must be a non-negative number/);
  });
});

describe('goe finetune with a mixture', () => {
  it('records the parts, their pool sizes and per-batch quotas', async () => {
    const out = join(dir, 'mix');
    const r = await runGoe(
      [
        ...['finetune', '--from', base(), '--outliers', 'generated:sigma2=5,generated:sigma2=50,noise:2'],
        ...['--limit', '256', '--outlier-count', '200', '--outlier-batch', '64', '--out', out],
      ],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(m.training.outliers.mix.map((p: { perBatch: number }) => p.perBatch)).toEqual([16, 16, 32]);
    expect(m.training.outliers.mix.map((p: { count: number }) => p.count)).toEqual([50, 50, 100]);
    expect(m.training.outliers.pool).toMatch(
      /^mix\(16\/64 generated σ²=5, 16\/64 generated σ²=50, 32\/64 noise\)$/,
    );
  }, 300_000);
});

describe('goe tune --quick', () => {
  it('recommends a σ² per loss with every grid point scored, as JSON', async () => {
    const r = await runGoe(
      [
        'tune',
        '--from',
        base(),
        '--grid',
        '1,50',
        '--mixtures',
        'generated:sigma2=1,noise',
        '--quick',
        '--json',
      ],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.rows.map((x: { candidate: string }) => x.candidate)).toEqual([
      'σ²=1',
      'σ²=50',
      'generated:sigma2=1,noise',
    ]);
    for (const row of t.rows) {
      expect(row.heldOut.oe).toBeGreaterThanOrEqual(0);
      expect(row.placement.diversity).toBeGreaterThan(0);
    }
    expect(t.recommended.oe.why).toBeTruthy();
    expect(t.recommended.energy.candidate).toBeTruthy();
    expect(t.budget.heldOutCovered).toHaveLength(3);
    // Criterion (b) scores the grid points (not the mixture), each against the other level and noise.
    expect(t.budget.crossCovered).toHaveLength(2);
    expect(Object.keys(t.rows[0].crossSigma.oe.noise)).toEqual(['uniform', 'gaussian']);
    expect(t.rows[0].crossSigma.energy.value).toBeGreaterThanOrEqual(0);
    expect(t.rows[2].crossSigma).toBeUndefined();
  }, 300_000);
});

describe('goe reproduce tune --quick', () => {
  it('runs the pipeline and writes the report', async () => {
    const runs = join(dir, 'reproduce');
    const r = await runGoe(['reproduce', 'tune', '--quick', '--runs', runs, '--jobs', '2'], env(), 600_000);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(runs, 'report', 'tune-quick.json'), 'utf8'));
    expect(report.mode).toBe('quick');
    expect(report.targets.map((t: { loss: string }) => t.loss)).toEqual(['oe', 'energy']);
    expect(report.table.oe.map((x: { method: string }) => x.method)).toContain(
      'tuned (`goe tune`, held-out classes)',
    );
    expect(report.sweep.energy).toHaveLength(3);
    const md = await readFile(join(runs, 'report', 'tune-quick.md'), 'utf8');
    expect(md).toMatch(/## Targets/);
    expect(md).toMatch(/oracle σ² = /);
  }, 600_000);
});
