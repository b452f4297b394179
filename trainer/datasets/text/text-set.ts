import type { RowSet } from '../row-set.js';

/**
 * Text samples as token ids: `n` windows of exactly `length` tokens each, row-major. Every sample goe
 * trains or evaluates on — Brown windows, outliers, OOD sets — has the same length, so length is never a
 * cue a detector can learn (DESIGN.md: the reference's glosses were shorter than its Brown windows).
 * `labels` index `classNames` for labelled (in-distribution) data.
 */
export interface TextSet extends RowSet {
  tokens: Int32Array;
  shape: [n: number, length: number];
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
