import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSafe } from '../report/ood-plots.js';
import type { Job } from './jobs.js';
import { runName } from './plan.js';

/**
 * The runs of a reproduction whose `goe eval` also draws ROC curves and score histograms (`--plot`), on
 * the first seed, and the detector each is read with: the baseline and GOE, each with the detector its
 * loss is made for (Table 1/2's pairing).
 */
export const PLOTTED_RUNS = [
  { kind: 'baseline', detector: 'msp', label: 'baseline, MSP' },
  { kind: 'generated-oe', detector: 'msp', label: 'GOE (OE loss), MSP' },
  { kind: 'baseline', detector: 'energy', label: 'baseline, Energy' },
  { kind: 'generated-energy', detector: 'energy', label: 'GOE (energy loss), Energy' },
] as const;

/** Where `goe eval --plot` writes a run's plots. */
export function plotDir(runsDir: string, run: string): string {
  return join(runsDir, run, 'plots');
}

/**
 * A run's eval job with `--plot` added when the run is one of {@link PLOTTED_RUNS} on `seed`; then the job
 * is done when its plots exist too, so a run evaluated before plots existed is evaluated again (cheap).
 */
export function withPlots(job: Job, runsDir: string, run: string, seed: number): Job {
  if (!PLOTTED_RUNS.some((p) => runName(p.kind, seed) === run)) return job;
  const dir = plotDir(runsDir, run);
  return { ...job, args: [...job.args, '--plot', dir], output: join(dir, 'roc-msp.svg') };
}

/** The figures {@link copyEvalPlots} adds to a report: file names in the reports folder, by key. */
export type EvalFigures = Record<string, string>;

/**
 * Copies the plotted runs' ROC curves and their first OOD set's histograms (PNG) into `reportsDir` as
 * `<prefix>-roc-<kind>-<detector>.png` and `<prefix>-hist-<kind>-<detector>-<set>.png`.
 */
export async function copyEvalPlots(
  runsDir: string,
  reportsDir: string,
  prefix: string,
  seed: number,
  firstOod: string,
): Promise<EvalFigures> {
  const out: EvalFigures = {};
  for (const p of PLOTTED_RUNS) {
    const dir = plotDir(runsDir, runName(p.kind, seed));
    const roc = `${prefix}-roc-${p.kind}-${p.detector}.png`;
    const hist = `${prefix}-hist-${p.kind}-${p.detector}-${fileSafe(firstOod)}.png`;
    await copyFile(join(dir, `roc-${p.detector}.png`), join(reportsDir, roc));
    await copyFile(join(dir, `hist-${p.detector}-${fileSafe(firstOod)}.png`), join(reportsDir, hist));
    out[`roc-${p.kind}-${p.detector}`] = roc;
    out[`hist-${p.kind}-${p.detector}`] = hist;
  }
  return out;
}

/** The report section that shows {@link copyEvalPlots}' figures: ROC curves, then histograms, two per row. */
export function evalPlotsMarkdown(figures: EvalFigures, seed: number, firstOod: string): string {
  const cell = (key: string, label: string) =>
    figures[key] ? `![${label}](${figures[key]})` : '(not drawn)';
  const rows = (what: 'roc' | 'hist') => {
    const cells = PLOTTED_RUNS.map((p) => cell(`${what}-${p.kind}-${p.detector}`, p.label));
    const labels = PLOTTED_RUNS.map((p) => p.label);
    return [
      `| ${labels[0]} | ${labels[1]} |`,
      '|---|---|',
      `| ${cells[0]} | ${cells[1]} |`,
      `| **${labels[2]}** | **${labels[3]}** |`,
      `| ${cells[2]} | ${cells[3]} |`,
    ].join('\n');
  };
  return `## ROC curves and score histograms (seed ${seed}; \`goe eval --plot\`)

ROC curves, one per OOD set (OOD positive; AUROC in the legend):

${rows('roc')}

Scores of the in-distribution test set and of ${firstOod} (densities; higher score = more OOD):

${rows('hist')}
`;
}
