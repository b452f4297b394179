import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { commandLine, type OptionValue } from '../../generators/manifest.js';
import { initBackend } from '../../runtime/backend/index.js';
import { reproduceByo } from '../../trainer/reproduce/byo.js';
import { reproduceCifar6 } from '../../trainer/reproduce/cifar6.js';
import { reproduceImages } from '../../trainer/reproduce/images.js';
import { analyseOutliers, analysisMarkdown } from '../../trainer/reproduce/images-analysis.js';
import { reproduceText } from '../../trainer/reproduce/text.js';
import { reproduceTune } from '../../trainer/reproduce/tune.js';
import { note } from '../output.js';
import { listOf, nonNegativeNumber, positiveInt } from '../parse.js';
import { withAbort } from '../signals.js';

interface ReproduceFlags {
  quick?: boolean;
  runs?: string;
  reports?: string;
  jobs: number;
  zoo?: boolean;
}

/** What both reproductions share: folders, the recorded command, Ctrl-C, per-job progress lines. */
async function runReproduction<R extends { mode: string; wallSeconds: number }>(
  kind: 'images' | 'text' | 'byo' | 'tune' | 'cifar6',
  o: ReproduceFlags,
  run: (options: Parameters<typeof reproduceImages>[0]) => Promise<R>,
  extra: Record<string, OptionValue> = {},
): Promise<R> {
  const runsDir = o.runs ?? join('.goe', 'reproduce', o.quick ? `${kind}-quick` : kind);
  const reportsDir = o.reports ?? (o.quick ? join(runsDir, 'report') : 'reports');
  const command = commandLine(`reproduce ${kind}`, {
    quick: o.quick || undefined,
    runs: o.runs,
    reports: o.reports,
    jobs: o.jobs,
    zoo: o.zoo || undefined,
    ...extra,
  });
  const report = await withAbort((signal) =>
    run({
      quick: !!o.quick,
      runsDir,
      reportsDir,
      concurrency: o.jobs,
      zoo: !!o.zoo,
      command,
      signal,
      onStage: note,
      onJob: (done, total, job, seconds, skipped) =>
        note(`[${done}/${total}] ${job.id} ${skipped ? '(already done)' : `${seconds.toFixed(0)} s`}`),
    }),
  );
  const file = `${kind === 'byo' ? 'byo-mnist' : kind}${report.mode === 'quick' ? '-quick' : ''}.md`;
  note(`wrote ${join(reportsDir, file)} in ${(report.wallSeconds / 60).toFixed(1)} min`);
  return report;
}

