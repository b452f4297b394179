import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyLm } from '../../generators/lm/index.js';
import { zooDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { runGoe } from '../helpers/cli.js';

/**
 * Text GOE as a user runs it: `goe train --data brown`, `goe finetune` with text outliers, `goe eval`
 * with a text file, and `goe reproduce text --quick`, against a temporary zoo whose `brown-lm` is a tiny
 * random LM (its own vocabulary: the pipeline must re-tokenise its text), so no test waits on training.
 */

let dir: string;
let zoo: string;
const env = () => ({ GOE_ZOO: zoo });
const base = () => join(dir, 'base');

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'goe-e2e-text-'));
  zoo = await mkdtemp(join(tmpdir(), 'goe-zoo-text-'));
  await writeTinyLm(join(zoo, 'brown-lm'), { id: 'brown-lm', length: 64 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(zoo, { recursive: true, force: true });
});

describe('goe train / finetune / eval on the Brown corpus', () => {
  it('trains the GRU, fine-tunes with generated text and evaluates on a user file', async () => {
    const t = await runGoe(
      ['train', '--data', 'brown', '--out', base(), '--epochs', '1', '--limit', '256'],
      env(),
    );
    expect(t.code, t.stderr).toBe(0);
    const m = JSON.parse(await readFile(join(base(), 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ arch: 'gru', input: 'token-ids', data: 'brown', inputShape: [64] });
    expect(m.vocab.size).toBe(6000);
    expect(existsSync(join(base(), 'vocab.json'))).toBe(true);
    expect(m.energyMargins.mIn).toBeLessThan(m.energyMargins.mOut);

    const f = await runGoe(
      [
        'finetune',
        '--from',
        base(),
        '--outliers',
        'generated',
        '--temperature',
        '2',
        '--outlier-count',
        '64',
        '--limit',
        '128',
        '--batch',
        '32',
        '--outlier-batch',
        '32',
        '--out',
        join(dir, 'goe'),
      ],
      env(),
    );
    expect(f.code, f.stderr).toBe(0);
    const fm = JSON.parse(await readFile(join(dir, 'goe', 'manifest.json'), 'utf8'));
    expect(fm.training).toMatchObject({ kind: 'outlier-exposure', loss: 'oe', optimizer: 'adam' });
    expect(fm.training.outliers).toMatchObject({
      source: 'generated',
      temperature: 2,
      pool: 'generated T=2',
    });

    const txt = join(dir, 'mine.txt');
    await writeFile(txt, 'Buy cheap watches now! Limited offer, click here.\n'.repeat(60));
    const e = await runGoe(
      ['eval', '--model', join(dir, 'goe'), '--ood', `${txt},sotu`, '--limit', '100', '--json'],
      env(),
    );
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.results.map((r: { ood: string }) => r.ood)).toEqual(
      expect.arrayContaining(['mine.txt', 'sotu']),
    );
    for (const r of report.results) {
      for (const k of ['auroc', 'auprIn', 'auprOut', 'fpr95']) {
        expect(r[k]).toBeGreaterThanOrEqual(0);
        expect(r[k]).toBeLessThanOrEqual(100);
      }
    }
  }, 300_000);

  it('gives one-line errors for a wrong knob, an unknown OOD set and a mismatched architecture', async () => {
    const s = await runGoe(
      ['finetune', '--from', base(), '--outliers', 'noise', '--sigma2', '5', '--out', join(dir, 'x')],
      env(),
    );
    expect(s.code).not.toBe(0);
    expect(s.stderr).toMatch(/--sigma2 is for image generators/);
    const o = await runGoe(['eval', '--model', base(), '--ood', 'reddit'], env());
    expect(o.code).not.toBe(0);
    expect(o.stderr).toMatch(/unknown text OOD set 'reddit'/);
    expect(o.stderr).not.toMatch(/\n\s+at /);
    const a = await runGoe(
      ['train', '--data', 'brown', '--arch', 'small-cnn', '--out', join(dir, 'y')],
      env(),
    );
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/text needs gru/);
  }, 120_000);
});

