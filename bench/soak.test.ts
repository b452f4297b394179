import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, MODEL } from '../test/helpers/api.js';
import { soak } from './soak.js';

/** The 20-second soak (`goe bench soak --minutes 10` is the long one) against a real `goe serve`. */

let zoo: string;
beforeAll(async () => {
  zoo = await apiTestZoo();
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

describe('soak', () => {
  it('20 s at concurrency 32: no response ≥ 500, RSS drift < 20 %, tensor count constant', async () => {
    const r = await soak({ seconds: 20, concurrency: 32, zoo, model: MODEL });
    expect(r.failureSamples).toEqual([]);
    expect(r.failures).toBe(0);
    expect(Object.keys(r.byStatus).every((s) => Number(s) < 500)).toBe(true);
    // The mix reached every path: bodies, refusals and abandoned streams.
    expect(r.byStatus['200']).toBeGreaterThan(50);
    expect(r.byStatus['422']).toBeGreaterThan(0);
    expect(r.abandoned).toBeGreaterThan(0);
    expect(r.tensors.end).toBe(r.tensors.afterWarmup);
    // Each compute worker's count (the TF.js cGAN's weights live there) is reported and held.
    const workers = Object.values(r.workerTensors.end);
    expect(workers.length).toBeGreaterThan(0);
    for (const n of workers) expect(n).toBeGreaterThan(0);
    expect(r.workerTensors.end).toEqual(r.workerTensors.afterWarmup);
    // The issue's < 10 % is the 10-minute soak's bound (`goe bench soak`: 4.4 % measured). In 20 s the compute
    // workers' heaps are still growing to their steady size (10.9 % seen once on a fresh clone), so this smoke
    // version only catches a leak of a larger order.
    expect(Math.abs(r.rssMiB.driftPct)).toBeLessThan(20);
  }, 90_000);
});
