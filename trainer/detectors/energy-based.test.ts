import { describe, expect, it } from 'vitest';
import { EnergyBased } from './energy-based.js';
import { DetectorArgumentError } from './errors.js';

const f32 = (...x: number[]) => Float32Array.from(x);

describe('EnergyBased.score', () => {
  it('is −T·logsumexp(f/T) (hand-computed)', () => {
    const [a, b] = EnergyBased.score(f32(0, 0, 1, 2), 2);
    expect(a).toBeCloseTo(-Math.log(2), 6);
    expect(b).toBeCloseTo(-Math.log(Math.exp(1) + Math.exp(2)), 6);
    // T = 2: f/T = (0, ln 3) → logsumexp = ln 4 → score −2·ln 4
    expect(EnergyBased.score(f32(0, 2 * Math.log(3)), 2, 2)[0]).toBeCloseTo(-2 * Math.log(4), 6);
    expect(new EnergyBased(2).score(f32(0, 2 * Math.log(3)), 2)[0]).toBeCloseTo(-2 * Math.log(4), 6);
  });

  it('stays finite and exact at logits of ±1000 (max-subtraction)', () => {
    const s = EnergyBased.score(f32(1000, 1000, 1000, -1000, -1000, -1000, 1000, -1000, 0), 3);
    expect(s[0]).toBe(Math.fround(-(1000 + Math.log(3))));
    expect(s[1]).toBe(Math.fround(1000 - Math.log(3)));
    expect(s[2]).toBe(-1000);
  });

  it('scores a confident ID sample lower (less OOD) than a uniform one', () => {
    const [confident, uniform] = EnergyBased.score(f32(10, 0, 0, 1, 1, 1), 3);
    expect(confident).toBeLessThan(uniform);
  });

  it('rejects a temperature that is not a finite number > 0', () => {
    for (const t of [0, -1, Number.NaN, Infinity]) {
      expect(() => new EnergyBased(t)).toThrow(DetectorArgumentError);
      expect(() => EnergyBased.score(f32(1, 2), 2, t)).toThrow(/temperature must be a finite number > 0/);
    }
  });
});
