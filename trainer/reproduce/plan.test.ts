import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reproduceImages } from './images.js';
import { fullConfig, imagesPlan, quickConfig } from './plan.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('goe reproduce images --generator', () => {
  it('gives every fine-tuning job the chosen generator: GOE rows, σ² sweep and count sweep', () => {
    const jobs = imagesPlan({ ...fullConfig, generator: 'fashion-mnist-cgan-w64' }, '/runs');
    const generated = jobs.flatMap((j) =>
      j.task.kind === 'finetune' && j.task.options.outliers === 'generated' ? [j.task.options] : [],
    );
    // 3 seeds × 2 losses, 8 σ² values besides the default, 4 counts besides the default.
    expect(generated).toHaveLength(3 * 2 + 8 + 4);
    expect(new Set(generated.map((o) => o.generator))).toEqual(new Set(['fashion-mnist-cgan-w64']));
    const plain = imagesPlan(quickConfig, '/runs').filter((j) => j.task.kind === 'finetune');
    expect(
      plain.every((j) => j.task.kind === 'finetune' && j.task.options.generator === 'fashion-mnist-cgan'),
    ).toBe(true);
  });

  it('trains the baselines on the reference CNN at lr 0.05 and, by default, draws from the width-64 cGAN (issue 16)', () => {
    const jobs = imagesPlan(fullConfig, '/runs');
    const trains = jobs.flatMap((j) => (j.task.kind === 'train' ? [j.task.options] : []));
    expect(trains.map((o) => [o.arch, o.lr, o.seed])).toEqual([
      ['ref-cnn', 0.05, 0],
      ['ref-cnn', 0.05, 1],
      ['ref-cnn', 0.05, 2],
    ]);
    const generators = jobs.flatMap((j) => (j.task.kind === 'finetune' ? [j.task.options.generator] : []));
    expect(new Set(generators)).toEqual(new Set(['fashion-mnist-cgan-w64']));
  });

  it('weighs every OE row with outliers by the plan λ, and no energy row or control (issue 16)', () => {
    const tuned = imagesPlan({ ...fullConfig, oeLambda: 0.3 }, '/runs').flatMap((j) =>
      j.task.kind === 'finetune' ? [j.task.options] : [],
    );
    const lambdaOf = (o: (typeof tuned)[number]) => o.oeLambda;
    const oe = tuned.filter((o) => o.loss === 'oe' && o.outliers !== 'none');
    // 3 sources × 3 seeds, 8 σ² values, 4 counts.
    expect(oe).toHaveLength(9 + 8 + 4);
    expect(new Set(oe.map(lambdaOf))).toEqual(new Set([0.3]));
    const rest = tuned.filter((o) => !oe.includes(o));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((o) => o.oeLambda === undefined)).toBe(true);
    const { oeLambda: _, ...older } = fullConfig;
    const plain = imagesPlan(older, '/runs').flatMap((j) =>
      j.task.kind === 'finetune' ? [j.task.options] : [],
    );
    expect(plain.every((o) => o.oeLambda === undefined)).toBe(true);
  });

  it('weighs every energy row with outliers by the plan λ_E, and no OE row or control (issue 16)', () => {
    const tuned = imagesPlan({ ...fullConfig, energyLambda: 0.07 }, '/runs').flatMap((j) =>
      j.task.kind === 'finetune' ? [j.task.options] : [],
    );
    const energy = tuned.filter((o) => o.loss === 'energy' && o.outliers !== 'none');
    expect(energy).toHaveLength(9); // 3 sources × 3 seeds; the sweeps use the OE loss
    expect(new Set(energy.map((o) => o.energyLambda))).toEqual(new Set([0.07]));
    expect(tuned.filter((o) => !energy.includes(o)).every((o) => o.energyLambda === undefined)).toBe(true);
  });

  const options = (runsDir: string, generator: string) => ({
    quick: true,
    runsDir,
    reportsDir: join(runsDir, 'report'),
    concurrency: 1,
    zoo: false,
    generator,
    command: 'goe reproduce images --quick',
  });

  it('fails before any job when the generator is not in the zoo', async () => {
    const runs = await mkdtemp(join(tmpdir(), 'goe-repro-'));
    dirs.push(runs);
    await expect(reproduceImages(options(runs, 'no-such-cgan'))).rejects.toThrow(
      /unknown model "no-such-cgan"/,
    );
  });

  it('refuses a runs folder whose finished GOE runs used another generator', async () => {
    const runs = await mkdtemp(join(tmpdir(), 'goe-repro-'));
    dirs.push(runs);
    await mkdir(join(runs, 'generated-oe-s0'));
    const training = {
      kind: 'outlier-exposure',
      outliers: { source: 'generated', generator: 'fashion-mnist-cgan' },
    };
    await writeFile(join(runs, 'generated-oe-s0', 'manifest.json'), JSON.stringify({ training }));
    await expect(reproduceImages(options(runs, './zoo/other-cgan'))).rejects.toThrow(
      `${join(runs, 'generated-oe-s0')} was fine-tuned with generator fashion-mnist-cgan, not ./zoo/other-cgan`,
    );
  });

  it('refuses a runs folder whose finished OE runs used another λ', async () => {
    const runs = await mkdtemp(join(tmpdir(), 'goe-repro-'));
    dirs.push(runs);
    await mkdir(join(runs, 'noise-oe-s0'));
    const training = { kind: 'outlier-exposure', outliers: { source: 'noise' }, oeLambda: 0.5 };
    await writeFile(join(runs, 'noise-oe-s0', 'manifest.json'), JSON.stringify({ training }));
    await expect(reproduceImages(options(runs, 'fashion-mnist-cgan'))).rejects.toThrow(
      `${join(runs, 'noise-oe-s0')} was fine-tuned with OE loss λ = 0.5, not ${quickConfig.oeLambda}`,
    );
  });

  it('refuses a runs folder whose finished energy runs used another λ_E', async () => {
    const runs = await mkdtemp(join(tmpdir(), 'goe-repro-'));
    dirs.push(runs);
    await mkdir(join(runs, 'noise-energy-s0'));
    const margins = { mIn: -8, mOut: -2, lambda: 0.1 };
    const training = { kind: 'outlier-exposure', outliers: { source: 'noise' }, energyMargins: margins };
    await writeFile(join(runs, 'noise-energy-s0', 'manifest.json'), JSON.stringify({ training }));
    await expect(reproduceImages(options(runs, 'fashion-mnist-cgan'))).rejects.toThrow(
      `${join(runs, 'noise-energy-s0')} was fine-tuned with energy loss λ_E = 0.1, not ${quickConfig.energyLambda}`,
    );
  });
});