export function registerReproduce(program: Command): void {
  const reproduce = program
    .command('reproduce')
    .description("reproduce the paper's experiments on this machine");
  reproduce
    .command('images')
    .summary('Table 1, the σ² sweep and the outlier-count ablation on Fashion-MNIST')
    .description(
      'Table 1 on Fashion-MNIST (baseline, control, noise-OE, GOE, natural-OE × MSP/Energy over 3 seeds), the σ²\n' +
        'sweep (Fig. 2), the number-of-outliers ablation (Fig. 5), the generator check and Fig. 1. Runs `goe` jobs\n' +
        'in parallel (one per core: wasm is single-threaded) and resumes: finished runs in --runs are kept.\n' +
        'Writes reports/images.{md,json} and figures; --zoo copies the seed-0 classifiers into zoo/.\n' +
        '--quick: a tiny smoke run (≤ 5 min) that checks the pipeline, not the numbers.',
    )
    .option('--quick', 'tiny data, one seed (CI smoke test)')
    .option('--runs <dir>', 'where runs go (default .goe/reproduce/images[-quick])')
    .option('--reports <dir>', 'where the report goes (default reports/, or <runs>/report with --quick)')
    .option('--jobs <n>', 'parallel jobs', positiveInt, Math.max(1, cpus().length))
    .option('--zoo', "copy the first seed's classifiers into zoo/ (full runs only)")
    .option(
      '--generator <id>',
      "generator (zoo id or folder) for the GOE rows, the σ² and count sweeps and the generator check (default fashion-mnist-cgan-w64; --quick: fashion-mnist-cgan); a --runs folder holds one generator's runs",
    )
    .option(
      '--sigma2-sweep <list>',
      'σ² values of the sweep (Fig. 2), comma-separated (default 0,0.5,1,2,5,10,20,50,100)',
      listOf(nonNegativeNumber),
    )
    .option(
      '--count-sweep <list>',
      'outlier counts of the ablation (Fig. 5), comma-separated (default 100,1000,10000,50000)',
      listOf(positiveInt),
    )
    .action(
      async (o: ReproduceFlags & { generator?: string; sigma2Sweep?: number[]; countSweep?: number[] }) => {
        await initBackend();
        const picked = { generator: o.generator, sigma2Sweep: o.sigma2Sweep, countSweep: o.countSweep };
        const report = await runReproduction(
          'images',
          o,
          (options) => reproduceImages({ ...options, ...picked }),
          {
            generator: o.generator,
            'sigma2-sweep': o.sigma2Sweep?.join(','),
            'count-sweep': o.countSweep?.join(','),
          },
        );
        const goe = report.table.find((r) => r.method.startsWith('GOE') && r.detector === 'msp');
        const base = report.table.find((r) => r.method === 'baseline' && r.detector === 'msp');
        if (goe && base) {
          note(
            `mean AUROC (MSP) baseline ${base.mean.auroc.mean.toFixed(2)} → GOE ${goe.mean.auroc.mean.toFixed(2)}`,
          );
        }
      },
    );
  reproduce
    .command('text')
    .summary('Table 2 and the temperature sweep on the Brown corpus')
    .description(
      'Table 2 on the Brown corpus (baseline, control, random-token noise, generated text, WordNet glosses × OE/MSP\n' +
        'and energy/Energy over 3 seeds; OOD sets SpamAssassin and State-of-the-Union) and the temperature sweep\n' +
        'T ∈ {0.5, 0.8, 1, 1.5, 2, 3, 5}. Needs zoo/brown-lm (`goe train-generator --kind lm --data brown`). Runs `goe`\n' +
        'jobs in parallel and resumes; jobs needing the LM run last. Writes reports/text.{md,json} and the sweep plot;\n' +
        '--zoo copies the seed-0 classifiers into zoo/brown-classifier-*. --quick: a tiny smoke run (CI).',
    )
    .option('--quick', 'tiny data, one seed (CI smoke test)')
    .option('--runs <dir>', 'where runs go (default .goe/reproduce/text[-quick])')
    .option('--reports <dir>', 'where the report goes (default reports/, or <runs>/report with --quick)')
    .option('--jobs <n>', 'parallel jobs', positiveInt, Math.max(1, cpus().length))
    .option('--zoo', "copy the first seed's classifiers into zoo/ (full runs only)")
    .action(async (o: ReproduceFlags) => {
      const report = await runReproduction('text', o, reproduceText);
      const row = (m: string) =>
        report.table.find((r) => r.method === m && r.detector === 'msp')?.mean.auroc.mean;
      note(
        `mean AUROC (MSP) baseline ${row('baseline')?.toFixed(2)}, noise ${row('noise-OE')?.toFixed(2)}, ` +
          `GOE ${row('GOE (generated)')?.toFixed(2)}, natural ${row('natural-OE')?.toFixed(2)}`,
      );
    });
  reproduce
    .command('tune')
    .summary('goe tune judged: tuned σ² vs. the oracle and the default, and outlier mixtures')
    .description(
      'Judges `goe tune` on Fashion-MNIST: baselines (as `reproduce images`), `goe tune` per seed, the σ² sweep on the\n' +
        'first seed (the oracle: best MNIST AUROC), then on every seed the default σ² = 50, the oracle, the tuned choice\n' +
        'and the mixtures with their single sources; OE loss → MSP, energy loss → Energy, seeds 0, 1, 2, a reduced\n' +
        "fine-tuning protocol (see the report). Writes reports/tune.{md,json}; --zoo copies the first seed's tuned and\n" +
        'mixture classifiers into zoo/. Resumes. --quick: a tiny smoke run (CI).',
    )
    .option('--quick', 'tiny data, one seed (CI smoke test)')
    .option('--runs <dir>', 'where runs go (default .goe/reproduce/tune[-quick])')
    .option('--reports <dir>', 'where the report goes (default reports/, or <runs>/report with --quick)')
    .option('--jobs <n>', 'parallel jobs', positiveInt, Math.max(1, cpus().length))
    .option('--zoo', "copy the first seed's tuned and mixture classifiers into zoo/ (full runs only)")
    .action(async (o: ReproduceFlags) => {
      const report = await runReproduction('tune', o, reproduceTune);
      for (const t of report.targets) {
        note(
          `${t.loss === 'oe' ? 'MSP' : 'Energy'}: tuned − oracle ${t.tunedMinusOracleMnist.toFixed(2)}, tuned − default ${t.tunedMinusDefaultMnist.toFixed(2)} (MNIST AUROC)`,
        );
      }
    });
  reproduce
    .command('byo')
    .summary(
      'GOE with an imported pre-trained generator: MNIST classifier, the MNIST GAN of zoo/mnist-mlp-gan',
    )
    .description(
      'Bring your own generator: an MNIST classifier (MNIST test set split 8,000 / 2,000, seeded), then baseline vs\n' +
        'noise-OE vs GOE with the imported third-party MNIST GAN (zoo/mnist-mlp-gan) at σ² ∈ {1, 5, 20, 50}, OE loss → MSP\n' +
        'and energy loss → Energy, evaluated against Fashion-MNIST test images, 3 seeds. Needs the MNIST test IDX files\n' +
        '(GOE_MNIST_DIR) and Fashion-MNIST. Writes reports/byo-mnist.{md,json} and a sample grid per σ². Resumes.\n' +
        '--quick: a tiny smoke run (CI).',
    )
    .option('--quick', 'tiny data, one seed (CI smoke test)')
    .option('--runs <dir>', 'where runs go (default .goe/reproduce/byo[-quick])')
    .option('--seeds <list>', 'seeds to run, comma-separated (default 0,1,2; finished runs are reused)')
    .option('--reports <dir>', 'where the report goes (default reports/, or <runs>/report with --quick)')
    .option('--jobs <n>', 'parallel jobs', positiveInt, Math.max(1, cpus().length))
    .action(async (o: ReproduceFlags & { seeds?: string }) => {
      const seeds = parseSeeds(o.seeds);
      const report = await runReproduction('byo', o, (options) => reproduceByo({ ...options, seeds }));
      for (const row of report.rows.filter((r) => r.method !== 'noise-OE')) {
        const ood = report.config.ood[0];
        note(`${row.method} (${row.detector}): AUROC ${row.perSet[ood].auroc.mean.toFixed(2)} on ${ood}`);
      }
    });
  registerReproduceCifar6(reproduce);
  registerImagesAnalysis(reproduce);
}

