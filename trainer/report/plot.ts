import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One line of a {@link LinePlot}; `yErr` (e.g. one standard deviation) draws an error bar `y ± yErr`. */
export interface Series {
  name: string;
  points: { x: number; y: number; yErr?: number }[];
}

/** A line chart: one coloured line per series, in the order given, with a legend. */
export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A log x axis; becomes a symmetric-log axis when any x ≤ 0 (σ² = 0 has no place on a log axis). */
  logX?: boolean;
  /** Fixed y range; marks outside it are clipped. Default: fitted to the data. */
  yDomain?: [number, number];
  /** Dashed horizontal reference lines, e.g. the baseline, each named in the legend. */
  refLines?: { name: string; y: number }[];
}

/** Thrown by {@link linePlotSvg} on a plot that cannot be drawn; carries the offending `field` and `value`. */
export class PlotError extends RangeError {
  override readonly name = 'PlotError';

  constructor(
    message: string,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(message);
  }
}

/** Size of the whole SVG (plot, axes, title and legend), in px. */
const PLOT_WIDTH = 560;
const PLOT_HEIGHT = 320;

/**
 * Renders a line chart to a standalone SVG string, in Node with no browser and no native module: a
 * Vega-Lite spec is compiled to Vega and rendered headless (`renderer: 'none'`). Text widths are estimated,
 * since Vega measures text with node-canvas only where that native module is installed.
 *
 * @throws {PlotError} on a non-finite number, a negative `yErr`, a repeated series or reference-line name,
 *   or an empty `yDomain`.
 */
export async function linePlotSvg(plot: LinePlot): Promise<string> {
  return vegaLiteSvg(linePlotSpec(plot));
}

/**
 * Renders any Vega-Lite spec to a standalone SVG string, headless (`renderer: 'none'`, no browser, no
 * native module): the one way goe draws a chart.
 */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Dash patterns of the reference lines, in order; more lines than patterns repeat them. */
const REF_DASHES = [
  [6, 4],
  [2, 2],
  [8, 3, 2, 3],
  [12, 4],
  [1, 4],
];

/** The Vega-Lite spec that {@link linePlotSvg} renders; exported for inspection and tests. */
export function linePlotSpec(plot: LinePlot): TopLevelSpec {
  check(plot);
  const refLines = plot.refLines ?? [];
  const rows = plot.series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.name,
      x: p.x,
      y: p.y,
      ...(p.yErr === undefined ? {} : { lo: p.y - p.yErr, hi: p.y + p.yErr }),
    })),
  );
  const errRows = rows.filter((r) => r.lo !== undefined);
  const xs = rows.map((r) => r.x);
  const x = { field: 'x', type: 'quantitative', title: plot.xLabel, ...xScale(xs, plot.logX) } as const;
  // Padding in px keeps points and error-bar ticks at the fitted ends off the axes.
  const yScale = plot.yDomain ? { domain: plot.yDomain, zero: false } : { zero: false, padding: 8 };
  const y = { type: 'quantitative', title: plot.yLabel, scale: yScale } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: plot.series.map((s) => s.name) },
    legend: { title: null },
  } as const;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: plot.title,
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    config: {
      font: 'Helvetica, Arial, sans-serif',
      title: { fontSize: 15, anchor: 'start', offset: 10 },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridOpacity: 0.5 },
      legend: { labelFontSize: 12, symbolStrokeWidth: 2, labelLimit: 200 },
      range: { category: { scheme: 'tableau10' } },
    },
    layer: [
      {
        data: { values: rows },
        encoding: { x, y: { ...y, field: 'y' }, color },
        layer: [
          { mark: { type: 'line', strokeWidth: 2, clip: true } },
          { mark: { type: 'point', filled: true, opacity: 1, size: 36, clip: true } },
        ],
      },
      ...(errRows.length === 0
        ? []
        : [
            {
              data: { values: errRows },
              mark: { type: 'errorbar', ticks: { size: 8 }, clip: true },
              encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
            } as const,
          ]),
      ...(refLines.length === 0
        ? []
        : [
            {
              data: { values: refLines },
              mark: { type: 'rule', color: '#555', strokeWidth: 1.5, clip: true },
              encoding: {
                y: { ...y, field: 'y' },
                strokeDash: {
                  field: 'name',
                  type: 'nominal',
                  scale: { domain: refLines.map((r) => r.name), range: REF_DASHES },
                  legend: { title: null, symbolStrokeColor: '#555', symbolType: 'stroke', symbolSize: 400 },
                },
              },
            } as const,
          ]),
    ],
  };
}

