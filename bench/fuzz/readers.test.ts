import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadPhoto } from '../../trainer/datasets/photo.js';
import { loadImagePath } from '../../trainer/datasets/user-path.js';
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

/** Counterexamples the fuzz found, kept as regular tests. */
describe('kept fuzz counterexamples', () => {
  it('a PNG declaring 134,217,768 × 30 pixels is refused from its header, naming the file', () => {
    const chunk = (type: string, data: Buffer) => {
      const b = Buffer.alloc(12 + data.length);
      b.writeUInt32BE(data.length, 0);
      b.write(type, 4, 'latin1');
      data.copy(b, 8);
      b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
      return b;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(0x08000028, 0);
    ihdr.writeUInt32BE(30, 4);
    ihdr[8] = 8;
    const png = Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(64))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'goe-kept-'));
    try {
      writeFileSync(join(dir, 'huge.png'), png);
      expect(() => loadPhoto(join(dir, 'huge.png'))).toThrow(/huge\.png .*declares 134217768×30 pixels/);
      expect(() => loadImagePath(dir)).toThrow(/huge\.png.*declares 134217768×30 pixels/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
