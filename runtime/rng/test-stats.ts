/**
 * Reference statistics for the rng tests (not part of the public API). Written independently of the
 * generator so the distribution checks do not grade their own homework.
 */

/**
 * erf(x) by Abramowitz & Stegun, Handbook of Mathematical Functions, formula 7.1.26
 * (|error| ≤ 1.5e−7), extended to x < 0 by oddness.
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-ax * ax));
}

/** CDF of N(mean, variance): ½(1 + erf((x − μ) / √(2σ²))). */
export function normalCdf(x: number, mean = 0, variance = 1): number {
  return 0.5 * (1 + erf((x - mean) / Math.sqrt(2 * variance)));
}

/** Sample mean and unbiased sample variance. */
export function meanVariance(xs: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i] - mean) ** 2;
  return { mean, variance: ss / (xs.length - 1) };
}

/**
 * One-sample Kolmogorov–Smirnov statistic D = sup |Fₙ(x) − F(x)|, evaluated on both sides of each
 * step of the empirical CDF.
 */
export function ksStatistic(xs: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/**
 * Critical D for α ≈ 0.001 at large n: 1.95 / √n (asymptotic Kolmogorov distribution, K(1.95) ≈ 0.999).
 */
export function ksCritical001(n: number): number {
  return 1.95 / Math.sqrt(n);
}

/** Pearson's χ² = Σ (observed − expected)² / expected, with expected = n·pᵢ. */
export function chiSquare(counts: ArrayLike<number>, probs: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i];
  let chi2 = 0;
  for (let i = 0; i < counts.length; i++) {
    const expected = n * probs[i];
    chi2 += (counts[i] - expected) ** 2 / expected;
  }
  return chi2;
}

/**
 * Upper 0.001 critical values of χ² by degrees of freedom, from the NIST/SEMATECH e-Handbook of
 * Statistical Methods, table 1.3.6.7.4 (https://www.itl.nist.gov/div898/handbook/eda/section3/eda3674.htm).
 */
export const CHI2_CRITICAL_001: Readonly<Record<number, number>> = {
  1: 10.828,
  2: 13.816,
  3: 16.266,
  4: 18.467,
  9: 27.877,
};
