import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { type ImageSet, loadFashionMnist, subset, uniformNoise } from '../datasets/index.js';
import { permutation } from '../fit.js';
import type { OutlierSpec } from '../outliers.js';
import { trainRun } from '../runs.js';
import { parseGrid } from './grid.js';
import { heldOutOrder, recommend, tuneRun } from './index.js';

let dir: string;
let baseline: string;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-tune-'));
  baseline = join(dir, 'baseline');
  // A small real baseline (Fashion-MNIST from the Debian package, as every trainer test).
  await trainRun({ data: 'fashion-mnist', out: baseline, epochs: 1, limit: 2048, seed: 0 });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `n` Fashion-MNIST training images of `classes` (all when undefined): in-distribution data. */
function inDistribution(n: number, seed: number, classes?: number[]): ImageSet {
  const train = loadFashionMnist('train');
  const idx = Array.from(permutation(train.shape[0], seed, 9))
    .filter((i) => !classes || classes.includes(train.labels![i]))
    .slice(0, n);
  const s = subset(train, idx);
  return { name: 'in-distribution', images: s.images, shape: s.shape };
}

const sizes = { proxyRows: 3000, proxyEpochs: 1, finetuneRows: 1024, evalRows: 300, batch: 64 };

describe('goe tune criteria', () => {
  it('never picks a σ² whose "outliers" are in-distribution data (a constructed generator)', async () => {
    // σ² = 1 "generates" training images of the very classes asked for; σ² = 5 gives noise.
    const loadPool = async (spec: OutlierSpec) =>
      spec.sigma2 === 1
        ? inDistribution(spec.count, spec.seed, spec.classes)
        : { ...uniformNoise(spec.count, spec.seed), name: 'noise' };
    const r = await tuneRun(
      { from: baseline, grid: [1, 5], budgetMinutes: 10, seed: 0, quick: true, sizes },
      { loadPool },
    );
    const [inDist, noise] = r.rows;
    // (c) rules the in-distribution pool out: the baseline cannot tell it from its own data.
    expect(Math.abs(inDist.placement!.baselineAuroc.msp - 50)).toBeLessThan(10);
    expect(inDist.placement!.excluded.oe).toMatch(/look in-distribution/);
    expect(noise.placement!.excluded.oe).toBeUndefined();
    // (a) scored both (alone it can prefer the in-distribution pool: exposure to its own data is label
    // smoothing); the recommendation takes (a)'s best among the pools (c) accepts as outliers.
    for (const loss of ['oe', 'energy'] as const) {
      expect(inDist.heldOut[loss]).toBeDefined();
      expect(noise.heldOut[loss]).toBeDefined();
      expect(r.recommended[loss]).toMatchObject({ value: 5 });
    }
    expect(r.budget.stopped).toBe(false);
  }, 180_000);

  it('honours the budget: stops before a candidate that cannot finish and says what it covered', async () => {
    // A fake clock: every pool costs 10 "seconds"; the budget is one minute.
    let t = 0;
    const loadPool = async (spec: OutlierSpec) => {
      t += 10_000;
      return { ...uniformNoise(spec.count, spec.seed), name: 'noise' };
    };
    const r = await tuneRun(
      {
        from: baseline,
        grid: [1, 5, 20, 50],
        budgetMinutes: 1,
        seed: 0,
        quick: true,
        losses: ['oe'],
        sizes: { ...sizes, proxyRows: 256, finetuneRows: 128, evalRows: 64 },
      },
      { loadPool, now: () => t },
    );
    // Placement: 4 pools = 40 s; held-out: the default (50) at 50 s, then 20 at 60 s; no time for 5 or 1.
    expect(r.budget.placementCovered).toEqual(['σ²=1', 'σ²=5', 'σ²=20', 'σ²=50']);
    expect(r.budget.heldOutCovered).toEqual(['σ²=50', 'σ²=20']);
    expect(r.budget.heldOutSkipped).toEqual(['σ²=1', 'σ²=5']);
    expect(r.budget.stopped).toBe(true);
    expect(r.budget.usedSeconds).toBe(60);
    expect(r.rows[0].heldOut.oe).toBeUndefined();
  }, 120_000);
});

describe('recommend', () => {
  const rows = (a: Record<number, number>) =>
    Object.entries(a).map(([v, auroc]) => ({
      candidate: `σ²=${v}`,
      value: Number(v),
      heldOut: { oe: auroc },
    }));
  const cands = [1, 5, 50].map((value) => ({ label: `σ²=${value}`, value }));

  it('keeps the default unless another candidate beats it by more than 0.5', () => {
    expect(recommend('oe', rows({ 1: 80, 5: 90.4, 50: 90 }), cands, 50, 'sigma2').value).toBe(50);
    expect(recommend('oe', rows({ 1: 80, 5: 91, 50: 90 }), cands, 50, 'sigma2').value).toBe(5);
  });

  it('falls back to the default when nothing was scored', () => {
    expect(recommend('oe', [], cands, 50, 'sigma2')).toMatchObject({ value: 50, criterion: 'default' });
  });

  it('visits the default first, then outwards', () => {
    expect(heldOutOrder(cands, 50)).toEqual([2, 1, 0]);
  });
});

describe('parseGrid', () => {
  it('sorts and checks values', () => {
    expect(parseGrid('50, 0.5,2', 'sigma2')).toEqual([0.5, 2, 50]);
    expect(() => parseGrid('1,x', 'sigma2')).toThrow(/--grid entry "x"/);
    expect(() => parseGrid('0,1', 'temperature')).toThrow(/"0" is not a temperature > 0/);
    expect(() => parseGrid('1,1', 'sigma2')).toThrow(/lists 1 twice/);
    expect(() => parseGrid('', 'sigma2')).toThrow(/empty/);
  });
});
