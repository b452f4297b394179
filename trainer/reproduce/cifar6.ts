/**
 * `goe reproduce cifar6`: the whole own-data pipeline on data no one here made — CIFAR-10 as an
 * ImageFolder, read as an open-set task. In-distribution: airplane, automobile, bird, cat, deer, dog;
 * OOD: the other 4 classes' test images, Gaussian and uniform noise and natural photo crops, all at
 * 32×32×3. Rows baseline / control / noise-OE / GOE (a cGAN trained on the 6 classes, `goe
 * train-generator --data`) / natural-OE, each read with MSP (OE loss) and Energy (energy loss), over
 * seeds, plus a small σ² sweep. Every step is the function a `goe` command calls, run as a job.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { loadClassifier } from '../classifier.js';
import { writeImageFolder } from '../datasets/sources/fixtures.js';
import type { CganRunOptions } from '../generator-run.js';
import { evalPoint, type Stat, type TableRow, table } from './aggregate.js';
import { CIFAR4_OOD_CLASSES, CIFAR6_CLASSES, type Cifar6Sizes, prepareCifar6 } from './cifar6-data.js';
import { copyEvalPlots, type EvalFigures, evalPlotsMarkdown } from './eval-plots.js';
import { checkConditioning, type GeneratorCheck, sigma2Grid } from './generator-check.js';
import { evalJob, finetuneJob, trainJob } from './job-builders.js';
import { type Job, jobCpuSeconds, type PlanOptions, planLogDir, runPlan } from './jobs.js';
import { type AddFinetune, runName, sigma2SweepRuns, table1Runs, withPlots } from './plan.js';
import { type ReportHeader, reportHeader, reportVersions } from './report-header.js';
import { METRICS_NOTE, perSetMd, tableMd } from './report-markdown.js';

/** The sizes of a CIFAR-6 run; `quick` is the test suite's smoke run on a generated fixture. */
export interface Cifar6Config extends Cifar6Sizes {
  seeds: number[];
  baselineEpochs: number;
  finetuneEpochs: number;
  /** In-distribution images per step (and outliers per step when fine-tuning). */
  batch: number;
  /** Distinct outliers each fine-tuning cycles through (noise, natural crops, generated). */
  outlierCount: number;
  /** Images per generated OOD test set (Gaussian, uniform, natural); the ID and CIFAR-4 sets are whole. */
  oodCount: number;
  gan: { steps: number; batch: number; width: number };
  sigma2: number;
  /** σ² of the extra GOE runs on the first seed (OE loss, MSP); the main σ² is one point of it. */
  sigma2Sweep: number[];
}

/**
 * The report's sizes, for ~70 CPU-minutes on a shared 2-core machine: 1,000 training images per class
 * (6,000) and a small CNN (10 epochs, ~6 CPU-s an epoch); a 3-stage DCGAN of width 32 for 600 steps
 * of 64 (~1.4 CPU-s a step, the largest single cost); fine-tuning 2 epochs (94 steps of 128 + 128).
 */
export const cifar6FullConfig: Cifar6Config = {
  seeds: [0, 1, 2],
  trainPerClass: 1000,
  testPerClass: 500,
  oodPerClass: 500,
  baselineEpochs: 10,
  finetuneEpochs: 2,
  batch: 128,
  outlierCount: 6000,
  oodCount: 3000,
  gan: { steps: 600, batch: 64, width: 32 },
  sigma2: 50,
  sigma2Sweep: [1, 50, 500],
};

/** The smoke run: a generated 16×16 CIFAR-shaped fixture, one seed, a few steps of everything. */
export const cifar6QuickConfig: Cifar6Config = {
  seeds: [0],
  trainPerClass: 8,
  testPerClass: 4,
  oodPerClass: 4,
  baselineEpochs: 1,
  finetuneEpochs: 1,
  batch: 16,
  outlierCount: 32,
  oodCount: 24,
  gan: { steps: 4, batch: 8, width: 4 },
  sigma2: 50,
  sigma2Sweep: [1, 50],
};

/** Names of the OOD sets in the eval reports: the CIFAR-4 folder's name, then the generated sets. */
export const CIFAR6_OOD = ['cifar4-ood', 'gaussian', 'uniform', 'natural'] as const;

/** The GOE rows of the report's table read the generator's σ² into the method name. */
const METHOD_NAMES: Record<string, string> = { 'GOE (generated)': 'GOE (cGAN)' };

