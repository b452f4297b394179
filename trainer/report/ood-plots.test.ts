import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { fileSafe, histogramSpec, rocPlotSpec, svgToPng, writeEvalPlots } from './ood-plots.js';
import { PlotError } from './plot.js';

const ramp = (n: number, offset: number) => Float32Array.from({ length: n }, (_, i) => offset + i / n);

describe('OOD plots', () => {
  it('histograms are densities on shared bins: each set integrates to 1', () => {
    const spec = histogramSpec({
      detector: 'msp',
      ood: 'mnist',
      inScores: ramp(300, 0),
      outScores: ramp(100, 0.5),
    });
    const rows = (spec as { data: { values: { set: string; x0: number; x1: number; density: number }[] } })
      .data.values;
    for (const set of new Set(rows.map((r) => r.set))) {
      const area = rows.filter((r) => r.set === set).reduce((s, r) => s + r.density * (r.x1 - r.x0), 0);
      expect(area).toBeCloseTo(1, 10);
    }
    expect(new Set(rows.map((r) => r.set))).toEqual(new Set(['in-distribution (300)', 'mnist (100)']));
    expect(() =>
      histogramSpec({ detector: 'msp', ood: 'x', inScores: [Number.NaN], outScores: [1] }),
    ).toThrow(PlotError);
  });

  it('names each ROC curve with its AUROC', () => {
    const spec = rocPlotSpec('energy', [
      { detector: 'energy', ood: 'far', inScores: ramp(50, 0), outScores: ramp(50, 10) },
      { detector: 'energy', ood: 'same', inScores: ramp(50, 0), outScores: ramp(50, 0) },
    ]);
    const names = new Set(
      (spec as { layer: { data: { values: { set?: string }[] } }[] }).layer[1].data.values.map((r) => r.set),
    );
    expect(names).toEqual(new Set(['far (AUROC 100.0)', 'same (AUROC 50.0)']));
  });

  it('writes SVG and decodable PNG files per detector and OOD set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'goe-plots-'));
    try {
      const files = await writeEvalPlots(dir, [
        { detector: 'msp', ood: 'mnist', inScores: ramp(80, 0), outScores: ramp(60, 0.3) },
        { detector: 'msp', ood: '/data/my set.npy', inScores: ramp(80, 0), outScores: ramp(60, 0.6) },
      ]);
      expect(files).toEqual([
        'roc-msp.svg',
        'roc-msp.png',
        'hist-msp-mnist.svg',
        'hist-msp-mnist.png',
        'hist-msp-data-my-set.npy.svg',
        'hist-msp-data-my-set.npy.png',
      ]);
      expect((await readdir(dir)).sort()).toEqual([...files].sort());
      const svg = await readFile(join(dir, 'roc-msp.svg'), 'utf8');
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain('mnist (AUROC');
      const png = PNG.sync.read(await readFile(join(dir, 'roc-msp.png')));
      // 2× the SVG's size, and not blank: the curves and text put dark pixels on the white background.
      const width = Number(/width="(\d+)"/.exec(svg)![1]);
      expect(png.width).toBe(2 * width);
      let dark = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 128) dark++;
      expect(dark).toBeGreaterThan(1000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rasterises text with the system fonts', () => {
    const blank = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"></svg>', 1);
    const text = svgToPng(
      '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="4" y="20" font-family="Helvetica, Arial, sans-serif" font-size="16">ROC</text></svg>',
      1,
    );
    const darkPixels = (bytes: Uint8Array) => {
      const p = PNG.sync.read(Buffer.from(bytes));
      let n = 0;
      for (let i = 0; i < p.data.length; i += 4) if (p.data[i] < 128) n++;
      return n;
    };
    expect(darkPixels(blank)).toBe(0);
    expect(darkPixels(text)).toBeGreaterThan(20);
  });

  it('makes OOD set names safe as file names', () => {
    expect(fileSafe('mnist')).toBe('mnist');
    expect(fileSafe('../x/y z.npy')).toBe('x-y-z.npy');
    expect(fileSafe('///')).toBe('set');
  });
});
