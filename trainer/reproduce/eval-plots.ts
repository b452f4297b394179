import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSafe } from '../report/ood-plots.js';
import { PLOTTED_RUNS, plotDir, runName } from './plan.js';

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
