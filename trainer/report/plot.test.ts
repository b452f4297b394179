import { describe, expect, it } from 'vitest';
import { type LinePlot, linePlotSpec, linePlotSvg, PlotError } from './plot.js';

/** The contents of every `<g class="mark-line role-mark …">`: one group, holding one path, per series. */
function lineMarks(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-line role-mark[^>]*>(.*?)<\/g>/g)].map((m) => m[1]);
}

function xScaleType(plot: LinePlot): string {
  type Layered = { layer: { encoding: { x: { scale?: { type?: string } } } }[] };
  return (linePlotSpec(plot) as Layered).layer[0].encoding.x.scale?.type ?? 'linear';
}

const sweep: LinePlot = {
  title: 'AUROC vs generator noise',
  xLabel: 'noise variance',
  yLabel: 'AUROC (%)',
  series: [
    { name: 'GAN', points: [0.01, 0.1, 1].map((x, i) => ({ x, y: 90 - i })) },
    { name: 'VAE', points: [0.01, 0.1, 1].map((x, i) => ({ x, y: 85 + i })) },
  ],
};

describe('linePlotSvg', () => {
  it('renders a standalone 560×320 SVG with the title, axis labels and one line per series', async () => {
    const svg = await linePlotSvg({ ...sweep, refLines: [{ name: 'baseline', y: 87 }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toMatch(/width="560" height="320"/);
    expect(svg).toMatch(/<rect width="560" height="320" fill="white"\/>/);
    for (const text of [sweep.title, sweep.xLabel, sweep.yLabel, 'GAN', 'VAE', 'baseline']) {
      expect(svg).toContain(`>${text}</text>`);
    }
    const lines = lineMarks(svg);
    expect(lines).toHaveLength(2);
    expect(lines.map((g) => g.match(/<path/g)?.length)).toEqual([1, 1]);
    expect(svg).not.toContain('NaN');
  });

  it('gives each series its own colour', async () => {
    const svg = await linePlotSvg(sweep);
    const colours = lineMarks(svg).map((g) => /stroke="([^"]+)"/.exec(g)?.[1]);
    expect(new Set(colours).size).toBe(2);
  });

  it('draws a reference line as a dashed rule named in the legend', async () => {
    const svg = await linePlotSvg({ ...sweep, refLines: [{ name: 'MSP baseline', y: 87 }] });
    const rules = /<g class="mark-rule role-mark[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect(rules.match(/<line /g)).toHaveLength(1);
    expect(rules).toMatch(/stroke-dasharray="6,4"/);
    expect(svg).toContain('>MSP baseline</text>');
  });

  it('draws one error bar per point with a yErr, and none without', async () => {
    const withErr: LinePlot = {
      ...sweep,
      series: [
        { name: 'GAN', points: [0.01, 0.1, 1].map((x, i) => ({ x, y: 90 - i, yErr: 0.5 })) },
        sweep.series[1],
      ],
    };
    const svg = await linePlotSvg(withErr);
    expect(svg.match(/aria-roledescription="errorbar"/g)).toHaveLength(3);
    expect(await linePlotSvg(sweep)).not.toContain('errorbar');
  });

  it('uses a log x axis when logX and all x > 0, and symlog once an x is 0', async () => {
    expect(xScaleType(sweep)).toBe('linear');
    expect(xScaleType({ ...sweep, logX: true })).toBe('log');
    const withZero: LinePlot = {
      ...sweep,
      logX: true,
      series: [{ name: 'GAN', points: [0, 0.01, 0.1, 1].map((x, i) => ({ x, y: 90 - i })) }],
    };
    expect(xScaleType(withZero)).toBe('symlog');

    const svg = await linePlotSvg(withZero);
    expect(svg).not.toContain('NaN');
    const path = /d="M([^"]+)"/.exec(lineMarks(svg)[0])?.[1] ?? '';
    const xs = path.split('L').map((p) => Number(p.split(',')[0]));
    expect(xs).toHaveLength(4);
    // σ² = 0 lands left of 0.01, and 0 → 0.01 is spaced like a decade (0.01 → 0.1), not squeezed.
    expect(xs[0]).toBeLessThan(xs[1]);
    expect((xs[1] - xs[0]) / (xs[2] - xs[1])).toBeGreaterThan(0.5);
    for (const tick of ['0', '0.01', '0.1', '1']) expect(svg).toContain(`>${tick}</text>`);
  });

  it('keeps the given yDomain', async () => {
    const svg = await linePlotSvg({ ...sweep, yDomain: [0, 100] });
    expect(svg).toContain('>0</text>');
    expect(svg).toContain('>100</text>');
  });

  it('escapes markup in text', async () => {
    const svg = await linePlotSvg({ ...sweep, title: 'FPR95 <ID> & OOD' });
    expect(svg).toContain('FPR95 &lt;ID&gt; &amp; OOD');
  });

  it('renders an empty plot and a single point', async () => {
    expect(await linePlotSvg({ ...sweep, series: [] })).toMatch(/^<svg/);
    const one = await linePlotSvg({ ...sweep, series: [{ name: 's', points: [{ x: 3, y: 1, yErr: 0.1 }] }] });
    expect(one).not.toContain('NaN');
  });

  it('refuses non-finite numbers, negative yErr, repeated names and an empty yDomain', async () => {
    const bad: LinePlot[] = [
      { ...sweep, series: [{ name: 'a', points: [{ x: 1, y: Number.NaN }] }] },
      { ...sweep, series: [{ name: 'a', points: [{ x: Number.POSITIVE_INFINITY, y: 1 }] }] },
      { ...sweep, series: [{ name: 'a', points: [{ x: 1, y: 1, yErr: -1 }] }] },
      { ...sweep, series: [sweep.series[0], sweep.series[0]] },
      { ...sweep, refLines: [{ name: 'b', y: Number.NaN }] },
      { ...sweep, yDomain: [1, 1] },
    ];
    for (const plot of bad) await expect(linePlotSvg(plot)).rejects.toThrow(PlotError);
  });
});
