import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { type ClassifierManifest, loadClassifier } from '../classifier.js';
import { linePlotSvg } from '../report/plot.js';
import { type SweepPoint, sweep, table } from './aggregate.js';
import { copyEvalPlots } from './eval-plots.js';
import { checkConditioning, sigma2Grid } from './generator-check.js';
import { type Job, runPlan } from './jobs.js';
import { fullConfig, imagesPlan, quickConfig, runName } from './plan.js';
import { reportHeader, reportVersions } from './report-header.js';
import { type ImagesReport, imagesMarkdown } from './report-markdown.js';
import { exportClassifiers } from './zoo-export.js';

export interface ReproduceOptions {
  quick: boolean;
  /** Where runs go (resumable: finished runs are skipped). */
  runsDir: string;
  reportsDir: string;
  concurrency: number;
  /** Copy the first seed's classifiers into zoo/ (full runs). */
  zoo: boolean;
  /** Generator id or folder for the GOE rows, the σ² and count sweeps and the generator check (default: the plan's). */
  generator?: string;
  /** The σ² values (Fig. 2) and outlier counts (Fig. 5) swept on the first seed (default: the plan's). */
  sigma2Sweep?: number[];
  countSweep?: number[];
  command: string;
  signal?: AbortSignal;
  onJob?: (done: number, total: number, job: Job, seconds: number, skipped: boolean) => void;
  onStage?: (message: string) => void;
}

/**
 * Finished runs are skipped on a rerun, so a run folder fine-tuned with another generator or OE-loss λ would
 * silently end up in this report: refuse it, naming the run (the baselines depend on neither).
 * @throws when a finished fine-tuning run with generated outliers used a generator other than `generator`, or
 *   an OE-loss run used another λ than its job asks for
 */
async function refuseStaleRuns(jobs: readonly Job[], generator: string): Promise<void> {
  const fresh = 'use a fresh --runs folder (copy the baseline-s* runs to reuse them)';
  for (const job of jobs) {
    if (job.task.kind !== 'finetune' || !existsSync(job.output)) continue;
    const m = JSON.parse(await readFile(job.output, 'utf8')) as ClassifierManifest;
    const used = m.training.outliers as { source?: string; generator?: string } | undefined;
    if (used?.source === 'generated' && used.generator !== generator)
      throw new Error(
        `${dirname(job.output)} was fine-tuned with generator ${used.generator}, not ${generator}: ${fresh}`,
      );
    if (used?.source === 'none') continue;
    const energy = job.task.options.loss === 'energy';
    const lambda = energy
      ? (m.training.energyMargins as { lambda?: number } | undefined)?.lambda
      : (m.training.oeLambda as number | undefined);
    // Undefined asks for the baseline's own λ_E, which a finished run's manifest cannot be told apart from.
    const asked = energy ? job.task.options.energyLambda : (job.task.options.oeLambda ?? 0.5);
    if (asked !== undefined && lambda !== undefined && lambda !== asked)
      throw new Error(
        `${dirname(job.output)} was fine-tuned with ${energy ? 'energy loss λ_E' : 'OE loss λ'} = ${lambda}, not ${asked}: ${fresh}`,
      );
  }
}

/**
 * `goe reproduce images`: Table 1 (baseline, control, noise-OE, GOE, natural-OE × MSP/Energy) over seeds,
 * the σ² sweep (Fig. 2), the number-of-outliers ablation (Fig. 5), the generator's conditioning check
 * and the σ² picture (Fig. 1); writes images.md/.json and the figures to `reportsDir`.
 */