describe('goe reproduce text --quick', () => {
  it('runs the whole pipeline and writes Table 2, the temperature sweep and sample outliers', async () => {
    const runs = join(dir, 'reproduce');
    const r = await runGoe(['reproduce', 'text', '--quick', '--runs', runs], env(), 600_000);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(runs, 'report', 'text-quick.json'), 'utf8'));
    expect(report.mode).toBe('quick');
    expect(report.table).toHaveLength(10);
    expect(report.table.map((row: { method: string }) => row.method)).toEqual(
      expect.arrayContaining([
        'baseline',
        'control (no outliers)',
        'noise-OE',
        'GOE (generated)',
        'natural-OE',
      ]),
    );
    for (const row of report.table) expect(Object.keys(row.perSet)).toEqual(['spam-assassin', 'sotu']);
    expect(report.temperatureSweep.map((p: { temperature: number }) => p.temperature)).toEqual([1, 2]);
    expect(report.samples[0].texts.length).toBeGreaterThan(0);
    expect(existsSync(join(runs, 'report', report.figures.temperaturePlot))).toBe(true);
    const md = await readFile(join(runs, 'report', 'text-quick.md'), 'utf8');
    expect(md).toMatch(/## Table 2/);
    // goe eval --plot's ROC curves and histograms of the baseline and GOE, embedded.
    expect(md).toContain('![GOE (OE loss), MSP](text-quick-roc-generated-oe-msp.png)');
    expect(md).toContain('![baseline, Energy](text-quick-hist-baseline-energy-');
  }, 600_000);
});

describe('the shipped text models', () => {
  it('zoo/brown-lm and the Brown classifiers have manifests with their data, command, steps, seed and digest', async () => {
    for (const id of ['brown-lm', 'brown-classifier-baseline', 'brown-classifier-goe-msp']) {
      const m = JSON.parse(await readFile(join(zooDir(), id, 'manifest.json'), 'utf8'));
      expect(m.provenance).toMatchObject({ seed: expect.any(Number), steps: expect.any(Number) });
      expect(m.provenance.command).toMatch(/^goe /);
      expect(m.weights.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(m.vocab.digest).toMatch(/^sha256:/);
    }
  });

  it('goe eval scores a text file with a shipped classifier', async () => {
    const txt = join(dir, 'mail.txt');
    await writeFile(
      txt,
      'Dear friend, you have won a prize. Reply with your bank details to claim it.\n'.repeat(40),
    );
    const e = await runGoe([
      'eval',
      '--model',
      join(zooDir(), 'brown-classifier-goe-msp'),
      '--ood',
      txt,
      '--limit',
      '50',
      '--json',
    ]);
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.accuracy).toBeGreaterThan(30);
    expect(report.results.every((r: { ood: string }) => r.ood === 'mail.txt')).toBe(true);
  }, 120_000);

  it('goe eval scores a UTF-16 file as its UTF-8 twin and refuses Latin-1 naming the byte', async () => {
    const text = 'Caf\u00e9 owners say the na\u00efve r\u00e9sum\u00e9 won a prize.\n'.repeat(40);
    const utf8 = join(dir, 'twin-utf8.txt');
    const utf16 = join(dir, 'twin-utf16.txt');
    const latin1 = join(dir, 'latin1.txt');
    await writeFile(utf8, text);
    await writeFile(utf16, Buffer.from(`\uFEFF${text}`, 'utf16le'));
    await writeFile(latin1, Buffer.from(text, 'latin1'));
    const model = join(zooDir(), 'brown-classifier-goe-msp');
    const e = await runGoe(
      ['eval', '--model', model, '--ood', `${utf8},${utf16}`, '--limit', '50', '--json'],
      { GOE_LOG: 'warn' },
    );
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/twin-utf16\.txt is UTF-16LE \(byte-order mark\): decoded as such/);
    const results = JSON.parse(e.stdout).results as Record<string, unknown>[];
    const of = (name: string) => results.filter((r) => r.ood === name).map((r) => ({ ...r, ood: '' }));
    expect(of('twin-utf16.txt')).toHaveLength(3);
    expect(of('twin-utf16.txt')).toEqual(of('twin-utf8.txt'));
    const l = await runGoe(['eval', '--model', model, '--ood', latin1, '--limit', '50']);
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/latin1\.txt is not UTF-8: byte 3 \(line 1\) is 0xE9/);
    expect(l.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
