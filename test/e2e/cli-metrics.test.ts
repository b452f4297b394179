import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { normalRows, uniformIntRows } from '../../runtime/rng/index.js';
import { sklearnReference } from '../../trainer/metrics/sklearn-reference.js';
import { runGoe } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'goe-cli-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

// 3000 samples, 20% OOD shifted by 1.5, half of the scores rounded to 2 decimals (ties across classes).
const n = 3000;
const z = normalRows(11, 0, n, 1);
const u = uniformIntRows(11, 0, n, 10);
const isOod = Uint8Array.from(u, (v) => (v < 2 ? 1 : 0));
const scores = Float64Array.from(z, (x, i) => {
  const s = x + 1.5 * isOod[i];
  return i % 2 ? Math.round(s * 100) / 100 : s;
});
const rows = Array.from(scores, (s, i) => `${s},${i % 3 ? isOod[i] : isOod[i] ? 'true' : 'false'}`);
const scoresCsv = csv('scores.csv', `score,is_ood\n${rows.join('\n')}\n`);

describe('goe metrics', () => {
  it('--json prints every metric in percent, both FPR95 conventions, matching scikit-learn to 1e-9', async () => {
    const r = await runGoe(['metrics', '--scores', scoresCsv, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(Object.keys(got)).toEqual([
      'auroc',
      'auprIn',
      'auprOut',
      'fpr95',
      'fpr95OodPositive',
      'fpr95IdPositive',
    ]);
    const ref = sklearnReference([{ name: 'cli', scores, isOod }]).cli;
    for (const key of ['auroc', 'auprIn', 'auprOut', 'fpr95', 'fpr95IdPositive'] as const) {
      expect(Math.abs(got[key] - 100 * ref[key]), key).toBeLessThanOrEqual(1e-9);
    }
    expect(got.fpr95OodPositive).toBe(got.fpr95);
  });

  it("the README's worked example: the two FPR95 conventions give 65% and 10%, as scikit-learn does", async () => {
    // ID scores 1…20; OOD scores 3, 8 and 21…38: two OOD samples look in-distribution.
    const id = Array.from({ length: 20 }, (_, i) => i + 1);
    const ood = [3, 8, ...Array.from({ length: 18 }, (_, i) => i + 21)];
    const lines = [...id.map((s) => `${s},0`), ...ood.map((s) => `${s},1`)];
    const r = await runGoe(['metrics', '--scores', csv('worked.csv', `score,is_ood\n${lines.join('\n')}\n`)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^FPR95-OOD\+\s+65\.00 %/m);
    expect(r.stdout).toMatch(/^FPR95-ID\+\s+10\.00 %/m);
    const ref = sklearnReference([
      { name: 'worked', scores: [...id, ...ood], isOod: [...id.map(() => 0), ...ood.map(() => 1)] },
    ]).worked;
    expect([ref.fpr95, ref.fpr95IdPositive]).toEqual([0.65, 0.1]);
  });

  it('--help says which class is positive in each FPR95', async () => {
    const r = await runGoe(['metrics', '--help']);
    expect(r.stdout).toMatch(/FPR95-OOD\+ \(OOD positive/);
    expect(r.stdout).toMatch(/FPR95-ID\+ \(ID positive/);
    expect(r.stdout).toMatch(/95% of the ID samples/);
  });

  it('prints a table with two decimals without --json', async () => {
    const r = await runGoe([
      'metrics',
      '--scores',
      csv('small.csv', 'score,is_ood\n0.9,1\n0.8,0\n0.7,1\n0.6,0\n0.5,0\n'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^AUROC\s+83\.33 %/m);
    expect(r.stdout).toMatch(/^AUPR-IN\s+91\.67 %/m);
    expect(r.stdout).toMatch(/^AUPR-OUT\s+83\.33 %/m);
    expect(r.stdout).toMatch(/^FPR95-OOD\+\s+33\.33 %/m);
    // ID positive: accepting 95% of the 3 ID samples (0.5, 0.6, 0.8) accepts the OOD 0.7 of the 2: 50%.
    expect(r.stdout).toMatch(/^FPR95-ID\+\s+50\.00 %/m);
    expect(r.stdout).toMatch(/5 samples: 2 OOD, 3 ID/);
  });

  it('reads a UTF-16 CSV with a byte-order mark (Excel, PowerShell) as its UTF-8 twin, and says so', async () => {
    const text = 'score,is_ood\n0.9,1\n0.8,0\n0.7,1\n0.6,0\n0.5,0\n';
    const u16 = csv('utf16.csv', Buffer.from(`\uFEFF${text}`, 'utf16le'));
    const a = await runGoe(['metrics', '--scores', u16, '--json'], { GOE_LOG: 'info' });
    const b = await runGoe(['metrics', '--scores', csv('utf8.csv', text), '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stderr).toMatch(/utf16\.csv is UTF-16LE \(byte-order mark\): decoded as such/);
  });
});

describe('goe metrics errors: exit 1, one line naming the fault', () => {
  const cases: [string, () => string, RegExp][] = [
    [
      'a missing file',
      () => join(dir, 'missing.csv'),
      /cannot read scores file .*missing\.csv: no such file/,
    ],
    [
      'a wrong header',
      () => csv('header.csv', 'scores,label\n0.5,1\n'),
      /line 1: expected the header "score,is_ood", got "scores,label"/,
    ],
    [
      'a non-numeric score',
      () => csv('nan.csv', 'score,is_ood\n0.5,1\n0.2,0\nhigh,1\n'),
      /nan\.csv: line 4: score "high" is not a number/,
    ],
    [
      'a label not 0/1',
      () => csv('label.csv', 'score,is_ood\n0.5,1\n0.2,2\n'),
      /label\.csv: line 3: is_ood "2" must be 0, 1, true or false/,
    ],
    [
      'a Latin-1 file (a score column named with an accent)',
      () => csv('latin1.csv', Buffer.from('score,is_ood\n0.5,1\n0.2,0 # r\u00e9sum\u00e9\n', 'latin1')),
      /scores file .*latin1\.csv is not UTF-8: byte 28 \(line 3\) is 0xE9/,
    ],
    [
      'a gzipped CSV',
      () => csv('scores.csv.gz', gzipSync('score,is_ood\n0.5,1\n0.2,0\n')),
      /scores file .*scores\.csv\.gz is a gzip file, not text: decompress it first/,
    ],
    [
      'one-class input',
      () => csv('one.csv', 'score,is_ood\n0.5,0\n0.2,false\n'),
      /one\.csv: OOD metrics need both ID and OOD samples, got 0 OOD and 2 ID/,
    ],
  ];
  for (const [what, file, message] of cases) {
    it(what, async () => {
      const r = await runGoe(['metrics', '--scores', file()]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^goe: error: /);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('no --scores is a usage error (exit 2)', async () => {
    const r = await runGoe(['metrics']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scores/);
  });
});
