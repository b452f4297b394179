import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** A Gaussian fitted to `[n, d]` feature rows: mean `[d]` and covariance `[d, d]` (unbiased, n − 1). */
export interface GaussianFit {
  dim: number;
  /** Rows the fit was made from. */
  n: number;
  mean: Float64Array;
  cov: Matrix;
}

/**
 * Fits mean and covariance to `[n, d]` row-major features, in float64.
 * @throws {RangeError} when the length is not a multiple of `dim` or there are fewer than 2 rows
 */
export function gaussianFit(features: ArrayLike<number>, dim: number): GaussianFit {
  const n = features.length / dim;
  if (!Number.isInteger(n) || dim < 1) {
    throw new RangeError(`gaussianFit: ${features.length} values are not rows of ${dim} features`);
  }
  if (n < 2) throw new RangeError(`gaussianFit: a covariance needs at least 2 rows, got ${n}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += features[i * dim + k];
  for (let k = 0; k < dim; k++) mean[k] /= n;
  const centred = new Matrix(n, dim);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < dim; k++) centred.set(i, k, features[i * dim + k] - mean[k]);
  const cov = centred
    .transpose()
    .mmul(centred)
    .div(n - 1);
  return { dim, n, mean, cov };
}

/** Eigenvalues of a symmetric matrix, negative round-off (from a PSD matrix) clamped to 0. */
function psdEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return { values: e.realEigenvalues.map((v) => Math.max(0, v)), vectors: e.eigenvectorMatrix };
}

/**
 * The Fréchet (2-Wasserstein) distance between two Gaussians, the quantity FID reports (Heusel et al.
 * 2017, eq. 6; Dowson & Landau 1982): ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½).
 *
 * tr((Σ₁Σ₂)^½) is computed as Σ √λᵢ of the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½ (similar to Σ₁Σ₂, so the same
 * eigenvalues), with Σ₁^½ from a symmetric eigendecomposition (ml-matrix): unlike scipy's `sqrtm` of the
 * non-symmetric product, it never yields complex parts, and rank-deficient covariances (dead ReLU
 * features) are fine. Units: squared feature units.
 *
 * @throws {RangeError} when the two fits have different dimensions
 */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: dimensions differ (${a.dim} vs ${b.dim})`);
  let meanTerm = 0;
  for (let k = 0; k < a.dim; k++) meanTerm += (a.mean[k] - b.mean[k]) ** 2;
  const ea = psdEigen(a.cov);
  const sqrtA = ea.vectors.mmul(Matrix.diag(ea.values.map(Math.sqrt))).mmul(ea.vectors.transpose());
  const inner = sqrtA.mmul(b.cov).mmul(sqrtA);
  // Symmetrise: round-off leaves the product slightly asymmetric, and the solver assumes symmetry.
  const sym = inner.add(inner.transpose()).div(2);
  const traceSqrt = psdEigen(sym).values.reduce((s, v) => s + Math.sqrt(v), 0);
  const d = meanTerm + a.cov.trace() + b.cov.trace() - 2 * traceSqrt;
  // Identical fits give ±1e-12 round-off; a distance is never negative.
  return Math.max(0, d);
}
