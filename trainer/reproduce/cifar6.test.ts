import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchFolder, writeImageFolder } from '../datasets/sources/fixtures.js';
import { loadImageSource } from '../datasets/sources/image-source.js';
import { cifar6FullConfig, cifar6Plan, cifar6QuickConfig } from './cifar6.js';
import { CIFAR4_OOD_CLASSES, CIFAR6_CLASSES, prepareCifar6 } from './cifar6-data.js';

/**
 * `goe reproduce cifar6`'s data and plan (the whole run is `goe reproduce cifar6 --quick`, minutes on
 * this machine; here: the subset trees it reads and the jobs it schedules).
 */

const tmp = scratchFolder('goe-cifar6-', { cache: true });
beforeAll(tmp.setup);
afterAll(tmp.teardown);

const ALL = [...CIFAR6_CLASSES, ...CIFAR4_OOD_CLASSES];

describe('prepareCifar6', () => {
  it('links the first files of the 6 classes (train/test) and the 4 held-out test classes', async () => {
    const src = join(tmp.root, 'cifar10');
    writeImageFolder(join(src, 'train'), ALL, 5, 8);
    writeImageFolder(join(src, 'test'), ALL, 4, 8);
    const d = await prepareCifar6(src, join(tmp.root, 'data'), {
      trainPerClass: 3,
      testPerClass: 2,
      oodPerClass: 1,
    });
    expect(readdirSync(join(d.inDistribution, 'train')).sort()).toEqual([...CIFAR6_CLASSES].sort());
    expect(readdirSync(d.ood).sort()).toEqual([...CIFAR4_OOD_CLASSES].sort());
    const cat = join(d.inDistribution, 'train', 'cat');
    // First by name: 0.png, 1.png, 2.jpg (writeImageFolder writes every third as a JPEG).
    expect(readdirSync(cat)).toEqual(['0.png', '1.png', '2.jpg']);
    expect(lstatSync(join(cat, '0.png')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(cat, '0.png'))).toBe(join(src, 'train', 'cat', '0.png'));
    const s = loadImageSource(d.inDistribution);
    expect(s).toMatchObject({ split: 'folders', classNames: [...CIFAR6_CLASSES], rowShape: [8, 8, 3] });
    expect([s.train.shape[0], s.test.shape[0]]).toEqual([18, 12]);
    // Rebuilt from scratch: a smaller run leaves no links of a larger one.
    await prepareCifar6(src, join(tmp.root, 'data'), { trainPerClass: 1, testPerClass: 1, oodPerClass: 1 });
    expect(readdirSync(cat)).toEqual(['0.png']);
  });

  it('names a missing class folder and a class with too few images', async () => {
    const src = join(tmp.root, 'partial');
    writeImageFolder(join(src, 'train'), ALL.slice(0, 9), 2, 8);
    await expect(
      prepareCifar6(src, join(tmp.root, 'p'), { trainPerClass: 1, testPerClass: 1, oodPerClass: 1 }),
    ).rejects.toThrow(`${join(src, 'test', 'airplane')} is missing`);
    await expect(
      prepareCifar6(src, join(tmp.root, 'p'), { trainPerClass: 3, testPerClass: 1, oodPerClass: 1 }),
    ).rejects.toThrow(`${join(src, 'train', 'airplane')} holds 2 images, the run needs 3`);
  });
});

describe('cifar6Plan', () => {
  const data = { inDistribution: '/d/cifar6', ood: '/d/cifar4-ood' };

  it('schedules the generator, per seed 8 runs and their evals, and the extra σ² runs', () => {
    const c = cifar6FullConfig;
    const jobs = cifar6Plan(c, '/runs', data);
    const ids = jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    const extraSigma = c.sigma2Sweep.filter((s) => s !== c.sigma2).length;
    expect(jobs).toHaveLength(1 + c.seeds.length * 16 + extraSigma * 2);
    const gen = jobs.find((j) => j.id === 'generator')!;
    expect(gen.task).toMatchObject({
      kind: 'train-generator',
      options: { data: data.inDistribution, steps: c.gan.steps, width: c.gan.width },
    });
    for (const j of jobs.filter((x) => x.task.kind === 'finetune')) {
      const generated = j.task.kind === 'finetune' && j.task.options.outliers === 'generated';
      expect(j.after?.includes('generator'), j.id).toBe(generated);
    }
    const evalJob = jobs.find((j) => j.id === 'eval-natural-oe-s2')!;
    expect(evalJob.task).toMatchObject({
      kind: 'eval',
      options: { ood: '/d/cifar4-ood,gaussian,uniform,natural', detector: 'all' },
    });
    expect(jobs.find((j) => j.id === 'baseline-s1')!.task).toMatchObject({
      kind: 'train',
      options: { data: data.inDistribution, epochs: c.baselineEpochs, seed: 1 },
    });
  });

  it('the quick plan is one seed of the same jobs', () => {
    const jobs = cifar6Plan(cifar6QuickConfig, '/q', data);
    expect(jobs.filter((j) => j.task.kind === 'train')).toHaveLength(1);
    expect(jobs.map((j) => j.id)).toContain('generated-energy-s0');
  });
});
