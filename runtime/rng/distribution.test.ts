import { describe, expect, it } from 'vitest';
import { Purpose } from './purpose.js';
import { normalRows, uniformIntRows } from './rows.js';
import { sampleStream } from './stream.js';
import {
  CHI2_CRITICAL_001,
  chiSquare,
  erf,
  ksCritical001,
  ksStatistic,
  meanVariance,
  normalCdf,
} from './test-stats.js';

// Sanity bounds are set so a correct generator fails them with probability ~0.001 or less for any seed:
// means and variances within 5 standard errors, KS and χ² at α = 0.001.
const N = 100_000;
const SEED = 1234;

describe('reference statistics', () => {
  it('erf (Abramowitz–Stegun 7.1.26) matches tabulated values to 1.5e-7', () => {
    // Values from DLMF / any table of erf.
    const table: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-1, -0.8427007929497149],
    ];
    for (const [x, y] of table) expect(Math.abs(erf(x) - y)).toBeLessThan(1.5e-7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
  });
});

describe('uniform()', () => {
  it('has mean 1/2, variance 1/12 and passes KS against U(0, 1) over 100k draws from one stream', () => {
    const s = sampleStream(SEED, 0, Purpose.LATENT);
    const xs = new Float64Array(N);
    for (let i = 0; i < N; i++) xs[i] = s.uniform();
    const { mean, variance } = meanVariance(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    // Var of the sample variance ≈ (μ₄ − σ⁴)/n with μ₄ = 1/80 for U(0, 1).
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
    expect(ksStatistic(xs, (x) => Math.min(1, Math.max(0, x)))).toBeLessThan(ksCritical001(N));
  });

  it('is uniform and uncorrelated across sample indices (first draw of 100k streams)', () => {
    const xs = new Float64Array(N);
    for (let i = 0; i < N; i++) xs[i] = sampleStream(SEED, i, Purpose.LATENT).uniform();
    expect(ksStatistic(xs, (x) => x)).toBeLessThan(ksCritical001(N));
    // Lag-1 Pearson correlation between neighbouring indices; its standard error is ≈ 1/√n.
    const { mean, variance } = meanVariance(xs);
    let cov = 0;
    for (let i = 0; i + 1 < N; i++) cov += (xs[i] - mean) * (xs[i + 1] - mean);
    const r = cov / (N - 2) / variance;
    expect(Math.abs(r)).toBeLessThan(5 / Math.sqrt(N));
  });
});

describe('normal() / normalRows()', () => {
  it('with variance 50 has mean 0, variance 50 and passes KS against N(0, 50) over 100k draws', () => {
    const variance = 50;
    const xs = normalRows(SEED, 0, 1000, 100, variance);
    const stats = meanVariance(xs);
    expect(Math.abs(stats.mean)).toBeLessThan(5 * Math.sqrt(variance / N));
    // Var of the sample variance of a normal is 2σ⁴/(n − 1).
    expect(Math.abs(stats.variance - variance)).toBeLessThan(5 * variance * Math.sqrt(2 / (N - 1)));
    expect(ksStatistic(xs, (x) => normalCdf(x, 0, variance))).toBeLessThan(ksCritical001(N));
  });

  it('gives independent Box–Muller pairs: the cos and sin halves are uncorrelated', () => {
    const s = sampleStream(SEED, 1, Purpose.LATENT);
    const a = new Float64Array(N / 2);
    const b = new Float64Array(N / 2);
    for (let i = 0; i < N / 2; i++) {
      a[i] = s.normal();
      b[i] = s.normal();
    }
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    expect(Math.abs(dot / a.length)).toBeLessThan(5 / Math.sqrt(a.length));
    expect(ksStatistic(b, (x) => normalCdf(x))).toBeLessThan(ksCritical001(b.length));
  });
});

describe('categorical()', () => {
  const logits = [1, 0.5, 0, -0.5, -1];
  // softmax computed here from the formula, independently of categorical.ts.
  const reference = (t: number) => {
    const e = logits.map((l) => Math.exp(l / t));
    const z = e.reduce((x, y) => x + y, 0);
    return e.map((x) => x / z);
  };

  it.each([0.5, 1, 2])('matches softmax(logits / T) by χ² over 100k samples at T = %s', (t) => {
    const counts = new Float64Array(logits.length);
    for (let i = 0; i < N; i++) counts[sampleStream(SEED, i, Purpose.TOKEN).categorical(logits, t)]++;
    expect(chiSquare(counts, reference(t))).toBeLessThan(CHI2_CRITICAL_001[logits.length - 1]);
  });

  it('always picks the argmax at T = 0', () => {
    const counts = new Float64Array(logits.length);
    for (let i = 0; i < 1000; i++) counts[sampleStream(SEED, i, Purpose.TOKEN).categorical(logits, 0)]++;
    expect(Array.from(counts)).toEqual([1000, 0, 0, 0, 0]);
  });
});

describe('uniformIntRows()', () => {
  it('draws each of 10 classes equally often by χ² over 100k samples', () => {
    const classes = uniformIntRows(SEED, 0, N, 10);
    const counts = new Float64Array(10);
    for (const c of classes) counts[c]++;
    expect(chiSquare(counts, new Array(10).fill(0.1))).toBeLessThan(CHI2_CRITICAL_001[9]);
  });
});