/** `--seeds 0,1,2` → [0, 1, 2]; undefined when not given. */
function parseSeeds(list: string | undefined): number[] | undefined {
  return list?.split(',').map((x) => {
    const n = Number(x.trim());
    if (x.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new Error(`--seeds must be whole numbers ≥ 0, got "${list}"`);
    return n;
  });
}

/** `goe reproduce cifar6`: the own-data pipeline on CIFAR-10 as an ImageFolder (issue 15). */
export function registerReproduceCifar6(reproduce: Command): void {
  reproduce
    .command('cifar6')
    .summary('your own data end to end: CIFAR-6 open-set OOD (cGAN → GOE → MSP / Energy)')
    .description(
      'The own-data pipeline on CIFAR-10 as an ImageFolder (--data DIR, required unless --quick):\n' +
        'in-distribution = airplane, automobile, bird, cat, deer, dog (1,000 train / 500 test images per class);\n' +
        "OOD = the other 4 classes' test images, Gaussian and uniform noise, natural photo crops (32×32×3).\n" +
        'Trains a cGAN on the 6 classes (goe train-generator --data), then baseline / control / noise-OE / GOE /\n' +
        'natural-OE with the OE loss (MSP) and the energy loss (Energy) over --seeds, and a σ² sweep; resumes.\n' +
        'Writes reports/cifar6.{md,json} and sample grids. --quick: a generated 16×16 fixture, one seed (CI).',
    )
    .option('--quick', 'a tiny generated fixture, one seed (CI smoke test)')
    .option('--data <dir>', 'CIFAR-10 as an ImageFolder (train/<class>/, test/<class>/)')
    .option('--seeds <list>', 'seeds, comma-separated (default 0,1,2; quick: 0)')
    .option('--runs <dir>', 'where runs go (default .goe/reproduce/cifar6[-quick])')
    .option('--reports <dir>', 'where the report goes (default reports/, or <runs>/report with --quick)')
    .option('--jobs <n>', 'parallel jobs', positiveInt, Math.max(1, cpus().length))
    .action(async (o: ReproduceFlags & { seeds?: string; data?: string }) => {
      const seeds = parseSeeds(o.seeds);
      if (!o.quick && !o.data) {
        throw new Error('--data DIR is required: CIFAR-10 as an ImageFolder (train/<class>/, test/<class>/)');
      }
      const data = o.data ?? '';
      const report = await runReproduction(
        'cifar6',
        o,
        (options) => reproduceCifar6({ ...options, data, ...(seeds ? { seeds } : {}) }),
        { data: o.quick ? undefined : o.data, seeds },
      );
      for (const row of report.table) {
        note(
          `${row.method} (${row.detector === 'msp' ? 'MSP' : 'Energy'}): mean AUROC ${row.mean.auroc.mean.toFixed(2)}`,
        );
      }
    });
}

/** `goe reproduce images-analysis`: what the outliers are per generator and σ² (issue 16, item 2). */
export function registerImagesAnalysis(reproduce: Command): void {
  reproduce
    .command('images-analysis')
    .summary(
      'what the generated outliers are per generator and σ²: diversity, placement, class spread, grids',
    )
    .description(
      "Per generator and σ², 'what the outliers are' through a baseline classifier: diversity (mean pairwise distance\n" +
        'of its penultimate features, also ÷ that of Fashion-MNIST test images), placement (AUROC of the baseline\n' +
        'telling them from test images and the share it accepts at 95% TPR, per MSP and Energy; median max-softmax and\n' +
        'energy), the classes it takes them for, pixel saturation and the feature Fréchet distance to test images.\n' +
        "--generator ID=IMAGES.JSON joins the MNIST AUROC of that reproduction's σ² sweep. Writes\n" +
        'images-analysis.json and a picture grid per generator (images-analysis-<id>.png) to --reports; prints the\n' +
        'table as Markdown.',
    )
    .requiredOption(
      '--generator <list>',
      'generators (zoo ids or folders), comma-separated, each optionally ID=IMAGES.JSON (its reproduction)',
    )
    .option('--classifier <dir|id>', 'the baseline classifier', 'fashion-mnist-classifier-baseline')
    .option('--sigma2 <list>', 'σ² values, comma-separated', '1,5,20,50,100')
    .option('--samples <n>', 'outliers per generator and σ² (and in-distribution rows)', positiveInt, 1000)
    .option('--reports <dir>', 'where the JSON and grids go', 'reports')
    .action(
      async (o: {
        generator: string;
        classifier: string;
        sigma2: string;
        samples: number;
        reports: string;
      }) => {
        const sigma2s = o.sigma2.split(',').map((x) => {
          const v = Number(x.trim());
          if (x.trim() === '' || !Number.isFinite(v) || v < 0)
            throw new Error(`--sigma2 entry "${x}" is not a number ≥ 0`);
          return v;
        });
        const generators = o.generator.split(',').map((g) => {
          const [generator, sweep] = g.trim().split('=');
          if (!generator) throw new Error(`--generator entry "${g}" names no generator`);
          return sweep ? { generator, sweep } : { generator };
        });
        const report = await analyseOutliers({
          generators,
          classifier: o.classifier,
          sigma2s,
          samples: o.samples,
          reportsDir: o.reports,
          command: commandLine('reproduce images-analysis', {
            generator: o.generator,
            classifier: o.classifier,
            sigma2: o.sigma2,
            samples: o.samples,
            reports: o.reports,
          }),
          onRow: (r) => note(`${r.generator} σ²=${r.sigma2}: diversity ×${r.diversityRatio.toFixed(2)}`),
        });
        process.stdout.write(analysisMarkdown(report));
        note(`wrote ${join(o.reports, 'images-analysis.json')} (${report.cpuSeconds} CPU-s)`);
      },
    );
}
