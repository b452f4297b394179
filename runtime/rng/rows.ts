import { RngArgumentError } from './errors.js';
import { Purpose } from './purpose.js';
import { SampleStream } from './stream.js';
import { checkSafeIndex, checkUint32, checkVariance } from './validate.js';

const TWO_POW_31 = 2147483648;

function checkRange(start: number, count: number): void {
  checkSafeIndex('start', start);
  checkSafeIndex('count', count);
  // Compared as count − 1 > MAX − start, because start + count itself may round above 2^53.
  if (count - 1 > Number.MAX_SAFE_INTEGER - start) {
    throw new RngArgumentError(
      'count',
      count,
      `must keep the last index start + count - 1 <= 2^53 - 1 (start ${start})`,
    );
  }
}

/**
 * N(0, variance) rows for samples `start … start + count − 1`, as one row-major `count × dim` array.
 * Row r is exactly `sampleStream(seed, start + r, purpose).fillNormal(new Float32Array(dim), variance)`,
 * so any slice of a batch equals the batch made for that slice alone.
 *
 * @param seed uint32; 0 is valid
 * @param start first sample index
 * @param count number of rows (samples)
 * @param dim values per row
 * @param variance σ², finite and ≥ 0
 * @param purpose stream purpose, {@link Purpose.LATENT} by default
 * @throws {RngArgumentError} if an argument is out of range
 */
export function normalRows(
  seed: number,
  start: number,
  count: number,
  dim: number,
  variance = 1,
  purpose: number = Purpose.LATENT,
): Float32Array {
  checkUint32('seed', seed);
  checkRange(start, count);
  checkSafeIndex('dim', dim);
  checkVariance(variance);
  checkUint32('purpose', purpose);
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    new SampleStream(seed, start + r, purpose).fillNormal(out.subarray(r * dim, (r + 1) * dim), variance);
  }
  return out;
}

/**
 * One unbiased integer in [0, n − 1] per sample `start … start + count − 1` (e.g. the class a
 * conditional generator is asked for). Entry r is exactly `sampleStream(seed, start + r, purpose).uniformInt(n)`.
 *
 * @param seed uint32; 0 is valid
 * @param start first sample index
 * @param count number of samples
 * @param n number of outcomes, integer in [1, 2^31] (so every result fits an Int32Array)
 * @param purpose stream purpose, {@link Purpose.CLASS} by default
 * @throws {RngArgumentError} if an argument is out of range
 */
export function uniformIntRows(
  seed: number,
  start: number,
  count: number,
  n: number,
  purpose: number = Purpose.CLASS,
): Int32Array {
  checkUint32('seed', seed);
  checkRange(start, count);
  if (!Number.isInteger(n) || n < 1 || n > TWO_POW_31) {
    throw new RngArgumentError('n', n, 'must be an integer in [1, 2^31]');
  }
  checkUint32('purpose', purpose);
  const out = new Int32Array(count);
  for (let r = 0; r < count; r++) out[r] = new SampleStream(seed, start + r, purpose).uniformInt(n);
  return out;
}
