/**
 * A team's own images through the real CLI (bin/goe.mjs in a child process): inspect, train, fine-tune,
 * evaluate on a generated ImageFolder of 3 classes × 20 RGB images of 16×16; and bad input as one error
 * line with exit 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../trainer/datasets/index.js';
import { writeImageFolder } from '../../trainer/datasets/sources/fixtures.js';

let tmp: string;
let data: string;
let ood: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'goe-data-cli-'));
  data = writeImageFolder(join(tmp, 'pets'), ['cat', 'dog', 'Golden retriever'], 20, 16);
  ood = writeImageFolder(join(tmp, 'other'), ['x', 'y'], 6, 24);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function goe(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'goe.mjs'), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, GOE_CACHE_DIR: join(tmp, 'cache'), GOE_LOG: 'silent', GOE_BACKEND: 'cpu' },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('goe data inspect', () => {
  it('prints classes, counts, sizes, colour and split', () => {
    const r = goe('data', 'inspect', data, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe('image-folder');
    expect(j.rowShape).toEqual([16, 16, 3]);
    expect(j.classes).toEqual([
      { name: 'Golden retriever', train: 18, test: 2 },
      { name: 'cat', train: 18, test: 2 },
      { name: 'dog', train: 18, test: 2 },
    ]);
    expect(j.split).toBe('seeded');
    expect(j.sizes).toEqual({ '16x16': 60 });
    expect(j.colours).toEqual({ colour: 60 });
    expect(j.problems).toEqual([]);
    const human = goe('data', 'inspect', data, '--size', '8', '--channels', '1');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/rows 8×8×1 \(grey\); 3 classes; 54 train, 6 test/);
    expect(human.stdout).toMatch(/60 image\(s\) .* resized to 8×8/);
  });

  it('a bad data set is one error line naming the folder, exit 1', () => {
    const bad = writeImageFolder(join(tmp, 'bad'), ['a', 'b'], 3, 4);
    mkdirSync(join(bad, 'c'));
    const r = goe('data', 'inspect', bad);
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('goe: error'));
    expect(lines).toEqual([`goe: error: the class folder ${join(bad, 'c')} holds no .png/.jpg/.jpeg images`]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(join(bad, 'c', 'x.png'), 'not a png');
    const corrupt = goe('data', 'inspect', bad);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain(join(bad, 'c', 'x.png'));
  });
});

describe('goe data inspect on texts', () => {
  it('counts documents per class of a JSONL file and names a bad line', () => {
    const file = join(tmp, 'texts.jsonl');
    writeFileSync(file, '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n{"text":"c","label":"y"}\n');
    const r = goe('data', 'inspect', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).classes).toEqual([
      { name: 'x', documents: 1 },
      { name: 'y', documents: 2 },
    ]);
    writeFileSync(file, '{"text":"a","label":"x"}\n{"text":"b"}\n');
    const bad = goe('data', 'inspect', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`goe: error: ${file} line 2 has no "label"`);
  });

  it('reads a folder per class of .txt as texts without --text, as goe train does', () => {
    const dir = join(tmp, 'notes');
    for (const [label, n] of [
      ['spam', 2],
      ['ham', 3],
    ] as const) {
      mkdirSync(join(dir, label), { recursive: true });
      for (let i = 0; i < n; i++) writeFileSync(join(dir, label, `${i}.txt`), `note ${label} ${i}`);
    }
    const r = goe('data', 'inspect', dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).classes).toEqual([
      { name: 'ham', documents: 3 },
      { name: 'spam', documents: 2 },
    ]);
  });
});

describe('goe train / finetune / eval on a team ImageFolder', () => {
  it('trains at the data row shape, records it in the manifest, fine-tunes and evaluates', () => {
    const base = join(tmp, 'models', 'base');
    const t = goe('train', '--data', data, '--out', base, '--epochs', '1', '--batch', '16');
    expect(t.code, t.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(base, 'manifest.json'), 'utf8'));
    expect(m.inputShape).toEqual([16, 16, 3]);
    expect(m.classes).toEqual(['Golden retriever', 'cat', 'dog']);
    expect(m.data).toBe('images');
    expect(m.dataSource).toMatchObject({
      format: 'image-folder',
      split: 'seeded',
      trainRows: 54,
      testRows: 6,
    });
    expect(m.dataSource.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.provenance.command).toContain(`--data ${data}`);

    const oe = join(tmp, 'models', 'oe');
    const f = goe(
      'finetune',
      '--from',
      base,
      '--outliers',
      ood,
      '--epochs',
      '1',
      '--batch',
      '16',
      '--outlier-batch',
      '8',
      '--out',
      oe,
    );
    expect(f.code, f.stderr).toBe(0);
    const fm = JSON.parse(readFileSync(join(oe, 'manifest.json'), 'utf8'));
    expect(fm.dataSource.digest).toBe(m.dataSource.digest);
    expect(fm.training.from.id).toBe('base');

    const e = goe('eval', '--model', oe, '--ood', ood, '--json');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.results.map((r: { ood: string }) => r.ood)).toContain('other');
    expect(report.accuracy).toBeGreaterThanOrEqual(0);

    // Noise is drawn at the classifier's row shape; MNIST exists only as 28×28 grey.
    const noise = goe('eval', '--model', oe, '--ood', 'gaussian,uniform', '--limit', '50', '--json');
    expect(noise.code, noise.stderr).toBe(0);
    expect(JSON.parse(noise.stdout).results.map((r: { ood: string }) => r.ood)).toContain('uniform');
    const mnist = goe('eval', '--model', oe, '--ood', 'mnist');
    expect(mnist.code).toBe(1);
    expect(mnist.stderr).toContain('the OOD set mnist is 28×28 grey; this classifier reads 16×16×3');
  }, 300_000);
});