export async function reproduceImages(o: ReproduceOptions): Promise<ImagesReport> {
  const t0 = performance.now();
  const c = {
    ...(o.quick ? quickConfig : fullConfig),
    ...(o.generator ? { generator: o.generator } : {}),
    ...(o.sigma2Sweep ? { sigma2Sweep: o.sigma2Sweep } : {}),
    ...(o.countSweep ? { countSweep: o.countSweep } : {}),
  };
  resolveModelDir(c.generator); // fail before hours of work if the generator is missing
  const jobs = imagesPlan(c, o.runsDir);
  await refuseStaleRuns(jobs, c.generator);
  await runPlan(jobs, o);
  o.onStage?.('checking the generator and drawing figures');
  const base = await loadClassifier(join(o.runsDir, runName('baseline', c.seeds[0])));
  const generatorCheck = await checkConditioning(c.generator, base, o.quick ? 200 : 1000);
  await mkdir(o.reportsDir, { recursive: true });
  const prefix = o.quick ? 'images-quick' : 'images';
  const figures = {
    sigma2Grid: `${prefix}-sigma2-grid.png`,
    sigma2Plot: `${prefix}-sigma2-sweep.svg`,
    countPlot: `${prefix}-outlier-count.svg`,
    ...(await copyEvalPlots(o.runsDir, o.reportsDir, prefix, c.seeds[0], c.ood[0])),
  };
  await writeFileAtomic(
    join(o.reportsDir, figures.sigma2Grid),
    await sigma2Grid(c.generator, [0, 0.5, 1, 2, 5, 20, 50]),
  );
  const rows = table(o.runsDir, c);
  const sigma2Sweep = sweep(o.runsDir, c, 'sigma2');
  const countSweep = sweep(o.runsDir, c, 'count');
  const baselineMsp = rows.find((r) => r.method === 'baseline' && r.detector === 'msp')!;
  const noiseMsp = rows.find((r) => r.method === 'noise-OE' && r.detector === 'msp')!;
  const refs = [
    { name: 'baseline (MNIST)', y: baselineMsp.perSet.mnist?.auroc.mean ?? baselineMsp.mean.auroc.mean },
    { name: 'noise-OE (MNIST)', y: noiseMsp.perSet.mnist?.auroc.mean ?? noiseMsp.mean.auroc.mean },
  ];
  const aurocPlot = (title: string, xLabel: string, points: SweepPoint[]) =>
    linePlotSvg({
      title,
      xLabel,
      yLabel: 'AUROC (%)',
      logX: true,
      series: [
        { name: 'MNIST AUROC', points: points.map((p) => ({ x: p.x, y: p.mnistAuroc })) },
        { name: 'mean AUROC', points: points.map((p) => ({ x: p.x, y: p.meanAuroc })) },
      ],
      refLines: refs,
    });
  await writeFileAtomic(
    join(o.reportsDir, figures.sigma2Plot),
    await aurocPlot(
      'GOE: latent variance σ² vs. OOD detection (OE loss, MSP)',
      'σ² (latent variance of generated outliers)',
      sigma2Sweep,
    ),
  );
  await writeFileAtomic(
    join(o.reportsDir, figures.countPlot),
    await aurocPlot(
      `GOE: number of generated outliers vs. OOD detection (σ² = ${c.sigma2}, OE loss, MSP)`,
      'distinct generated outliers',
      countSweep,
    ),
  );
  const energyMargins: ImagesReport['energyMargins'] = {};
  for (const s of c.seeds) {
    const m = JSON.parse(
      await readFile(join(o.runsDir, runName('baseline', s), 'manifest.json'), 'utf8'),
    ) as ClassifierManifest;
    energyMargins[runName('baseline', s)] = m.energyMargins;
  }
  const report: ImagesReport = {
    ...(await reportHeader(
      'Generative Outlier Exposure on Fashion-MNIST (Table 1, Fig. 1, 2, 5 of Kirchheim & Ortmeier 2022)',
      o,
      t0,
    )),
    versions: await reportVersions(),
    config: c,
    energyMargins,
    table: rows,
    sigma2Sweep,
    countSweep,
    generatorCheck,
    figures,
  };
  await writeFileAtomic(join(o.reportsDir, `${prefix}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(o.reportsDir, `${prefix}.md`), imagesMarkdown(report));
  if (o.zoo && !o.quick) {
    const ids = await exportClassifiers(o.runsDir, c.seeds[0], 'fashion-mnist', `reports/${prefix}.md`);
    o.onStage?.(`zoo: ${ids.join(', ')}`);
  }
  return report;
}
