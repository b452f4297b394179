import { DatasetError } from './errors.js';

/**
 * What every in-memory data set shares, whatever its rows hold: `n` rows of one shape stored row-major
 * (`shape[0]` = n, the rest = one row's shape), optional labels indexing `classNames`. Images keep
 * their rows in `images` (uint8 NHWC), text in `tokens` (token ids); {@link rowsOf} reads either.
 * Sets a loader caches are shared: treat the arrays as read-only, and copy with {@link subset}.
 */
export interface RowSet {
  name: string;
  shape: readonly [n: number, ...row: number[]];
  labels?: Int32Array;
  classNames?: readonly string[];
}

/** A row set's rows, whichever kind it is. */
export function rowsOf(
  set: RowSet & ({ images: Uint8Array } | { tokens: Int32Array }),
): Uint8Array | Int32Array {
  return 'images' in set ? set.images : set.tokens;
}

/**
 * A new set holding the rows (and labels) at `indices`, in that order, copied; repeats are allowed.
 * Works on image and text sets alike and returns the same kind.
 *
 * @throws {DatasetError} `bad_argument` for an index that is not an integer in [0, n)
 */
export function subset<S extends RowSet & ({ images: Uint8Array } | { tokens: Int32Array })>(
  set: S,
  indices: ArrayLike<number>,
): S {
  const [n, ...row] = set.shape;
  const size = row.reduce((a, b) => a * b, 1);
  const source = rowsOf(set);
  const rows = new (source.constructor as Uint8ArrayConstructor | Int32ArrayConstructor)(
    indices.length * size,
  );
  const labels = set.labels ? new Int32Array(indices.length) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new DatasetError('bad_argument', `subset index ${i} is outside ${set.name}'s [0, ${n})`, {
        value: i,
      });
    }
    rows.set(source.subarray(i * size, (i + 1) * size), k * size);
    if (labels) labels[k] = set.labels![i];
  }
  return {
    name: set.name,
    ['images' in set ? 'images' : 'tokens']: rows,
    shape: [indices.length, ...row],
    ...(labels ? { labels } : {}),
    ...(set.classNames ? { classNames: set.classNames } : {}),
  } as unknown as S;
}
