/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3", SC'11 (https://doi.org/10.1145/2063384.2063405). Constants and round structure
 * follow the reference implementation, Random123 `philox.h` (https://github.com/DEShawResearch/random123).
 *
 * Everything is done with 32-bit integer operations so the output is bit-exact on every JS engine.
 */

// Multipliers and Weyl key increments from Random123 philox.h (PHILOX_M4x32_0/1, PHILOX_W32_0/1).
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9; // golden ratio
const W1 = 0xbb67ae85; // sqrt(3) - 1

/** Number of rounds; 10 is the Random123 default and the variant its known-answer vectors cover. */
export const PHILOX_ROUNDS = 10;

/**
 * High 32 bits of the exact 64-bit product of two uint32s. A float64 product would lose the low bits,
 * so the operands are split into 16-bit halves whose partial products are all exact (< 2^32).
 */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lh = al * bh;
  const hl = ah * bl;
  const carry = (((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16;
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + carry) >>> 0;
}

/**
 * One Philox4x32-10 block: maps a 128-bit counter and a 64-bit key to 128 random bits.
 *
 * @param counter four uint32 words (c0, c1, c2, c3)
 * @param key two uint32 words (k0, k1)
 * @param out where the four output words are written (may be reused across calls)
 * @returns `out`
 */
export function philox4x32(
  counter: ArrayLike<number>,
  key: ArrayLike<number>,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    // The key is bumped between rounds, not before the first (Random123 philox4x32_R).
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}
