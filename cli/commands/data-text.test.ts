import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../trainer/datasets/locate.js';

/**
 * A team's labelled texts through `goe train → finetune → eval` (GRU, vocabulary from the training
 * split), in the real CLI: a folder per class of .txt, JSONL and CSV, and text folders/files as OOD sets.
 */

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'goe-data-text-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function goe(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'goe.mjs'), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, GOE_CACHE_DIR: join(tmp, 'cache'), GOE_LOG: 'silent' },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SPORT = 'the team won the match with a late goal and the fans cheered the players';
const COOKING = 'mix the flour with butter and sugar then bake the cake in a hot oven';

describe('goe train / finetune / eval on labelled texts', () => {
  it('a folder per class of .txt: vocabulary from the training split, manifest, fine-tuning, OOD folders', () => {
    const data = join(tmp, 'tickets');
    for (const [cls, text] of [
      ['sport', SPORT],
      ['cooking', COOKING],
    ]) {
      mkdirSync(join(data, cls), { recursive: true });
      for (let i = 0; i < 10; i++) writeFileSync(join(data, cls, `${i}.txt`), `${text} ${cls}tag${i}`);
    }
    const base = join(tmp, 'base');
    const t = goe('train', '--data', data, '--out', base, '--epochs', '2', '--batch', '4', '--length', '8');
    expect(t.code, t.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(base, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({
      arch: 'gru',
      input: 'token-ids',
      inputShape: [8],
      data: 'texts',
      classes: ['cooking', 'sport'],
      dataSource: { path: data, format: 'text-folder', split: 'seeded', testSplit: 0.1, seed: 0 },
    });
    // 9 training documents per class of 16 tokens → two windows of 8 each; 1 test document per class.
    expect([m.dataSource.trainRows, m.dataSource.testRows]).toEqual([36, 4]);
    const vocab = JSON.parse(readFileSync(join(base, 'vocab.json'), 'utf8'));
    expect(vocab.tokens).toContain('goal');
    // The held-out documents' own words never enter the vocabulary (built from the training split).
    const tags = ['sport', 'cooking'].flatMap((c) => Array.from({ length: 10 }, (_, i) => `${c}tag${i}`));
    expect(tags.filter((w) => !vocab.tokens.includes(w))).toHaveLength(2);

    const oe = join(tmp, 'oe');
    const f = goe(
      'finetune',
      '--from',
      base,
      '--outliers',
      'noise',
      '--outlier-count',
      '8',
      '--epochs',
      '1',
      '--batch',
      '4',
      '--outlier-batch',
      '4',
      '--out',
      oe,
    );
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(oe, 'manifest.json'), 'utf8')).dataSource.digest).toBe(
      m.dataSource.digest,
    );

    const oodDir = join(tmp, 'ood-notes');
    mkdirSync(oodDir);
    writeFileSync(
      join(oodDir, 'a.txt'),
      'invoice overdue please pay the amount due by friday or contact billing',
    );
    const oodJsonl = join(tmp, 'ood.jsonl');
    writeFileSync(oodJsonl, '{"text": "the senate passed the budget bill after a long debate on taxes"}\n');
    const e = goe('eval', '--model', oe, '--ood', `${oodDir},${oodJsonl}`, '--json');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.results.map((r: { ood: string }) => r.ood)).toEqual(
      expect.arrayContaining(['ood-notes', 'ood.jsonl']),
    );
  }, 240_000);

  it('JSONL and CSV train too; bad inputs are one line naming the file', () => {
    const jsonl = join(tmp, 'reviews.jsonl');
    const rows = Array.from({ length: 12 }, (_, i) => ({
      text: i % 2 ? SPORT : COOKING,
      label: i % 2 ? 'sport' : 'food',
    }));
    writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n'));
    const j = goe(
      'train',
      '--data',
      jsonl,
      '--out',
      join(tmp, 'j'),
      '--epochs',
      '1',
      '--batch',
      '4',
      '--length',
      '8',
    );
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp, 'j', 'manifest.json'), 'utf8')).dataSource.format).toBe('jsonl');

    const csv = join(tmp, 'reviews.csv');
    writeFileSync(csv, `text,label\n${rows.map((r) => `"${r.text}",${r.label}`).join('\n')}\n`);
    const c = goe(
      'train',
      '--data',
      csv,
      '--out',
      join(tmp, 'c'),
      '--epochs',
      '1',
      '--batch',
      '4',
      '--length',
      '8',
    );
    expect(c.code, c.stderr).toBe(0);

    writeFileSync(jsonl, `${JSON.stringify(rows[0])}\n{"label": "sport"}\n`);
    const bad = goe('train', '--data', jsonl, '--out', join(tmp, 'bad'));
    expect(bad.code).toBe(1);
    expect(
      bad.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('goe: error')),
    ).toEqual([`goe: error: ${jsonl} line 2 has no "text"`]);
    const wrong = goe('train', '--data', csv, '--out', join(tmp, 'w'), '--size', '32');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`--size: only for images; ${csv} holds labelled texts`);
  }, 240_000);
});
