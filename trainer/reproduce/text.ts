import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TextGeneratorManifest } from '../../generators/manifest.js';
import { readManifest } from '../../generators/manifest.js';
import { resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { readNdjsonTexts } from '../datasets/text/ndjson-outliers.js';
import { linePlotSvg } from '../report/plot.js';
import { type EvalPoint, evalPoint, type TableRow, table } from './aggregate.js';
import { copyEvalPlots, type EvalFigures, evalPlotsMarkdown } from './eval-plots.js';
import type { ReproduceOptions } from './images.js';
import { runPlan } from './jobs.js';
import { runName } from './plan.js';
import { type ReportHeader, reportHeader } from './report-header.js';
import { f, METRICS_NOTE, perSetMd, tableMd } from './report-markdown.js';
import { fullTextConfig, poolFile, quickTextConfig, type TextPlanConfig, textPlan } from './text-plan.js';
import { exportClassifiers } from './zoo-export.js';

/** One point of the temperature sweep (OE loss, MSP, first seed); `perSet`: AUROC per OOD set. */
export interface TemperaturePoint extends EvalPoint {
  temperature: number;
}

/** Everything `reports/text.json` holds. */
export interface TextReport extends ReportHeader {
  config: TextPlanConfig;
  generator: { id: string; digest: string; metrics?: Record<string, number | string>; provenance: unknown };
  table: TableRow[];
  temperatureSweep: TemperaturePoint[];
  samples: { temperature: number; texts: string[] }[];
  /** File names in the reports folder: the temperature sweep, and the ROC curves and histograms of `goe eval --plot`. */
  figures: { temperaturePlot: string } & EvalFigures;
}

function temperatureSweep(dir: string, c: TextPlanConfig): TemperaturePoint[] {
  const s0 = c.seeds[0];
  return c.temperatureSweep
    .map((t) => ({
      temperature: t,
      ...evalPoint(dir, runName(t === c.temperature ? 'generated-oe' : `temperature-${t}`, s0), 'msp', c.ood),
    }))
    .sort((a, b) => a.temperature - b.temperature);
}

/**
 * `goe reproduce text`: Table 2 on the Brown corpus (baseline, control, random-token noise, generated
 * text, WordNet glosses × OE/MSP and energy/Energy, over seeds) and the temperature sweep; writes
 * text.md/.json and the sweep plot to `reportsDir`.
 */
export async function reproduceText(o: ReproduceOptions): Promise<TextReport> {
  const t0 = performance.now();
  const c = o.quick ? quickTextConfig : fullTextConfig;
  const jobs = textPlan(c, o.runsDir);
  await runPlan(jobs, o);
  const lm = await readManifest<TextGeneratorManifest>(resolveModelDir(c.generator));
  const rows = table(o.runsDir, c);
  const sweepPoints = temperatureSweep(o.runsDir, c);
  const samples = [];
  for (const t of c.temperatureSweep) {
    samples.push({ temperature: t, texts: (await readNdjsonTexts(poolFile(o.runsDir, t))).slice(0, 3) });
  }
  await mkdir(o.reportsDir, { recursive: true });
  const prefix = o.quick ? 'text-quick' : 'text';
  const figures = {
    temperaturePlot: `${prefix}-temperature-sweep.svg`,
    ...(await copyEvalPlots(o.runsDir, o.reportsDir, prefix, c.seeds[0], c.ood[0])),
  };
  const ref = (method: string) =>
    rows.find((r) => r.method === method && r.detector === 'msp')!.mean.auroc.mean;
  await writeFileAtomic(
    join(o.reportsDir, figures.temperaturePlot),
    await linePlotSvg({
      title: 'Text GOE: LM temperature T vs. OOD detection (OE loss, MSP, seed 0)',
      xLabel: 'temperature T of the generated outliers',
      yLabel: 'AUROC (%)',
      logX: true,
      series: [
        { name: 'mean AUROC', points: sweepPoints.map((p) => ({ x: p.temperature, y: p.meanAuroc })) },
        ...c.ood.map((s) => ({
          name: `${s} AUROC`,
          points: sweepPoints.map((p) => ({ x: p.temperature, y: p.perSet[s] })),
        })),
      ],
      refLines: [
        { name: 'baseline (mean)', y: ref('baseline') },
        { name: 'noise-OE (mean)', y: ref('noise-OE') },
        { name: 'natural-OE (mean)', y: ref('natural-OE') },
      ],
    }),
  );
  const report: TextReport = {
    ...(await reportHeader(
      'Generative Outlier Exposure on text: Brown corpus (Table 2 of Kirchheim & Ortmeier 2022)',
      o,
      t0,
    )),
    config: c,
    generator: { id: lm.id, digest: lm.weights.digest, metrics: lm.metrics, provenance: lm.provenance },
    table: rows,
    temperatureSweep: sweepPoints,
    samples,
    figures,
  };
  await writeFileAtomic(join(o.reportsDir, `${prefix}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(o.reportsDir, `${prefix}.md`), textMarkdown(report));
  if (o.zoo && !o.quick) {
    const ids = await exportClassifiers(o.runsDir, c.seeds[0], 'brown', `reports/${prefix}.md`);
    o.onStage?.(`zoo: ${ids.join(', ')}`);
  }
  return report;
}

/** `reports/text.md`: Table 2, per-set tables, the temperature sweep, sample outliers and provenance. */
export function textMarkdown(r: TextReport): string {
  const c = r.config;
  const seeds = c.seeds.length;
  const accs = r.table.find((x) => x.method === 'baseline')!.accuracy;
  return `# ${r.title}

${r.mode === 'quick' ? '> **Quick smoke run** (tiny data, one seed): checks the pipeline and the report, not the numbers.\n\n' : ''}Made by \`${r.command}\` on ${r.createdAt.slice(0, 10)} in ${(r.wallSeconds / 60).toFixed(1)} min (${r.machine.cores} cores, Node ${r.machine.node}).
In-distribution: Brown corpus, 4 genre groups (press A–C, non-fiction D–G, government+learned H/J, fiction K–R), split by
document, windows of 64 tokens (word vocabulary of 6,000 with \`<unk>\`); test subset ${c.evalLimit} windows. OOD test sets:
${c.ood.join(', ')} (${c.evalLimit} windows of 64 tokens each). Classifier: embedding 64 → GRU 128 → linear, Adam, ${c.baselineEpochs} epoch(s),
batch ${c.batch}${c.trainLimit ? `, ${c.trainLimit} training windows` : ''}; baseline test accuracy ${f(accs)} %. Fine-tuning: ${c.finetuneEpochs} epoch over ${c.finetuneLimit ?? 'all'} training
windows, ${c.batch} in-distribution + ${c.batch} outliers per step, Adam 5e-4 cosine to 0, ${c.outlierCount} distinct outliers per source; OE loss λ = 0.5,
energy-bounded loss with margins from each baseline's training energies. Outliers: generated = \`${r.generator.id}\` at T = ${c.temperature}
(one pool per temperature, seed ${c.poolSeed}), noise = uniform random tokens, natural = WordNet glosses; all cut to 64 tokens.
${METRICS_NOTE}; ${seeds > 1 ? `mean ± std over seeds ${c.seeds.join(', ')}` : `seed ${c.seeds[0]}`}.

Generator: \`${r.generator.id}\` (${r.generator.digest.slice(0, 19)}…), held-out perplexity ${r.generator.metrics?.heldOutPerplexity ?? '?'}.

## Table 2 — mean over the OOD sets

${tableMd(r.table)}

## Per OOD set

${perSetMd(r.table, c.ood)}

${evalPlotsMarkdown(r.figures, c.seeds[0], c.ood[0])}
## Temperature sweep (OE loss, MSP, seed ${c.seeds[0]})

![temperature sweep](${r.figures.temperaturePlot})

| T | mean AUROC | ${c.ood.map((s) => `${s} AUROC`).join(' | ')} | mean FPR95-OOD+ | test acc. |
|---|---|${c.ood.map(() => '---').join('|')}|---|---|
${r.temperatureSweep
  .map(
    (p) =>
      `| ${p.temperature} | ${p.meanAuroc.toFixed(2)} | ${c.ood.map((s) => p.perSet[s].toFixed(2)).join(' | ')} | ${p.meanFpr95.toFixed(2)} | ${p.accuracy.toFixed(2)} |`,
  )
  .join('\n')}

## What the outliers look like (first pool rows per temperature)

${r.samples.map((s) => `**T = ${s.temperature}**\n\n${s.texts.map((t) => `> ${t}`).join('\n>\n')}`).join('\n\n')}
`;
}
