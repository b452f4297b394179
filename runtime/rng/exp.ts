/**
 * e^x with the bits of V8's `Math.exp`, written in JavaScript so that the optimizing compiler inlines it into a
 * hot loop instead of calling out to C once per element (the token draw takes 6,000 per row; issue 13).
 *
 * Why by hand: the determinism promise pins every weight of a draw to `Math.exp`'s bits, and no package
 * promises that. V8's `Math.exp` is FreeBSD msun's / fdlibm's `e_exp.c` (v8 src/base/ieee754.cc `exp`); this is
 * the same algorithm in the same IEEE double operations and order (argument reduction x = k·ln2 + r with ln2
 * split in two, the degree-5 Remez polynomial for r·(e^r + 1)/(e^r − 1), scaling by 2^k), with the high-word
 * tests written as comparisons of |x| with the doubles whose high word they test. {@link exp} is this function
 * only if it agrees with `Math.exp` on a fixed set of arguments when the module loads; else `Math.exp`.
 */
export function fdlibmExp(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < ABS_OVERFLOW_CHECK)) {
    if (x !== x) return x; // NaN
    if (x > O_THRESHOLD) return Number.POSITIVE_INFINITY;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax >= HALF_LN2) {
    if (ax < ONE_AND_HALF_LN2) {
      if (x === 1) return Math.E; // fdlibm's special case: the reduction would miss E's last bit
      if (x < 0) {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      } else {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      }
    } else {
      k = (INV_LN2 * x + (x < 0 ? -0.5 : 0.5)) | 0; // C's truncating (int) cast
      hi = x - k * LN2_HI; // exact: k·LN2_HI has few enough bits
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < TWO_M28) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  // Multiplying by a power of two is exact wherever fdlibm adds k to the exponent field.
  if (k >= -1021) return k === 1024 ? y * 2 * TWO_1023 : y * POW2[k + POW2_BIAS];
  return y * POW2[k + 1000 + POW2_BIAS] * TWO_M1000;
}

// fdlibm e_exp.c's constants (hex in its comments).
const O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD = -7.4513321910194110842e2; // 0xC0874910 D52D3051
const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
const TWO_M1000 = 2 ** -1000;
const TWO_1023 = 2 ** 1023;
// fdlibm tests the high 32 bits of |x|: hx ≥ 0x40862E42, hx > 0x3FD62E42, hx < 0x3FF0A2B2, hx < 0x3E300000.
// As doubles: the smallest |x| with each high word (low word 0).
const ABS_OVERFLOW_CHECK = 709.7822265625; // high word 0x40862E42
const HALF_LN2 = 0.3465735912322998; // high word 0x3FD62E43
const ONE_AND_HALF_LN2 = 1.0397205352783203; // high word 0x3FF0A2B2
const TWO_M28 = 2 ** -28; // high word 0x3E300000
const POW2_BIAS = 1023;
const POW2 = Float64Array.from({ length: 2048 }, (_, i) => 2 ** (i - POW2_BIAS));

/** Arguments that reach every branch of {@link fdlibmExp}, and its edges, for the check at load. */
export const EXP_CHECK_ARGUMENTS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1e-9,
  -1e-9,
  2 ** -29,
  -(2 ** -29),
  HALF_LN2,
  -HALF_LN2,
  0.34657359,
  -0.34657359,
  ONE_AND_HALF_LN2,
  -ONE_AND_HALF_LN2,
  1.0397,
  -1.0397,
  2.5,
  -2.5,
  -3.7,
  -7.25,
  -11.9,
  -20,
  -45.3,
  -100,
  -700,
  -708.39,
  -708.4,
  -709,
  -744,
  -745.13,
  -745.14,
  -800,
  700,
  709.78,
  709.79,
  710,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  ...Array.from({ length: 512 }, (_, i) => -((i * 0.618033988749895) % 1) * 2 ** ((i % 12) - 3)),
];

/** `fdlibmExp` where it gives `Math.exp`'s bits on this engine (checked once, at load), else `Math.exp`. */
export const exp: (x: number) => number = EXP_CHECK_ARGUMENTS.every((x) =>
  Object.is(fdlibmExp(x), Math.exp(x)),
)
  ? fdlibmExp
  : Math.exp;
