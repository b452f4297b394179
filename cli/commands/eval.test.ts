import { describe, expect, it } from 'vitest';
import { oodMetrics } from '../../trainer/metrics/index.js';
import { formatEval } from './eval.js';

describe('formatEval', () => {
  it('prints both FPR95 conventions under names that say which class is positive, within 80 columns', () => {
    // The README's worked example: ID scores 1…20, OOD 3, 8, 21…38.
    const id = Array.from({ length: 20 }, (_, i) => i + 1);
    const ood = [3, 8, ...Array.from({ length: 18 }, (_, i) => i + 21)];
    const m = oodMetrics([...id, ...ood], [...id.map(() => 0), ...ood.map(() => 1)]);
    const text = formatEval({
      results: [{ detector: 'energy', ood: 'worked-example', ...m }],
      mean: { energy: m },
      accuracy: 90,
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[2]).toMatch(/FPR95-OOD\+\s+FPR95-ID\+$/);
    expect(lines[3]).toMatch(/^energy\s+worked-example\s+92\.50\s+86\.96\s+95\.60\s+65\.00\s+10\.00$/);
    expect(text).toMatch(/FPR95-ID\+ \(ID positive/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});