export interface Cifar6Options extends PlanOptions {
  quick: boolean;
  /** CIFAR-10 as an ImageFolder (train/<class>/, test/<class>/); ignored with `quick`. */
  data: string;
  seeds?: number[];
  reportsDir: string;
  command: string;
}

/** One point of the σ² sweep: GOE with the OE loss read by MSP, first seed. */
export interface Cifar6SweepPoint {
  sigma2: number;
  run: string;
  meanAuroc: number;
  cifar4Auroc: number;
  meanFpr95: number;
  accuracy: number;
}

/** Everything `reports/cifar6.json` holds. */
export interface Cifar6Report extends ReportHeader {
  versions: Record<string, string>;
  config: Cifar6Config;
  data: { source: string; inDistribution: string; ood: string; classes: string[]; oodClasses: string[] };
  generator: {
    id: string;
    digest: string;
    steps: number;
    trainSeconds?: number;
    shape: number[];
    stages: number;
    check: GeneratorCheck;
  };
  table: TableRow[];
  sigma2Sweep: Cifar6SweepPoint[];
  /** CPU seconds (user + system) of every job process and of this one, summed. */
  cpuSeconds: number;
  figures: { samples: string; sigma2Grid: string } & EvalFigures;
}

/**
 * The jobs: the cGAN on the 6 classes; per seed a baseline, a control and noise / generated / natural
 * fine-tuning with each loss, each evaluated against the 4 OOD sets; GOE runs at the other σ² of the
 * sweep on the first seed.
 */
export function cifar6Plan(
  c: Cifar6Config,
  dir: string,
  data: { inDistribution: string; ood: string },
): Job[] {
  const generator = join(dir, 'generator');
  const ood = [data.ood, 'gaussian', 'uniform', 'natural'];
  const gan: CganRunOptions = {
    data: data.inDistribution,
    out: generator,
    id: 'cifar6-cgan',
    steps: c.gan.steps,
    batch: c.gan.batch,
    seed: 0,
    lr: 2e-4,
    latent: 64,
    width: c.gan.width,
    loss: 'ns',
    checkpointEvery: 100,
    command: `goe train-generator --kind cgan --data ${data.inDistribution} --out ${generator} --id cifar6-cgan --steps ${c.gan.steps} --batch ${c.gan.batch} --width ${c.gan.width} --seed 0`,
  };
  const jobs: Job[] = [
    {
      id: 'generator',
      task: { kind: 'train-generator', options: gan },
      output: join(generator, 'manifest.json'),
    },
  ];
  const addEval = (run: string) =>
    jobs.push(withPlots(evalJob(dir, run, ood, c.oodCount), dir, run, c.seeds[0]));
  const finetune: AddFinetune = (run, seed, outliers) => {
    jobs.push(
      finetuneJob(
        dir,
        run,
        runName('baseline', seed),
        {
          ...outliers,
          generator,
          epochs: c.finetuneEpochs,
          batch: c.batch,
          outlierBatch: c.batch,
          seed,
        },
        outliers.outliers === 'generated' ? ['generator'] : [],
      ),
    );
    addEval(run);
  };
  for (const seed of c.seeds) {
    const base = runName('baseline', seed);
    jobs.push(
      trainJob(dir, base, { data: data.inDistribution, epochs: c.baselineEpochs, batch: c.batch, seed }),
    );
    addEval(base);
    table1Runs(seed, c, finetune);
  }
  sigma2SweepRuns(c, finetune);
  return jobs;
}

/** A tiny CIFAR-10-shaped ImageFolder (10 classes, 16×16 PNG/JPEG) for the smoke run. */
function quickFixture(dir: string, c: Cifar6Config): string {
  const root = join(dir, 'fixture-cifar10');
  const classes = [...CIFAR6_CLASSES, ...CIFAR4_OOD_CLASSES];
  writeImageFolder(join(root, 'train'), classes, c.trainPerClass, 16);
  writeImageFolder(join(root, 'test'), classes, Math.max(c.testPerClass, c.oodPerClass), 16);
  return root;
}

