import { InvalidArgumentError } from 'commander';

/** Commander parser for flags like `--count 1000`: a whole number ≥ 1, else a usage error. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return n;
}

/** Commander parser for flags like `--seconds 2.5`: a finite number > 0. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** Commander parser for seeds and indices: an integer in 0..2³²−1 (0 is a valid seed). */
export function uint32(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InvalidArgumentError(`expected an integer in 0..4294967295, got "${value}"`);
  }
  return n;
}

/** Commander parser for a number ≥ 0 (e.g. σ² = 0). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

/** Commander parser for a comma-separated list whose every item `one` parses (e.g. `--sigma2-sweep 0,1,50`). */
export function listOf(one: (value: string) => number): (value: string) => number[] {
  return (value) => value.split(',').map((item) => one(item.trim()));
}
