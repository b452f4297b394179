import type { ClassifierManifest } from '../classifier.js';
import { ARCHITECTURE_NAMES } from '../models/index.js';
import type { Stat, SweepPoint, TableRow } from './aggregate.js';
import { type EvalFigures, evalPlotsMarkdown } from './eval-plots.js';
import type { GeneratorCheck } from './generator-check.js';
import type { ImagesPlanConfig } from './plan.js';
import type { ReportHeader } from './report-header.js';

/** Everything `reports/images.json` holds. */
export interface ImagesReport extends ReportHeader {
  versions: Record<string, string>;
  config: ImagesPlanConfig;
  energyMargins: Record<string, ClassifierManifest['energyMargins']>;
  table: TableRow[];
  sigma2Sweep: SweepPoint[];
  countSweep: SweepPoint[];
  generatorCheck: GeneratorCheck;
  /** File names in the reports folder: the σ² grid and sweeps, and the ROC curves and histograms of `goe eval --plot`. */
  figures: { sigma2Grid: string; sigma2Plot: string; countPlot: string } & EvalFigures;
}

/** A stat as `mean ± std` (two decimals); `—` for a metric the runs or an older report did not record. */
export const f = (s: Stat | undefined) =>
  s === undefined || Number.isNaN(s.mean)
    ? '—'
    : s.n > 1
      ? `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}`
      : s.mean.toFixed(2);

/** The sentence under each report's header saying what the metrics are and which class is positive. */
export const METRICS_NOTE =
  "Metrics in %. AUROC and AUPR-OUT take OOD as the positive class, AUPR-IN takes ID. FPR95-OOD+ (the toolkits' FPR@95TPR,\n" +
  "goe's `fpr95`): % of ID samples flagged at the threshold that flags 95% of the OOD samples. FPR95-ID+ (the energy/ODIN\n" +
  "papers'): % of OOD samples accepted at the threshold that accepts 95% of the ID samples (— where the runs predate it)";

export function tableMd(rows: TableRow[]): string {
  const head =
    '| method | loss | detector | AUROC ↑ | AUPR-IN ↑ | AUPR-OUT ↑ | FPR95-OOD+ ↓ | FPR95-ID+ ↓ | test acc. |\n|---|---|---|---|---|---|---|---|---|';
  const body = rows.map(
    (r) =>
      `| ${r.method} | ${r.loss} | ${r.detector === 'msp' ? 'MSP' : 'Energy'} | ${f(r.mean.auroc)} | ${f(r.mean.auprIn)} | ${f(r.mean.auprOut)} | ${f(r.mean.fpr95)} | ${f(r.mean.fpr95IdPositive)} | ${f(r.accuracy)} |`,
  );
  return [head, ...body].join('\n');
}

export function perSetMd(rows: TableRow[], sets: string[]): string {
  const head = `| method | detector | ${sets.map((s) => `${s} AUROC / FPR95-OOD+ / FPR95-ID+`).join(' | ')} |\n|---|---|${sets.map(() => '---').join('|')}|`;
  const body = rows.map(
    (r) =>
      `| ${r.method} | ${r.detector === 'msp' ? 'MSP' : 'Energy'} | ${sets
        .map((s) => `${f(r.perSet[s].auroc)} / ${f(r.perSet[s].fpr95)} / ${f(r.perSet[s].fpr95IdPositive)}`)
        .join(' | ')} |`,
  );
  return [head, ...body].join('\n');
}

/** `reports/images.md`: the tables, figures and provenance of one `goe reproduce images` run. */
export function imagesMarkdown(r: ImagesReport): string {
  const c = r.config;
  const seeds = c.seeds.length;
  const sweep = (pts: ImagesReport['sigma2Sweep'], x: string) =>
    [`| ${x} | MNIST AUROC | mean AUROC | mean FPR95-OOD+ | test acc. |`, '|---|---|---|---|---|']
      .concat(
        pts.map(
          (p) =>
            `| ${p.x} | ${p.mnistAuroc.toFixed(2)} | ${p.meanAuroc.toFixed(2)} | ${p.meanFpr95.toFixed(2)} | ${p.accuracy.toFixed(2)} |`,
        ),
      )
      .join('\n');
  return `# ${r.title}

${r.mode === 'quick' ? '> **Quick smoke run** (tiny data, one seed): checks the pipeline and the report, not the numbers.\n\n' : ''}Made by \`${r.command}\` on ${r.createdAt.slice(0, 10)} in ${(r.wallSeconds / 60).toFixed(1)} min
(${r.machine.cores} cores, Node ${r.machine.node}, TF.js ${r.versions['@tensorflow/tfjs']}, goe ${r.versions.goe}).
In-distribution: Fashion-MNIST (train ${c.trainLimit ?? 60000}, test ${c.evalLimit ?? 10000}); OOD test sets: ${c.ood.join(', ')}
(${c.evalLimit ?? 10000} each). Classifier: ${ARCHITECTURE_NAMES[c.arch ?? 'small-cnn']}, ${c.baselineEpochs} epochs of SGD ${c.baselineLr ?? 0.02} momentum 0.9 cosine to 0; fine-tuning ${c.finetuneEpochs} epoch(s),
128 in-distribution + 128 outliers per step, SGD 0.01 momentum 0.9 cosine to 0, ${c.outlierCount} distinct outliers;
OE loss λ = ${c.oeLambda ?? 0.5}; energy-bounded loss λ_E = ${c.energyLambda ?? 0.1} with margins from each baseline's own training energies (below).
Generated outliers: \`${c.generator}\` at σ² = ${c.sigma2}. ${METRICS_NOTE}; ${seeds > 1 ? `mean ± std over seeds ${c.seeds.join(', ')}` : `seed ${c.seeds[0]}`}.

## Table 1 — mean over the OOD sets

${tableMd(r.table)}

## Per OOD set

${perSetMd(r.table, c.ood)}

${evalPlotsMarkdown(r.figures, c.seeds[0], c.ood[0])}
## Fig. 1 — samples at growing σ² (rows), one class per column

![σ² grid](${r.figures.sigma2Grid})

## Fig. 2 — σ² sweep (OE loss, MSP, seed ${c.seeds[0]})

![σ² sweep](${r.figures.sigma2Plot})

${sweep(r.sigma2Sweep, 'σ²')}

## Fig. 5 — number of generated outliers (σ² = ${c.sigma2}, OE loss, MSP, seed ${c.seeds[0]})

![outlier count](${r.figures.countPlot})

${sweep(r.countSweep, 'outliers')}

## Generator check

A baseline classifier (\`${r.generatorCheck.classifier}\`) labels ${r.generatorCheck.samples} samples of \`${r.generatorCheck.generator}\`
at σ² = ${r.generatorCheck.sigma2} with their conditioning class in **${r.generatorCheck.conditioningAccuracy.toFixed(1)}%** of cases (target ≥ 75%).

## Energy margins (from each baseline's training energies: m_in = 20th percentile, m_out = median + 4)

${Object.entries(r.energyMargins)
  .map(([k, m]) => `- ${k}: m_in = ${m?.mIn.toFixed(2)}, m_out = ${m?.mOut.toFixed(2)}`)
  .join('\n')}
`;
}
