/**
 * Reads the scores CSV that `goe metrics --scores` takes: a header `score,is_ood`, then one
 * `<score>,<is_ood>` row per sample.
 *
 * A small strict parser instead of a CSV library: no CSV package is installed, and this two-column numeric
 * format needs no quoting, so strictness (every fault named by its line) is worth more than generality.
 *
 * @module
 */

/** The samples of a scores CSV, ready for {@link oodMetrics}. */
export interface ScoresTable {
  /** Scores in file order (higher = more OOD). */
  scores: Float64Array;
  /** 1 = OOD, 0 = in-distribution, in file order. */
  isOod: Uint8Array;
}

/** A scores CSV that does not follow the format; the message names the source and line. */
export class ScoresCsvError extends Error {
  override readonly name = 'ScoresCsvError';

  constructor(
    readonly source: string,
    /** 1-based line number, the header being line 1; absent for faults of the whole file. */
    readonly line: number | undefined,
    detail: string,
  ) {
    super(line === undefined ? `${source}: ${detail}` : `${source}: line ${line}: ${detail}`);
  }
}

/** The exact header, after trimming spaces around each name. */
export const SCORES_CSV_HEADER = 'score,is_ood';

// A decimal number as numpy, pandas and JavaScript write one; `Number()` alone would also take '', ' ',
// '0x1f' and '1_0'. Infinities are allowed (they rank); NaN is not.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(?:inf|infinity)$/i;

/**
 * Parses the text of a scores CSV. Accepts a UTF-8 byte-order mark, `\n` or `\r\n` line ends, spaces around
 * cells and blank lines; labels `0`, `1`, `true`, `false` (any case).
 *
 * @param source the file name used in error messages.
 * @throws {ScoresCsvError} on a wrong header, a row without exactly two cells, a score that is not a number
 * (or is NaN), a label other than 0/1/true/false, or no data rows.
 */
export function parseScoresCsv(text: string, source = 'scores CSV'): ScoresTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]
    .split(',')
    .map((c) => c.trim())
    .join(',');
  if (header !== SCORES_CSV_HEADER) {
    throw new ScoresCsvError(
      source,
      1,
      `expected the header "${SCORES_CSV_HEADER}", got ${JSON.stringify(lines[0])}`,
    );
  }
  const scores: number[] = [];
  const isOod: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const row = lines[i];
    if (row.trim() === '') continue;
    const line = i + 1;
    const cells = row.split(',');
    if (cells.length !== 2) {
      throw new ScoresCsvError(source, line, `expected 2 cells (score,is_ood), got ${cells.length}`);
    }
    const [scoreCell, labelCell] = cells.map((c) => c.trim());
    let score: number;
    if (NUMBER.test(scoreCell)) score = Number(scoreCell);
    else if (INFINITY.test(scoreCell)) score = scoreCell.startsWith('-') ? -Infinity : Infinity;
    else throw new ScoresCsvError(source, line, `score ${JSON.stringify(scoreCell)} is not a number`);
    const label = labelCell.toLowerCase();
    if (label === '1' || label === 'true') isOod.push(1);
    else if (label === '0' || label === 'false') isOod.push(0);
    else {
      throw new ScoresCsvError(
        source,
        line,
        `is_ood ${JSON.stringify(labelCell)} must be 0, 1, true or false`,
      );
    }
    scores.push(score);
  }
  if (scores.length === 0) throw new ScoresCsvError(source, undefined, 'no data rows after the header');
  return { scores: Float64Array.from(scores), isOod: Uint8Array.from(isOod) };
}
