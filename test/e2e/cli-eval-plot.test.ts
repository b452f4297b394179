import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGoe } from '../helpers/cli.js';

/** `goe eval --plot DIR` as a user runs it, on a reference classifier the zoo ships. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goe-e2e-plot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('goe eval --plot', () => {
  it('writes a ROC plot per detector and an ID-vs-OOD histogram per detector and set, as SVG and PNG', async () => {
    const plots = join(dir, 'plots');
    const r = await runGoe([
      'eval',
      '--model',
      'fashion-mnist-classifier-baseline',
      '--ood',
      'gaussian,uniform',
      '--detector',
      'all',
      '--limit',
      '200',
      '--json',
      '--plot',
      plots,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { results: { detector: string; ood: string; auroc: number }[] };
    const files = (await readdir(plots)).sort();
    const expected = ['msp', 'energy', 'maxlogit'].flatMap((d) => [
      `roc-${d}`,
      `hist-${d}-gaussian`,
      `hist-${d}-uniform`,
    ]);
    expect(files).toEqual(expected.flatMap((s) => [`${s}.png`, `${s}.svg`]).sort());
    // The legend carries the AUROC that --json reports for the same pair.
    const msp = report.results.find((x) => x.detector === 'msp' && x.ood === 'gaussian')!;
    expect(await readFile(join(plots, 'roc-msp.svg'), 'utf8')).toContain(
      `gaussian (AUROC ${msp.auroc.toFixed(1)})`,
    );
    const png = PNG.sync.read(await readFile(join(plots, 'hist-energy-uniform.png')));
    expect(png.width).toBeGreaterThan(400);
  });

  it('names the --plot path in a one-line error when it cannot be a folder', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const r = await runGoe([
      'eval',
      '--model',
      'fashion-mnist-classifier-baseline',
      '--ood',
      'gaussian',
      '--limit',
      '50',
      '--plot',
      file,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`goe: error: --plot ${file}: cannot make this folder (EEXIST)`);
  });
});
