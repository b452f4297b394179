import { DatasetError } from '../errors.js';

/**
 * Text samples as token ids: `n` windows of exactly `length` tokens each, row-major. Every sample goe
 * trains or evaluates on — Brown windows, outliers, OOD sets — has the same length, so length is never a
 * cue a detector can learn (DESIGN.md: the reference's glosses were shorter than its Brown windows).
 * `labels` index `classNames` for labelled (in-distribution) data.
 */
export interface TextSet {
  name: string;
  tokens: Int32Array;
  shape: [n: number, length: number];
  labels?: Int32Array;
  classNames?: readonly string[];
}

/**
 * Consecutive, non-overlapping windows of `length` tokens of one token stream; a trailing partial window
 * is dropped.
 */
export function windowsOf(stream: ArrayLike<number>, length: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let s = 0; s + length <= stream.length; s += length) {
    out.push(Int32Array.from({ length }, (_, k) => stream[s + k]));
  }
  return out;
}

/** Packs windows (each `length` tokens) into a {@link TextSet}. */
export function textSetOf(
  name: string,
  windows: readonly Int32Array[],
  length: number,
  labels?: readonly number[],
  classNames?: readonly string[],
): TextSet {
  const tokens = new Int32Array(windows.length * length);
  windows.forEach((w, i) => {
    tokens.set(w, i * length);
  });
  return {
    name,
    tokens,
    shape: [windows.length, length],
    ...(labels ? { labels: Int32Array.from(labels) } : {}),
    ...(classNames ? { classNames } : {}),
  };
}

/**
 * A new set with the rows at `indices`, in that order, copied.
 *
 * @throws {DatasetError} `bad_argument` for an index outside [0, n)
 */
export function textSubset(set: TextSet, indices: ArrayLike<number>): TextSet {
  const [n, len] = set.shape;
  const tokens = new Int32Array(indices.length * len);
  const labels = set.labels ? new Int32Array(indices.length) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new DatasetError('bad_argument', `subset index ${i} is outside ${set.name}'s [0, ${n})`, {
        value: i,
      });
    }
    tokens.set(set.tokens.subarray(i * len, (i + 1) * len), k * len);
    if (labels) labels[k] = set.labels![i];
  }
  return {
    name: set.name,
    tokens,
    shape: [indices.length, len],
    ...(labels ? { labels } : {}),
    ...(set.classNames ? { classNames: set.classNames } : {}),
  };
}
