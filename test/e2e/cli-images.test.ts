import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeSafetensors } from '../../runtime/codecs/index.js';
import { runGoe } from '../helpers/cli.js';
import { writeMnistFixture } from '../helpers/mnist-fixture.js';
import { runPythonJson } from '../helpers/python.js';
import { tempZoo } from '../helpers/zoo.js';

/** The image commands as a user runs them: real processes, real files, a temporary zoo. */

let dir: string;
let zoo: string;
// A synthetic MNIST test set: the tests never need the real one (nor a download).
const mnist = writeMnistFixture(96);
const env = () => ({ GOE_ZOO: zoo, GOE_MNIST_DIR: mnist.dir });

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-e2e-img-'));
  zoo = await tempZoo();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(zoo, { recursive: true, force: true });
  await rm(mnist.dir, { recursive: true, force: true });
});

describe('goe sample', () => {
  it('writes .npy that numpy loads, identical for the same seed and a slice for --start', async () => {
    const a = join(dir, 'a.npy');
    const b = join(dir, 'b.npy');
    expect(
      (
        await runGoe(
          [
            'sample',
            '--model',
            'fashion-mnist-cgan',
            '--sigma2',
            '50',
            '--classes',
            '0,Bag',
            '--count',
            '20',
            '--seed',
            '7',
            '--out',
            a,
          ],
          env(),
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await runGoe(
          [
            'sample',
            '--model',
            'fashion-mnist-cgan',
            '--sigma2',
            '50',
            '--classes',
            '0,Bag',
            '--count',
            '15',
            '--seed',
            '7',
            '--start',
            '5',
            '--out',
            b,
          ],
          env(),
        )
      ).code,
    ).toBe(0);
    const r = runPythonJson<{ shape: number[]; dtype: string; same: boolean }>(
      ['numpy'],
      'import json, sys, numpy as np\na, b = np.load(sys.argv[1]), np.load(sys.argv[2])\nprint(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "same": bool((a[5:] == b).all())}))',
      [a, b],
    );
    expect(r).toEqual({ shape: [20, 28, 28, 1], dtype: 'uint8', same: true });
  });

  it('writes safetensors with images and classes from the requested set', async () => {
    const out = join(dir, 's.safetensors');
    expect(
      (
        await runGoe(
          [
            'sample',
            '--model',
            'fashion-mnist-cgan',
            '--classes',
            'Sandal,Bag',
            '--count',
            '12',
            '--out',
            out,
          ],
          env(),
        )
      ).code,
    ).toBe(0);
    const file = decodeSafetensors(new Uint8Array(await readFile(out)));
    expect(file.tensors.images.shape).toEqual([12, 28, 28, 1]);
    expect(new Set(file.tensors.classes.data)).toEqual(new Set([5, 8]));
    expect(file.metadata.model).toBe('fashion-mnist-cgan');
  });

  it('gives clear errors for an unknown class, model or format', async () => {
    const cls = await runGoe(
      ['sample', '--model', 'fashion-mnist-cgan', '--classes', 'Hat', '--out', join(dir, 'x.npy')],
      env(),
    );
    expect(cls.code).toBe(1);
    expect(cls.stderr).toMatch(/unknown class "Hat"/);
    const model = await runGoe(['sample', '--model', 'nope', '--out', join(dir, 'x.npy')], env());
    expect(model.stderr).toMatch(/unknown model "nope"/);
    const fmt = await runGoe(['sample', '--model', 'fashion-mnist-cgan', '--out', join(dir, 'x.jpg')], env());
    expect(fmt.stderr).toMatch(/must end in .npy, .npz, .safetensors or .png/);
  });
});

describe('goe train → finetune → eval', () => {
  const base = () => join(dir, 'base');
  it('trains, fine-tunes with outliers and evaluates with the issue’s JSON schema', async () => {
    const t = await runGoe(['train', '--out', base(), '--epochs', '1', '--limit', '256'], env());
    expect(t.code, t.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(base(), 'manifest.json'), 'utf8'));
    expect(manifest.energyMargins.mIn).toBeLessThan(manifest.energyMargins.mOut);
    const f = await runGoe(
      [
        'finetune',
        '--from',
        base(),
        '--outliers',
        'generated',
        '--loss',
        'energy',
        '--sigma2',
        '20',
        '--outlier-count',
        '64',
        '--limit',
        '256',
        '--out',
        join(dir, 'goe'),
      ],
      env(),
    );
    expect(f.code, f.stderr).toBe(0);
    const e = await runGoe(
      ['eval', '--model', join(dir, 'goe'), '--ood', 'mnist,gaussian', '--limit', '200', '--json'],
      env(),
    );
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.results).toHaveLength(6);
    expect(Object.keys(report.results[0]).sort()).toEqual([
      'auprIn',
      'auprOut',
      'auroc',
      'detector',
      'fpr95',
      'fpr95IdPositive',
      'fpr95OodPositive',
      'ood',
    ]);
    expect(Object.keys(report.mean).sort()).toEqual(['energy', 'maxlogit', 'msp']);
    expect(typeof report.accuracy).toBe('number');
  });

  it('trains Fashion-MNIST with SGD 0.05 by default and Adam 1e-3 with --optimizer adam', async () => {
    const sgd = JSON.parse(await readFile(join(base(), 'manifest.json'), 'utf8'));
    expect(sgd.arch).toBe('ref-cnn');
    expect(sgd.training).toMatchObject({ optimizer: 'sgd', momentum: 0.9, lr: 0.05, schedule: 'cosine' });
    const out = join(dir, 'adam');
    const a = await runGoe(
      ['train', '--optimizer', 'adam', '--epochs', '1', '--limit', '128', '--out', out],
      env(),
    );
    expect(a.code, a.stderr).toBe(0);
    const adam = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(adam.training).toMatchObject({ optimizer: 'adam', lr: 0.001 });
    expect(adam.training.momentum).toBeUndefined();
    expect(adam.provenance.command).toContain('--optimizer adam');
    const bad = await runGoe(['train', '--optimizer', 'rmsprop', '--out', join(dir, 'x')], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--optimizer.*rmsprop/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('weighs the OE loss by --oe-lambda, records it, and refuses it without the OE loss', async () => {
    const args = [
      'finetune',
      '--from',
      base(),
      '--outliers',
      'noise',
      '--outlier-count',
      '64',
      '--limit',
      '128',
    ];
    const f = await runGoe([...args, '--oe-lambda', '0.25', '--out', join(dir, 'lambda')], env());
    expect(f.code, f.stderr).toBe(0);
    const m = JSON.parse(await readFile(join(dir, 'lambda', 'manifest.json'), 'utf8'));
    expect(m.training.oeLambda).toBe(0.25);
    expect(m.provenance.command).toContain('--oe-lambda 0.25');
    // The same seed and data with the default λ = 0.5 trains other weights: λ reaches the loss.
    const half = await runGoe([...args, '--out', join(dir, 'lambda-half')], env());
    expect(half.code, half.stderr).toBe(0);
    const weights = (run: string) => readFile(join(dir, run, 'weights.safetensors'));
    expect((await weights('lambda')).equals(await weights('lambda-half'))).toBe(false);
    const energy = await runGoe(
      [...args, '--loss', 'energy', '--oe-lambda', '0.25', '--out', join(dir, 'x')],
      env(),
    );
    expect(energy.code).not.toBe(0);
    expect(energy.stderr).toMatch(/--oe-lambda weighs the OE loss/);
    const zero = await runGoe([...args, '--oe-lambda', '0', '--out', join(dir, 'x')], env());
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toMatch(/--oe-lambda.*expected a number > 0/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it("weighs the energy loss by --energy-lambda, keeps the base model's margins, and refuses it with the OE loss", async () => {
    const args = ['finetune', '--from', base(), '--outliers', 'noise', '--loss', 'energy'];
    const small = [...args, '--outlier-count', '64', '--limit', '128'];
    const f = await runGoe([...small, '--energy-lambda', '0.05', '--out', join(dir, 'elambda')], env());
    expect(f.code, f.stderr).toBe(0);
    const m = JSON.parse(await readFile(join(dir, 'elambda', 'manifest.json'), 'utf8'));
    const baseManifest = JSON.parse(await readFile(join(base(), 'manifest.json'), 'utf8'));
    expect(m.training.energyMargins).toEqual({ ...baseManifest.energyMargins, lambda: 0.05 });
    expect(m.energyMargins).toEqual(baseManifest.energyMargins);
    expect(m.provenance.command).toContain('--energy-lambda 0.05');
    // The same seed and data at the base model's λ_E = 0.1 trains other weights: λ_E reaches the loss.
    const plain = await runGoe([...small, '--out', join(dir, 'elambda-plain')], env());
    expect(plain.code, plain.stderr).toBe(0);
    const weights = (run: string) => readFile(join(dir, run, 'weights.safetensors'));
    expect((await weights('elambda')).equals(await weights('elambda-plain'))).toBe(false);
    const oe = await runGoe(
      [
        'finetune',
        '--from',
        base(),
        '--outliers',
        'noise',
        '--energy-lambda',
        '0.05',
        '--out',
        join(dir, 'y'),
      ],
      env(),
    );
    expect(oe.code).not.toBe(0);
    expect(oe.stderr).toMatch(/--energy-lambda weighs the energy loss; --loss oe takes --oe-lambda/);
    const bad = await runGoe([...small, '--energy-lambda', 'x', '--out', join(dir, 'y')], env());
    expect(bad.stderr).toMatch(/--energy-lambda.*expected a number > 0/);
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });

  it("brings an OOD path of another size to the classifier's shape, and says so", async () => {
    const npy = join(dir, 'wrong.npy');
    runPythonJson(
      ['numpy'],
      'import sys, json, numpy as np\nnp.save(sys.argv[1], np.zeros((3, 32, 32), np.uint8))\nprint("null")',
      [npy],
    );
    const r = await runGoe(['eval', '--model', base(), '--ood', npy, '--json'], {
      ...env(),
      GOE_LOG: 'warn',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 of 3 images resized or converted from 32×32×1 to 28×28×1/);
    expect(JSON.parse(r.stdout).results[0].ood).toBe('wrong.npy');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('goe reproduce images --quick', () => {
  it('runs the whole pipeline and writes a report of the expected shape', async () => {
    const runs = join(dir, 'reproduce');
    const r = await runGoe(
      ['reproduce', 'images', '--quick', '--runs', runs, '--sigma2-sweep', '20,50'],
      env(),
      900_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(runs, 'report', 'images-quick.json'), 'utf8'));
    expect(report.mode).toBe('quick');
    expect(report.config.sigma2Sweep).toEqual([20, 50]);
    expect(report.sigma2Sweep.map((p: { x: number }) => p.x)).toEqual([20, 50]);
    expect(report.command).toContain('--sigma2-sweep 20,50');
    expect(report.table).toHaveLength(10);
    expect(report.table.map((row: { method: string }) => row.method)).toContain('GOE (generated)');
    expect(report.table.map((row: { method: string }) => row.method)).toContain('control (no outliers)');
    for (const row of report.table) expect(row.mean.auroc.mean).toBeGreaterThanOrEqual(0);
    expect(report.sigma2Sweep.length).toBeGreaterThanOrEqual(2);
    expect(report.generatorCheck.conditioningAccuracy).toBeGreaterThanOrEqual(0);
    for (const f of Object.values(report.figures) as string[])
      expect(existsSync(join(runs, 'report', f))).toBe(true);
    const md = await readFile(join(runs, 'report', 'images-quick.md'), 'utf8');
    expect(md).toMatch(/## Table 1/);
    expect(md).toContain("Classifier: the PyTorch reference's CNN");
    // Every OE row with outliers is fine-tuned at the plan's λ (issue 16), and the report says so.
    const goe = JSON.parse(await readFile(join(runs, 'generated-oe-s0', 'manifest.json'), 'utf8'));
    expect(goe.training.oeLambda).toBe(0.15);
    expect(md).toContain('OE loss λ = 0.15');
    const energy = JSON.parse(await readFile(join(runs, 'generated-energy-s0', 'manifest.json'), 'utf8'));
    expect(energy.training.energyMargins.lambda).toBe(0.05);
    expect(md).toContain('energy-bounded loss λ_E = 0.05');
    // goe eval --plot's ROC curves and histograms of the baseline and GOE, embedded.
    expect(md).toContain('![GOE (OE loss), MSP](images-quick-roc-generated-oe-msp.png)');
    expect(md).toContain('![baseline, Energy](images-quick-hist-baseline-energy-');
  }, 900_000);

  it('names a bad sweep value in a usage error, before any job', async () => {
    const r = await runGoe(
      ['reproduce', 'images', '--quick', '--runs', join(dir, 'bad'), '--sigma2-sweep', '1,x'],
      env(),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).toMatch(/--sigma2-sweep.*"x"/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
