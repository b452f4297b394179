/** The default σ² grid of `goe tune` (images) and its T grid (text): the paper's sweeps. */
export const DEFAULT_SIGMA2_GRID = [0.5, 1, 2, 5, 10, 20, 50, 100];
export const DEFAULT_TEMPERATURE_GRID = [0.5, 0.8, 1, 1.5, 2, 3, 5];

/**
 * Parses `--grid 0.5,1,2`: σ² values ≥ 0 (images) or temperatures > 0 (text), distinct, sorted.
 *
 * @throws {Error} one line naming the bad entry: not a number, out of range, repeated, or an empty grid
 */
export function parseGrid(text: string, knob: 'sigma2' | 'temperature'): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') throw new Error('--grid is empty: give values like 1,5,50');
  const values = parts.map((p) => {
    const x = p === '' ? Number.NaN : Number(p);
    const ok = Number.isFinite(x) && (knob === 'sigma2' ? x >= 0 : x > 0);
    if (!ok) {
      throw new Error(
        `--grid entry "${p}" is not a ${knob === 'sigma2' ? 'σ² ≥ 0' : 'temperature > 0'} (in "${text}")`,
      );
    }
    return x;
  });
  const seen = new Set<number>();
  for (const v of values) {
    if (seen.has(v)) throw new Error(`--grid lists ${v} twice (in "${text}")`);
    seen.add(v);
  }
  return values.sort((a, b) => a - b);
}