function sweepPoints(dir: string, c: Cifar6Config): Cifar6SweepPoint[] {
  const s0 = c.seeds[0];
  return c.sigma2Sweep.map((sigma2) => {
    const run = runName(sigma2 === c.sigma2 ? 'generated-oe' : `sigma2-${sigma2}`, s0);
    const { meanAuroc, meanFpr95, perSet, accuracy } = evalPoint(dir, run, 'msp', CIFAR6_OOD);
    return { sigma2, run, meanAuroc, cifar4Auroc: perSet['cifar4-ood'], meanFpr95, accuracy };
  });
}

/** Runs the plan (resuming), then writes `cifar6[-quick].{md,json}` and the sample grids. */
export async function reproduceCifar6(o: Cifar6Options): Promise<Cifar6Report> {
  const t0 = performance.now();
  const base = o.quick ? cifar6QuickConfig : cifar6FullConfig;
  const c: Cifar6Config = { ...base, ...(o.seeds ? { seeds: o.seeds } : {}) };
  await mkdir(o.runsDir, { recursive: true });
  const source = o.quick ? quickFixture(o.runsDir, c) : resolve(o.data);
  const data = await prepareCifar6(source, join(o.runsDir, 'data'), c);
  const jobs = cifar6Plan(c, o.runsDir, data);
  const cpu0 = process.cpuUsage();
  await runPlan(jobs, o);
  o.onStage?.('checking the generator and drawing sample grids');
  const generator = join(o.runsDir, 'generator');
  const gm = JSON.parse(await readFile(join(generator, 'manifest.json'), 'utf8'));
  const clf = await loadClassifier(join(o.runsDir, runName('baseline', c.seeds[0])));
  const check = await checkConditioning(generator, clf, o.quick ? 60 : 1200);
  clf.model.dispose();
  await mkdir(o.reportsDir, { recursive: true });
  const prefix = o.quick ? 'cifar6-quick' : 'cifar6';
  const figures = {
    samples: `${prefix}-samples.png`,
    sigma2Grid: `${prefix}-sigma2-grid.png`,
    ...(await copyEvalPlots(o.runsDir, o.reportsDir, prefix, c.seeds[0], CIFAR6_OOD[0])),
  };
  await writeFileAtomic(
    join(o.reportsDir, figures.samples),
    new Uint8Array(await readFile(join(generator, 'samples.png'))),
  );
  await writeFileAtomic(
    join(o.reportsDir, figures.sigma2Grid),
    await sigma2Grid(generator, [0, 1, 10, 50, 500]),
  );
  const rows = table(o.runsDir, { seeds: c.seeds, ood: [...CIFAR6_OOD] }).map((r) => ({
    ...r,
    method: METHOD_NAMES[r.method] ?? r.method,
  }));
  const own = process.cpuUsage(cpu0);
  const report: Cifar6Report = {
    ...(await reportHeader(
      'Your own data, end to end: CIFAR-6 open-set OOD detection (cGAN → GOE → MSP / Energy)',
      o,
      t0,
    )),
    versions: await reportVersions(),
    config: c,
    data: {
      source: o.quick ? 'generated fixture (16×16)' : source,
      inDistribution: data.inDistribution,
      ood: data.ood,
      classes: [...CIFAR6_CLASSES],
      oodClasses: [...CIFAR4_OOD_CLASSES],
    },
    generator: {
      id: gm.id,
      digest: gm.weights.digest,
      steps: gm.provenance.steps,
      trainSeconds: gm.provenance.trainSeconds,
      shape: gm.shape,
      stages: gm.config.stages,
      check,
    },
    table: rows,
    sigma2Sweep: sweepPoints(o.runsDir, c),
    cpuSeconds: Math.round(jobCpuSeconds(planLogDir(o.runsDir)) + (own.user + own.system) / 1e6),
    figures,
  };
  await writeFileAtomic(join(o.reportsDir, `${prefix}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(o.reportsDir, `${prefix}.md`), cifar6Markdown(report));
  return report;
}

const fmt = (s: Stat) => (s.n > 1 ? `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}` : s.mean.toFixed(2));

/** `reports/cifar6.md`. */
export function cifar6Markdown(r: Cifar6Report): string {
  const c = r.config;
  const seeds = c.seeds.length;
  const best = [...r.table].sort((a, b) => b.mean.auroc.mean - a.mean.auroc.mean)[0];
  const baseline = r.table.find((t) => t.method === 'baseline')!;
  const shape = r.generator.shape.join('×');
  return `# ${r.title}

${r.mode === 'quick' ? '> **Quick smoke run** (a generated 16×16 fixture, one seed): checks the pipeline and the report, not the numbers.\n\n' : ''}Made by \`${r.command}\` on ${r.createdAt.slice(0, 10)} in ${(r.wallSeconds / 60).toFixed(1)} min wall,
**${(r.cpuSeconds / 60).toFixed(1)} CPU-minutes** (user + system of every job, the generator included)
(${r.machine.cores} cores shared with other work, Node ${r.machine.node}, TF.js ${r.versions['@tensorflow/tfjs']} ${r.machine.backend}, goe ${r.versions.goe}).

**Data.** ${r.data.source} read as an ImageFolder through \`--data PATH\`: in-distribution = ${r.data.classes.join(', ')}
(${c.trainPerClass} training and ${c.testPerClass} test images per class: the first files by name of each class
folder, linked into \`${r.mode === 'quick' ? '<runs>' : '.goe/reproduce/cifar6'}/data/cifar6/{train,test}\`); OOD = the
test images of ${r.data.oodClasses.join(', ')} (${c.oodPerClass} each, \`cifar4-ood\`), Gaussian noise (μ = σ = 0.5, clipped) and uniform
noise (${c.oodCount} each) and natural photo crops in colour (${c.oodCount}; the mate-backgrounds photographs), all ${shape}.

**Models.** Small CNN at ${shape}, ${c.baselineEpochs} epoch(s) (SGD 0.02, momentum 0.9, cosine, batch ${c.batch}); fine-tuning
${c.finetuneEpochs} epoch(s) of ${c.batch} in-distribution + ${c.batch} outliers (SGD 0.01, cosine), ${c.outlierCount} distinct outliers; OE loss (λ = 0.5)
read by MSP, energy-bounded loss (margins from each baseline's own training energies) read by Energy; the control fine-tunes
with the same schedule and no outliers. GOE's outliers come from \`${r.generator.id}\`: a class-conditional DCGAN sized for
${shape} (${r.generator.stages} stride-2 stages from ${r.generator.shape[0] / 2 ** r.generator.stages}×${r.generator.shape[1] / 2 ** r.generator.stages}, width ${c.gan.width}), trained ${r.generator.steps} steps of ${c.gan.batch} on the 6 classes' training
images (${r.generator.trainSeconds ?? '?'} s wall), sampled at σ² = ${c.sigma2}. Why these sizes: the whole report had ~70 CPU-minutes on a 2-core machine
shared by four; the cGAN (~1.4 CPU-s a step at 32×32×3) is the largest single cost, and the training set is a
${6 * c.trainPerClass}-image subset (of 30,000) so the small CNN's epochs stay cheap.
${METRICS_NOTE}; ${seeds > 1 ? `mean ± std over seeds ${c.seeds.join(', ')}` : `seed ${c.seeds[0]}`}.

Baseline test accuracy on the 6 classes: ${fmt(baseline.accuracy)} %.
Best row by mean AUROC: ${best.method} (${best.detector === 'msp' ? 'MSP' : 'Energy'}), ${fmt(best.mean.auroc)}.

## Mean over the 4 OOD sets

${tableMd(r.table)}

## Per OOD set

${perSetMd(r.table, [...CIFAR6_OOD])}

## GOE: σ² sweep (OE loss, MSP, seed ${c.seeds[0]})

| σ² | mean AUROC | CIFAR-4 AUROC | mean FPR95-OOD+ | test acc. |
|---|---|---|---|---|
${r.sigma2Sweep.map((p) => `| ${p.sigma2} | ${p.meanAuroc.toFixed(2)} | ${p.cifar4Auroc.toFixed(2)} | ${p.meanFpr95.toFixed(2)} | ${p.accuracy.toFixed(2)} |`).join('\n')}

## Generator samples

Ten samples per class at σ² = 1 (rows: ${r.data.classes.join(', ')}):

![samples](${r.figures.samples})

The same latent direction at σ² = 0, 1, 10, 50, 500 (rows), one class per column:

![σ² grid](${r.figures.sigma2Grid})

The seed-${c.seeds[0]} baseline labels ${r.generator.check.samples} samples at σ² = 1 with their conditioning class in
**${r.generator.check.conditioningAccuracy.toFixed(1)}%** of cases (chance: ${(100 / r.data.classes.length).toFixed(1)}%).

${evalPlotsMarkdown(r.figures, c.seeds[0], CIFAR6_OOD[0])}`;
}
