import { describe, expect, it } from 'vitest';
import { crossSigmaAggregate, targetSeed } from './cross-sigma.js';

describe('crossSigmaAggregate', () => {
  it('weighs the level block and the noise block equally, whatever their sizes', () => {
    // Levels mean 60, noise mean 90 → 75 (a plain mean over the 4 targets would give 67.5).
    expect(crossSigmaAggregate({ 'σ²=1': 50, 'σ²=5': 60, 'σ²=20': 70 }, { uniform: 90 })).toBe(75);
    expect(crossSigmaAggregate({}, { uniform: 80, gaussian: 90 })).toBe(85);
    expect(() => crossSigmaAggregate({}, {})).toThrow(/no target/);
  });
});

describe('targetSeed', () => {
  it('is a uint32 other than the run seed, one per seed', () => {
    const seeds = [0, 1, 2, 0xffffffff].map(targetSeed);
    expect(new Set(seeds).size).toBe(4);
    for (const [i, s] of seeds.entries()) {
      expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
      expect(s).not.toBe([0, 1, 2, 0xffffffff][i]);
    }
  });
});
