import { RngArgumentError } from './errors.js';

const UINT32_MAX = 0xffffffff;

/** A uint32: an integer in [0, 2^32 − 1]. 0 is valid (unlike tfjs, where seed 0 means "unseeded"). */
export function checkUint32(param: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new RngArgumentError(param, value, 'must be an integer in [0, 2^32 - 1]');
  }
}

/** A sample index or count: an integer in [0, 2^53 − 1]. */
export function checkSafeIndex(param: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RngArgumentError(param, value, 'must be an integer in [0, 2^53 - 1]');
  }
}

/** A variance: finite and ≥ 0 (0 gives the mean exactly). */
export function checkVariance(value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RngArgumentError('variance', value, 'must be a finite number >= 0');
  }
}

/** A mean: finite. */
export function checkMean(value: number): void {
  if (!Number.isFinite(value)) throw new RngArgumentError('mean', value, 'must be a finite number');
}
