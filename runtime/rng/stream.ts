import { categoricalFromUniform } from './categorical.js';
import { RngArgumentError } from './errors.js';
import { philox4x32 } from './philox.js';
import { checkMean, checkSafeIndex, checkUint32, checkVariance } from './validate.js';

const TWO_POW_26 = 67108864;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_PI = 2 * Math.PI;

/**
 * The random stream of one sample: Philox4x32-10 with key = (seed, purpose) and
 * counter = (index mod 2^32, ⌊index / 2^32⌋, block lo, block hi). Every value depends only on
 * (seed, index, purpose) and on how many values were drawn before it from this same stream, never on
 * other streams, batch size or call order.
 *
 * Create with {@link sampleStream}.
 */
export class SampleStream {
  readonly #key = new Uint32Array(2);
  readonly #counter = new Uint32Array(4);
  readonly #block = new Uint32Array(4);
  #pos = 4; // words of #block already handed out; 4 = empty
  #spare = 0; // the second Box–Muller output
  #hasSpare = false;

  /**
   * @param seed uint32; 0 is a valid seed
   * @param index sample index, integer in [0, 2^53 − 1]
   * @param purpose uint32 stream purpose, usually a {@link Purpose} value
   * @throws {RngArgumentError} if an argument is out of range
   */
  constructor(
    readonly seed: number,
    readonly index: number,
    readonly purpose: number,
  ) {
    checkUint32('seed', seed);
    checkSafeIndex('index', index);
    checkUint32('purpose', purpose);
    this.#key[0] = seed;
    this.#key[1] = purpose;
    this.#counter[0] = index >>> 0;
    this.#counter[1] = Math.floor(index / TWO_POW_32);
  }

  /** The next 32 random bits, as an integer in [0, 2^32 − 1]. */
  nextUint32(): number {
    if (this.#pos === 4) {
      philox4x32(this.#counter, this.#key, this.#block);
      // 64-bit block counter in words 2–3; Uint32Array stores wrap mod 2^32.
      if (++this.#counter[2] === 0) this.#counter[3]++;
      this.#pos = 0;
    }
    return this.#block[this.#pos++];
  }

  /**
   * A float64 uniform in the open interval (0, 1) with 53 random bits: k / 2^53 for k drawn from two
   * words (27 + 26 bits, as in MT19937's genrand_res53), redrawing the single value k = 0 so that
   * log(u) is always finite. The largest value is 1 − 2^−53.
   */
  uniform(): number {
    for (;;) {
      const k = (this.nextUint32() >>> 5) * TWO_POW_26 + (this.nextUint32() >>> 6);
      if (k !== 0) return k / TWO_POW_53;
    }
  }

  /**
   * An unbiased integer in [0, n − 1]. Rejection sampling: 32-bit words at or above the largest multiple
   * of n are redrawn, so every residue is equally likely (no modulo bias).
   *
   * @param n number of outcomes, integer in [1, 2^32]
   * @throws {RngArgumentError} if n is out of range
   */
  uniformInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RngArgumentError('n', n, 'must be an integer in [1, 2^32]');
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /**
   * A normal deviate N(mean, variance) (variance, not standard deviation; any σ² ≥ 0).
   *
   * @throws {RngArgumentError} if mean is not finite or variance is negative / not finite
   */
  normal(mean = 0, variance = 1): number {
    checkMean(mean);
    checkVariance(variance);
    return mean + Math.sqrt(variance) * this.#standardNormal();
  }

  /**
   * Fills `out` with N(0, variance) deviates: exactly the values of `out.length` successive
   * `normal(0, variance)` calls, rounded to the array's element type.
   *
   * @returns `out`
   * @throws {RngArgumentError} if variance is negative or not finite
   */
  fillNormal<T extends Float32Array | Float64Array>(out: T, variance = 1): T {
    checkVariance(variance);
    const scale = Math.sqrt(variance);
    // `0 +` mirrors normal(0, variance) exactly, down to turning a -0 into +0.
    for (let i = 0; i < out.length; i++) out[i] = 0 + scale * this.#standardNormal();
    return out;
  }

  /**
   * A class index drawn from softmax(logits / temperature), computed in float64 with the max subtracted,
   * by inverse CDF from one uniform. temperature = 0 means argmax; it still consumes one uniform so the
   * rest of the stream does not depend on the temperature.
   *
   * @param logits unnormalised log-probabilities; −Infinity masks a class
   * @param temperature finite, ≥ 0
   * @throws {RngArgumentError} on empty logits, NaN / +Infinity logits, all −Infinity, or a bad temperature
   */
  categorical(logits: ArrayLike<number>, temperature = 1): number {
    return categoricalFromUniform(logits, temperature, this.uniform());
  }

  /**
   * Box–Muller transform (G. E. P. Box & M. E. Muller, "A note on the generation of random normal
   * deviates", Ann. Math. Statist. 29(2), 1958): two uniforms give two independent N(0, 1) deviates
   * r·cos θ and r·sin θ with r = √(−2 ln u₁), θ = 2π u₂. The sine half is kept for the next call.
   */
  #standardNormal(): number {
    if (this.#hasSpare) {
      this.#hasSpare = false;
      return this.#spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = TWO_PI * this.uniform();
    this.#spare = r * Math.sin(theta);
    this.#hasSpare = true;
    return r * Math.cos(theta);
  }
}

/**
 * The random stream of sample `index` under `seed`, for one `purpose`.
 *
 * @param seed uint32; 0 is a valid seed
 * @param index sample index, integer in [0, 2^53 − 1]
 * @param purpose uint32, usually a {@link Purpose} value; different purposes are independent streams
 * @throws {RngArgumentError} if an argument is out of range
 */
export function sampleStream(seed: number, index: number, purpose: number): SampleStream {
  return new SampleStream(seed, index, purpose);
}
