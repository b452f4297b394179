import { RngArgumentError } from './errors.js';

/**
 * Checks logits and a temperature and returns the index of the first maximal logit.
 * Logits may be −Infinity (a masked-out class) but not NaN or +Infinity, and at least one must be finite.
 * The temperature must be finite and ≥ 0; 0 means argmax.
 */
function checkLogits(logits: ArrayLike<number>, temperature: number): number {
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new RngArgumentError('temperature', temperature, 'must be a finite number >= 0 (0 means argmax)');
  }
  if (logits.length === 0) throw new RngArgumentError('logits', logits, 'must not be empty');
  let argmax = 0;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i];
    if (Number.isNaN(l) || l === Number.POSITIVE_INFINITY) {
      throw new RngArgumentError(`logits[${i}]`, l, 'must be a number < +Infinity (-Infinity masks a class)');
    }
    if (l > logits[argmax]) argmax = i;
  }
  if (logits[argmax] === Number.NEGATIVE_INFINITY) {
    throw new RngArgumentError('logits', logits, 'must have at least one finite entry');
  }
  return argmax;
}

/**
 * Unnormalised weights exp((lᵢ − max l) / T). Subtracting the max first keeps every exponent ≤ 0, so
 * nothing overflows and the largest weight is exactly 1 (the usual log-sum-exp shift).
 */
function weights(logits: ArrayLike<number>, temperature: number, argmax: number): Float64Array {
  const max = logits[argmax];
  const w = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) w[i] = Math.exp((logits[i] - max) / temperature);
  return w;
}

/**
 * softmax(logits / T) in float64. T = 0 gives a one-hot vector at the (first) argmax.
 *
 * @throws {RngArgumentError} on empty logits, NaN or +Infinity logits, all −Infinity, or T < 0 / non-finite
 */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const argmax = checkLogits(logits, temperature);
  if (temperature === 0) {
    const p = new Float64Array(logits.length);
    p[argmax] = 1;
    return p;
  }
  const p = weights(logits, temperature, argmax);
  let total = 0;
  for (let i = 0; i < p.length; i++) total += p[i];
  for (let i = 0; i < p.length; i++) p[i] /= total;
  return p;
}

/**
 * Draws a class from softmax(logits / T) by inverse CDF with one uniform `u` ∈ (0, 1): the first class
 * whose cumulative weight exceeds u · Σw. T = 0 returns the argmax (u is ignored).
 *
 * @throws {RngArgumentError} as {@link softmax}
 */
export function categoricalFromUniform(logits: ArrayLike<number>, temperature: number, u: number): number {
  const argmax = checkLogits(logits, temperature);
  if (temperature === 0) return argmax;
  const w = weights(logits, temperature, argmax);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i];
  const target = u * total;
  let acc = 0;
  let last = argmax;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 0) continue;
    acc += w[i];
    last = i;
    if (target < acc) return i;
  }
  // Rounding can leave target ≥ the summed cumulative; fall back to the last class with mass.
  return last;
}
