import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { auroc, rocCurve } from '../metrics/index.js';
import { PlotError, vegaLiteSvg } from './plot.js';

/** One detector's scores (higher = more OOD) on the in-distribution test set and on one OOD set. */
export interface DetectorScores {
  detector: string;
  /** Name of the OOD set. */
  ood: string;
  inScores: ArrayLike<number>;
  outScores: ArrayLike<number>;
}

const WIDTH = 420;
const HEIGHT = 320;
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridOpacity: 0.5 },
  legend: { labelFontSize: 12, labelLimit: 260 },
  range: { category: { scheme: 'tableau10' } },
} as const;
/** ROC curves are drawn through at most this many points (a 10k-sample curve has up to 10k steps). */
const MAX_ROC_POINTS = 400;
const BINS = 40;

/**
 * The Vega-Lite spec of one detector's ROC curves: one line per OOD set (named with its AUROC in %), and
 * the chance diagonal. x = FPR, y = TPR, both in [0, 1], OOD positive.
 *
 * @throws {MetricsError} on a one-class input or a NaN score.
 */
export function rocPlotSpec(detector: string, sets: readonly DetectorScores[]): TopLevelSpec {
  const rows = sets.flatMap((s) => {
    const scores = concat(s.inScores, s.outScores);
    const isOod = new Uint8Array(scores.length).fill(1, s.inScores.length);
    const { fpr, tpr } = rocCurve(scores, isOod);
    const name = `${s.ood} (AUROC ${(100 * auroc(scores, isOod)).toFixed(1)})`;
    return thin(fpr.length).map((k) => ({ set: name, fpr: fpr[k], tpr: tpr[k] }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `ROC, ${detector} (OOD positive)`,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: CONFIG,
    layer: [
      {
        data: { values: [{ x: 0 }, { x: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4], strokeWidth: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'x', type: 'quantitative' },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
        encoding: {
          x: {
            field: 'fpr',
            type: 'quantitative',
            title: 'false-positive rate (ID flagged)',
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'tpr',
            type: 'quantitative',
            title: 'true-positive rate (OOD flagged)',
            scale: { domain: [0, 1] },
          },
          color: {
            field: 'set',
            type: 'nominal',
            legend: { title: null, orient: 'bottom', direction: 'vertical' },
          },
          order: { field: 'fpr', type: 'quantitative' },
        },
      },
    ],
  };
}

/**
 * The Vega-Lite spec of a score histogram: the in-distribution test set and one OOD set, each normalised to
 * a density (so that sets of different sizes compare), on shared bins over both sets' range.
 *
 * @throws {PlotError} on a non-finite score or an empty set.
 */
export function histogramSpec(s: DetectorScores, inName = 'in-distribution'): TopLevelSpec {
  const groups = [
    { name: `${inName} (${s.inScores.length})`, values: s.inScores },
    { name: `${s.ood} (${s.outScores.length})`, values: s.outScores },
  ];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const g of groups) {
    if (g.values.length === 0) throw new PlotError(`${g.name}: no scores`, 'scores', g.name);
    for (let i = 0; i < g.values.length; i++) {
      const v = g.values[i];
      if (!Number.isFinite(v)) throw new PlotError(`${g.name}: score ${i} is ${v}`, 'scores', v);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / BINS;
  const rows = groups.flatMap((g) => {
    const counts = new Float64Array(BINS);
    for (let i = 0; i < g.values.length; i++) {
      counts[Math.min(BINS - 1, Math.floor((g.values[i] - lo) / width))] += 1;
    }
    return Array.from(counts, (c, b) => ({
      set: g.name,
      x0: lo + b * width,
      x1: lo + (b + 1) * width,
      density: c / (g.values.length * width),
    }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${s.detector} scores: ${inName} vs ${s.ood}`,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: CONFIG,
    data: { values: rows },
    mark: { type: 'rect', opacity: 0.55 },
    encoding: {
      x: {
        field: 'x0',
        type: 'quantitative',
        title: `${s.detector} score (higher = more OOD)`,
        scale: { domain: [lo, hi], nice: false, zero: false },
      },
      x2: { field: 'x1' },
      y: { field: 'density', type: 'quantitative', title: 'density', stack: null },
      y2: { datum: 0 },
      color: {
        field: 'set',
        type: 'nominal',
        scale: { domain: groups.map((g) => g.name), range: ['#4e79a7', '#e15759'] },
        legend: { title: null, orient: 'top', direction: 'horizontal' },
      },
    },
  };
}

/**
 * An SVG rasterised to PNG by resvg (npm `@resvg/resvg-js`, prebuilt per platform, no download at install),
 * at `scale` × the SVG's size. Text uses the system's fonts (sans-serif → DejaVu Sans where installed).
 */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/**
 * Creates `dir` (and its parents) for plots.
 *
 * @throws {Error} naming `dir` when it cannot be a folder (a file is in the way, no permission).
 */
export async function plotFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new Error(`--plot ${dir}: cannot make this folder (${code})`);
  }
}

/**
 * Writes `goe eval --plot DIR`: per detector `roc-<detector>.{svg,png}` (one curve per OOD set) and per
 * detector and OOD set `hist-<detector>-<ood>.{svg,png}` (ID vs that set). Returns the written file
 * names (relative to `dir`), in order.
 */
export async function writeEvalPlots(
  dir: string,
  scores: readonly DetectorScores[],
  inName?: string,
): Promise<string[]> {
  await plotFolder(dir);
  const written: string[] = [];
  const write = async (stem: string, spec: TopLevelSpec) => {
    const svg = await vegaLiteSvg(spec);
    await writeFileAtomic(join(dir, `${stem}.svg`), svg);
    await writeFileAtomic(join(dir, `${stem}.png`), svgToPng(svg));
    written.push(`${stem}.svg`, `${stem}.png`);
  };
  const detectors = [...new Set(scores.map((s) => s.detector))];
  for (const d of detectors) {
    const sets = scores.filter((s) => s.detector === d);
    await write(`roc-${fileSafe(d)}`, rocPlotSpec(d, sets));
    for (const s of sets) await write(`hist-${fileSafe(d)}-${fileSafe(s.ood)}`, histogramSpec(s, inName));
  }
  return written;
}

/** A set name as a file-name part: OOD sets may be paths (`/data/x.npy` → `data-x.npy`). */
export function fileSafe(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 80) || 'set'
  );
}

function concat(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(Array.from(a));
  out.set(Array.from(b), a.length);
  return out;
}

/** At most MAX_ROC_POINTS indices of `n`, evenly spaced, first and last included. */
function thin(n: number): number[] {
  if (n <= MAX_ROC_POINTS) return Array.from({ length: n }, (_, k) => k);
  const step = (n - 1) / (MAX_ROC_POINTS - 1);
  return Array.from({ length: MAX_ROC_POINTS }, (_, k) => Math.round(k * step));
}