/** Margin beside the outermost points, as a fraction of the axis, so that their markers are not clipped. */
const X_MARGIN = 0.03;

/** The x scale and axis: linear, log, or symlog where logX meets an x ≤ 0. */
function xScale(xs: number[], logX: boolean | undefined) {
  if (xs.length === 0) return {};
  const kind = !logX ? 'linear' : xs.every((v) => v > 0) ? 'log' : 'symlog';
  // symlog maps x to sign(x)·log1p(|x|/c): a constant of a tenth of the smallest |x| > 0 puts 0 about one
  // decade below it, so that 0 neither crowds the smallest x nor leaves a wide gap.
  const positive = xs.map(Math.abs).filter((v) => v > 0);
  const constant = positive.length > 0 ? Math.min(...positive) / 10 : 1;
  const [f, fInv] = {
    linear: [(v: number) => v, (t: number) => t],
    log: [Math.log, Math.exp],
    symlog: [
      (v: number) => Math.sign(v) * Math.log1p(Math.abs(v) / constant),
      (t: number) => Math.sign(t) * constant * Math.expm1(Math.abs(t)),
    ],
  }[kind];
  const lo = f(Math.min(...xs));
  const hi = f(Math.max(...xs));
  const margin = X_MARGIN * (hi - lo || Math.abs(lo) || 1);
  const domain = [fInv(lo - margin), fInv(hi + margin)];
  if (kind === 'linear') return { scale: { domain, nice: false } };
  if (kind === 'log') return { scale: { type: 'log', domain, nice: false }, axis: { format: '~g' } } as const;
  return {
    scale: { type: 'symlog', constant, domain, nice: false },
    // d3's symlog ticks are linear ones (0, 0.2, 0.4, …): tick 0 and the powers of ten instead.
    axis: { values: symlogTicks(xs), format: '~g' },
  } as const;
}

/** 0 and ±10^k for the decades of the data, at most about 8 of them per sign. */
function symlogTicks(xs: number[]): number[] {
  const decades = (vs: number[]) => {
    if (vs.length === 0) return [];
    const lo = Math.floor(Math.log10(Math.min(...vs)));
    const hi = Math.floor(Math.log10(Math.max(...vs)));
    const step = Math.ceil((hi - lo + 1) / 8);
    const out: number[] = [];
    for (let k = lo; k <= hi; k += step) out.push(Number(`1e${k}`));
    return out;
  };
  const negative = decades(xs.filter((v) => v < 0).map((v) => -v)).map((d) => -d);
  return [...negative.reverse(), 0, ...decades(xs.filter((v) => v > 0))];
}

function check(plot: LinePlot): void {
  const seen = new Set<string>();
  for (const s of plot.series) {
    if (seen.has(s.name))
      throw new PlotError(`series name ${JSON.stringify(s.name)} repeats`, 'series.name', s.name);
    seen.add(s.name);
    for (const p of s.points) {
      for (const [k, v] of Object.entries(p)) {
        if (!Number.isFinite(v)) throw new PlotError(`${s.name}: ${k} = ${v} is not finite`, k, v);
      }
      if (p.yErr !== undefined && p.yErr < 0)
        throw new PlotError(`${s.name}: yErr ${p.yErr} < 0`, 'yErr', p.yErr);
    }
  }
  const refNames = new Set<string>();
  for (const r of plot.refLines ?? []) {
    if (refNames.has(r.name))
      throw new PlotError(`refLine name ${JSON.stringify(r.name)} repeats`, 'refLines.name', r.name);
    refNames.add(r.name);
    if (!Number.isFinite(r.y))
      throw new PlotError(`refLine ${r.name}: y = ${r.y} is not finite`, 'refLines.y', r.y);
  }
  const d = plot.yDomain;
  if (d && !(Number.isFinite(d[0]) && Number.isFinite(d[1]) && d[0] < d[1])) {
    throw new PlotError(`yDomain [${d}] is not an increasing finite range`, 'yDomain', d);
  }
}
