import type { TopLevelSpec } from 'vega-lite';
import type { GeneratorQuality } from '../generator-quality.js';
import { linePlotSpec, vegaLiteSvg } from './plot.js';

/** Issue 16's conditioning target: samples at σ² = 1 classified as their class ≥ 90% of the time. */
export const CONDITIONING_TARGET = 90;

/**
 * Generator quality over training as one SVG: conditioning accuracy (top) and the feature Fréchet
 * distance (bottom) against training step, one point per snapshot in `curve`; each of `refs` (finished
 * generators, e.g. the zoo's) is a dashed line in both panels. Drawn with {@link linePlotSpec}, so the
 * panels look like every other goe plot.
 */
export async function qualityPlotSvg(
  curve: readonly GeneratorQuality[],
  refs: readonly GeneratorQuality[],
  name: string,
): Promise<string> {
  const points = (f: (q: GeneratorQuality) => number) =>
    curve.filter((q) => q.step !== undefined).map((q) => ({ x: q.step as number, y: f(q) }));
  const refName = (q: GeneratorQuality) => `${q.label}${q.step === undefined ? '' : ` (${q.step} steps)`}`;
  const { samples, sigma2 } = curve[0] ?? refs[0] ?? { samples: 0, sigma2: 1 };
  const acc = linePlotSpec({
    title: `${name}: conditioning accuracy and feature Fréchet distance over training (σ² = ${sigma2}, ${samples} samples)`,
    xLabel: 'training step',
    yLabel: 'conditioning accuracy (%)',
    series: [{ name: `${name} (snapshots)`, points: points((q) => q.conditioningAccuracy) }],
    refLines: [
      { name: `target ${CONDITIONING_TARGET}%`, y: CONDITIONING_TARGET },
      ...refs.map((q) => ({ name: refName(q), y: q.conditioningAccuracy })),
    ],
  });
  const fid = linePlotSpec({
    title: '',
    xLabel: 'training step',
    yLabel: 'Fréchet distance to real test images',
    series: [{ name: `${name} (snapshots)`, points: points((q) => q.frechet) }],
    refLines: refs.map((q) => ({ name: refName(q), y: q.frechet })),
  });
  // Vega-Lite takes $schema, config, background and autosize only at the top: lift the first panel's.
  const { $schema, config, background, title, ...top } = acc as TopLevelSpec & Record<string, unknown>;
  const {
    $schema: _s,
    config: _c,
    background: _b,
    autosize: _a,
    title: _t,
    ...bottom
  } = fid as TopLevelSpec & Record<string, unknown>;
  delete top.autosize;
  const legend = { ...(config?.legend ?? {}), labelLimit: 420 }; // generator names are long (Vega estimates 0.8 em a character)
  return vegaLiteSvg({
    $schema,
    config: { ...config, legend },
    background,
    title,
    vconcat: [top, bottom],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  } as unknown as TopLevelSpec);
}
