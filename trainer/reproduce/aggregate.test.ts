import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchFolder } from '../datasets/sources/fixtures.js';
import type { EvalReport } from '../evaluate.js';
import { evalPoint, readEval, setStats } from './aggregate.js';

const tmp = scratchFolder('goe-aggregate-');
beforeAll(tmp.setup);
afterAll(tmp.teardown);

/** A minimal eval.json: MSP and Energy on mnist and gaussian, AUROC `base + k`. */
function writeEval(dir: string, run: string, base: number): void {
  const results = ['msp', 'energy'].flatMap((detector, d) =>
    ['mnist', 'gaussian'].map((ood, o) => ({
      detector,
      ood,
      auroc: base + 10 * d + o,
      fpr95: 50 - base,
      auprIn: base,
      auprOut: base,
    })),
  );
  const mean = {
    msp: { auroc: base + 0.5, fpr95: 50 - base, auprIn: base, auprOut: base },
    energy: { auroc: base + 10.5, fpr95: 50 - base, auprIn: base, auprOut: base },
  };
  mkdirSync(join(dir, run), { recursive: true });
  writeFileSync(join(dir, run, 'eval.json'), JSON.stringify({ accuracy: 90 + base / 10, results, mean }));
}

describe('aggregate', () => {
  it('evalPoint reads one detector: AUROC per set, the means, the accuracy', () => {
    const dir = tmp.fresh();
    writeEval(dir, 'a-s0', 70);
    expect(evalPoint(dir, 'a-s0', 'energy', ['gaussian', 'mnist'])).toEqual({
      run: 'a-s0',
      meanAuroc: 80.5,
      meanFpr95: -20,
      perSet: { gaussian: 81, mnist: 80 },
      accuracy: 97,
    });
    expect(() => evalPoint(dir, 'a-s0', 'msp', ['uniform'])).toThrow(
      'a-s0/eval.json has no msp result on uniform',
    );
    expect(() => evalPoint(dir, 'missing', 'msp', [])).toThrow('the reproduction has not finished');
  });

  it('setStats: mean ± sample std over seeds, NaN for a metric an older eval lacks', () => {
    const dir = tmp.fresh();
    writeEval(dir, 'a-s0', 70);
    writeEval(dir, 'a-s1', 74);
    const reports: EvalReport[] = ['a-s0', 'a-s1'].map((r) => readEval(dir, r));
    const s = setStats(reports, 'msp', 'gaussian');
    expect(s.auroc).toEqual({ mean: 73, std: Math.sqrt(8), n: 2 });
    expect(Number.isNaN(s.fpr95IdPositive.mean)).toBe(true);
  });
});
