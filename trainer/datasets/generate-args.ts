import { DatasetError } from './errors.js';

/** Where a generated set starts: sample `start + k` is the k-th image, so batches can be drawn in slices. */
export interface GenerateOptions {
  /** Index of the first sample (default 0). */
  start?: number;
}

/**
 * Checks the arguments every generated set takes and returns `start`.
 *
 * @throws {DatasetError} `bad_argument` for a count or start that is not a safe integer ≥ 0, or a seed
 *   that is not a uint32
 */
export function checkGenerateArgs(what: string, n: number, seed: number, options: GenerateOptions): number {
  const start = options.start ?? 0;
  for (const [param, value] of [
    ['count', n],
    ['start', start],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new DatasetError('bad_argument', `${what}: ${param} must be an integer ≥ 0, got ${value}`, {
        value,
      });
    }
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DatasetError('bad_argument', `${what}: seed must be an integer in [0, 2^32 - 1], got ${seed}`, {
      value: seed,
    });
  }
  if (n > 0 && n - 1 > Number.MAX_SAFE_INTEGER - start) {
    throw new DatasetError(
      'bad_argument',
      `${what}: sample indices past 2^53 - 1 (start ${start}, count ${n})`,
      {
        value: n,
      },
    );
  }
  return start;
}
