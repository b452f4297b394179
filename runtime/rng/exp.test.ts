import { describe, expect, it } from 'vitest';
import { EXP_CHECK_ARGUMENTS, exp, fdlibmExp } from './exp.js';
import { philox4x32 } from './philox.js';

/** n arguments in [lo, hi) from a fixed Philox stream (the same on every run). */
function uniformArguments(n: number, lo: number, hi: number, key: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = philox4x32([i, 0, 0, 0], [key, 0]);
    const u = (a * 2 ** 21 + (b >>> 11)) / 2 ** 53; // 53 random bits
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

function mismatches(xs: ArrayLike<number>): number[] {
  const bad: number[] = [];
  for (let i = 0; i < xs.length; i++) if (!Object.is(fdlibmExp(xs[i]), Math.exp(xs[i]))) bad.push(xs[i]);
  return bad;
}

describe("fdlibmExp: Math.exp's bits in inlinable JavaScript", () => {
  it('is the function exp stands for on this engine', () => {
    expect(exp).toBe(fdlibmExp);
    expect(mismatches(EXP_CHECK_ARGUMENTS)).toEqual([]);
  });

  it("gives Math.exp's bits over every branch (2 million arguments; the draw's are ≤ 0)", () => {
    expect(mismatches(uniformArguments(1_000_000, -40, 0, 1))).toEqual([]);
    expect(mismatches(uniformArguments(400_000, -760, 720, 2))).toEqual([]);
    expect(mismatches(uniformArguments(400_000, -1.1, 1.1, 3))).toEqual([]);
    expect(mismatches(uniformArguments(200_000, -1e-7, 1e-7, 4))).toEqual([]);
  });

  it("gives Math.exp's bits on the draw's own arguments: (float32 logit − max) / T", () => {
    const logits = Float32Array.from(uniformArguments(200_000, -30, 30, 5));
    const xs = new Float64Array(logits.length * 3);
    logits.forEach((l, i) => {
      xs[3 * i] = (l - 30) / 2;
      xs[3 * i + 1] = (l - 12.5) / 0.7;
      xs[3 * i + 2] = (l - Math.fround(29.9)) / 1e-3;
    });
    expect(mismatches(xs)).toEqual([]);
  });

  it('tells a wrong constant apart (the check can fail)', () => {
    const off = (x: number) => fdlibmExp(x) * (1 + 2 ** -52);
    expect(EXP_CHECK_ARGUMENTS.every((x) => Object.is(off(x), Math.exp(x)))).toBe(false);
  });
});
