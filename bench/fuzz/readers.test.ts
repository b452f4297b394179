import { describe, expect, it } from 'vitest';
import { fuzzReader, READERS } from './readers.js';

/** The short fuzz run of every reader of user files (`goe bench fuzz` runs ≥ 10,000 each). */
describe('reader fuzz', () => {
  it.each(READERS.map((r) => [r.name, r] as const))(
    '%s: 1,000 mutated files, each read or refused naming the file, none crashing or hanging',
    async (_name, reader) => {
      const report = await fuzzReader(reader, { runs: 1_000 });
      expect(report.ok + report.refused).toBe(1_000);
      // The mutations reach past the first check: some files are refused, and (for all but the
      // strictest formats) some still read.
      expect(report.refused).toBeGreaterThan(0);
    },
    60_000,
  );
});
