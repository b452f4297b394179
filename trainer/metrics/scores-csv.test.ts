import { describe, expect, it } from 'vitest';
import { parseScoresCsv, ScoresCsvError } from './scores-csv.js';

function csvError(text: string): ScoresCsvError {
  try {
    parseScoresCsv(text, 'x.csv');
  } catch (err) {
    expect(err).toBeInstanceOf(ScoresCsvError);
    return err as ScoresCsvError;
  }
  throw new Error('expected a ScoresCsvError');
}

describe('parseScoresCsv', () => {
  it('reads scores and 0/1/true/false labels in file order', () => {
    const t = parseScoresCsv('score,is_ood\n0.5,1\n-1e-3,0\n2,true\n3.25,FALSE\n-inf,0\nInfinity,1\n');
    expect(Array.from(t.scores)).toEqual([0.5, -0.001, 2, 3.25, -Infinity, Infinity]);
    expect(Array.from(t.isOod)).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it('accepts a BOM, CRLF, spaces around cells and blank lines', () => {
    const t = parseScoresCsv('\uFEFFscore, is_ood\r\n 0.5 , 1 \r\n\r\n.25,0\r\n');
    expect(Array.from(t.scores)).toEqual([0.5, 0.25]);
    expect(Array.from(t.isOod)).toEqual([1, 0]);
  });

  it('keeps full float64 precision', () => {
    expect(parseScoresCsv('score,is_ood\n0.30000000000000004,1\n').scores[0]).toBe(0.1 + 0.2);
  });

  it('rejects a wrong header', () => {
    const e = csvError('is_ood,score\n1,0.5\n');
    expect(e.line).toBe(1);
    expect(e.message).toBe('x.csv: line 1: expected the header "score,is_ood", got "is_ood,score"');
  });

  it('names the line of a non-numeric score (the header is line 1, blank lines count)', () => {
    expect(csvError('score,is_ood\n0.5,1\n\nabc,0\n').message).toBe(
      'x.csv: line 4: score "abc" is not a number',
    );
    for (const bad of ['', '0x10', 'nan', '1,5', '1_0', '--1']) {
      expect(() => parseScoresCsv(`score,is_ood\n${bad},1\n`)).toThrow(ScoresCsvError);
    }
  });

  it('rejects a label that is not 0, 1, true or false', () => {
    expect(csvError('score,is_ood\n0.5,1\n0.2,2\n').message).toBe(
      'x.csv: line 3: is_ood "2" must be 0, 1, true or false',
    );
    expect(() => parseScoresCsv('score,is_ood\n0.5,1.0\n')).toThrow(ScoresCsvError);
  });

  it('rejects a row without exactly two cells, and a file without rows', () => {
    expect(csvError('score,is_ood\n0.5\n').message).toBe(
      'x.csv: line 2: expected 2 cells (score,is_ood), got 1',
    );
    expect(csvError('score,is_ood\n').message).toBe('x.csv: no data rows after the header');
    expect(csvError('').line).toBe(1);
  });
});
