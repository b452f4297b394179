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
  // A small real baseline (Fashion-MNIST from the Debian package, as every trainer test). The small CNN, not
  // Fashion-MNIST's default reference CNN: these tests are about tune's criteria, and its proxies train the
  // baseline's backbone, at half the cost.
  await trainRun({
    data: 'fashion-mnist',
    arch: 'small-cnn',
    out: baseline,
    epochs: 1,
    limit: 2048,
    seed: 0,
  });
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
  it('never picks a σ² whose "outliers" are in-distribution data (a constructed generator); (b) is deterministic', async () => {
    // σ² = 1 "generates" training images of the very classes asked for; σ² = 5 gives noise.
    const loadPool = async (spec: OutlierSpec) =>
      spec.sigma2 === 1
        ? inDistribution(spec.count, spec.seed, spec.classes)
        : { ...uniformNoise(spec.count, spec.seed), name: 'noise' };
    const options = { from: baseline, grid: [1, 5], budgetMinutes: 10, seed: 0, quick: true, sizes };
    const r = await tuneRun(options, { loadPool });
    const [inDist, noise] = r.rows;
    // (c) rules the in-distribution pool out: the baseline cannot tell it from its own data.
    expect(Math.abs(inDist.placement!.baselineAuroc.msp - 50)).toBeLessThan(10);
    expect(inDist.placement!.excluded.oe).toMatch(/look in-distribution/);
    expect(noise.placement!.excluded.oe).toBeUndefined();
    for (const loss of ['oe', 'energy'] as const) {
      // (b) on its own already ranks the in-distribution pool last: exposure to its own classes teaches
      // the baseline to doubt them, so it tells neither noise nor outliers from its data any better.
      // The ruled-out level is no target of the other candidate.
      const [b1, b5] = [inDist.crossSigma![loss]!, noise.crossSigma![loss]!];
      expect(b1.value).toBeLessThan(b5.value - 5);
      expect(Object.keys(b5.levels)).toEqual([]);
      expect(Object.keys(b5.noise)).toEqual(['uniform', 'gaussian']);
      // (a) scored both (alone it can prefer the in-distribution pool: exposure to its own data is label
      // smoothing); the recommendation is (b)'s best among the pools (c) accepts as outliers.
      expect(inDist.heldOut[loss]).toBeDefined();
      expect(noise.heldOut[loss]).toBeDefined();
      expect(r.recommended[loss]).toMatchObject({ value: 5, criterion: 'cross-σ²' });
    }
    expect(r.crossSigma).toMatchObject({ levels: ['σ²=1', 'σ²=5'], noise: ['uniform', 'gaussian'] });
    expect(r.budget.stopped).toBe(false);
    // The same seed gives the same (b) values (each fine-tune restarts from the baseline's weights).
    // (A smaller proxy: (a) does not touch the baseline (b) fine-tunes.)
    const again = await tuneRun(
      { ...options, losses: ['oe'], sizes: { ...sizes, proxyRows: 256 } },
      { loadPool },
    );
    expect(again.rows.map((row) => row.crossSigma?.oe)).toEqual(r.rows.map((row) => row.crossSigma?.oe));
  }, 300_000);

  it('honours the budget: stops before a candidate that cannot finish and says what it covered', async () => {
    // A fake clock: every pool costs 10 "seconds"; the budget is 135 s.
    let t = 0;
    const loadPool = async (spec: OutlierSpec) => {
      t += 10_000;
      return { ...uniformNoise(spec.count, spec.seed), name: 'noise' };
    };
    const r = await tuneRun(
      {
        from: baseline,
        grid: [1, 5, 20, 50],
        budgetMinutes: 135 / 60,
        seed: 0,
        quick: true,
        losses: ['oe'],
        sizes: { ...sizes, proxyRows: 256, finetuneRows: 128, evalRows: 64 },
      },
      { loadPool, now: () => t },
    );
    // Placement: 4 pools = 40 s; (b)'s targets: 4 pools = 80 s; (b): the default (50) first, then
    // outwards, 10 s each = 120 s; (a): 50 at 130 s, then 5 s left < 10 s a candidate: stop.
    expect(r.budget.placementCovered).toEqual(['σ²=1', 'σ²=5', 'σ²=20', 'σ²=50']);
    expect(r.budget.crossCovered).toEqual(['σ²=50', 'σ²=20', 'σ²=5', 'σ²=1']);
    expect(r.budget.crossSkipped).toEqual([]);
    expect(r.budget.heldOutCovered).toEqual(['σ²=50']);
    expect(r.budget.heldOutSkipped).toEqual(['σ²=1', 'σ²=5', 'σ²=20']);
    expect(r.budget.stopped).toBe(true);
    expect(r.budget.usedSeconds).toBe(130);
    expect(r.rows[0].heldOut.oe).toBeUndefined();
    expect(r.rows[0].crossSigma?.oe).toBeDefined();

    // 105 s: (b) covers 50 and 20 (100 s), 5 s left: neither (b)'s next candidate nor (a)'s proxy starts.
    t = 0;
    const short = await tuneRun(
      {
        from: baseline,
        grid: [1, 5, 20, 50],
        budgetMinutes: 105 / 60,
        seed: 0,
        quick: true,
        losses: ['oe'],
        sizes: { ...sizes, proxyRows: 256, finetuneRows: 128, evalRows: 64 },
      },
      { loadPool, now: () => t },
    );
    expect(short.budget.crossCovered).toEqual(['σ²=50', 'σ²=20']);
    expect(short.budget.crossSkipped).toEqual(['σ²=1', 'σ²=5']);
    expect(short.budget.heldOutCovered).toEqual([]);
    expect(short.heldOut).toBeUndefined();
    expect(short.budget.usedSeconds).toBe(100);
    // (b) covered two: the recommendation is (b)'s.
    expect(short.recommended.oe?.criterion).toBe('cross-σ²');
  }, 180_000);
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

  it('takes (b) over (a) when (b) covered two or more, with the same switch margin', () => {
    const both = (b: Record<number, number>, a: Record<number, number>) =>
      rows(a).map((r) => ({ ...r, crossSigma: { oe: { value: b[r.value], levels: {}, noise: {} } } }));
    expect(
      recommend('oe', both({ 1: 90, 5: 80, 50: 85 }, { 1: 70, 5: 90, 50: 80 }), cands, 50, 'sigma2'),
    ).toMatchObject({ value: 1, criterion: 'cross-σ²' });
    expect(
      recommend('oe', both({ 1: 85.4, 5: 80, 50: 85 }, { 1: 70, 5: 90, 50: 80 }), cands, 50, 'sigma2').value,
    ).toBe(50);
    // (b) covered one candidate only: (a) decides.
    const one = rows({ 1: 70, 5: 90, 50: 80 }).map((r) =>
      r.value === 1 ? { ...r, crossSigma: { oe: { value: 99, levels: {}, noise: {} } } } : r,
    );
    expect(recommend('oe', one, cands, 50, 'sigma2')).toMatchObject({
      value: 5,
      criterion: 'held-out classes',
    });
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
