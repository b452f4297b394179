import { type Command, Option } from 'commander';
import { detectorNames } from '../../trainer/detectors/index.js';
import type { EvalReport } from '../../trainer/evaluate.js';
import type { OodMetrics } from '../../trainer/metrics/index.js';
import { type EvalRunOptions, evalRun } from '../../trainer/runs.js';
import { printJson } from '../output.js';
import { positiveInt } from '../parse.js';
import { FPR95_DEFINITIONS, FPR95_LEGEND } from './metrics.js';

const pct = (x: number) => x.toFixed(2).padStart(6);

/** The human table of `goe eval`: one row per detector × OOD set, then the means, then what FPR95 means. */
export function formatEval(r: EvalReport): string {
  const lines = [
    `test accuracy ${r.accuracy.toFixed(2)}%`,
    '',
    'detector  OOD set           AUROC  AUPR-IN  AUPR-OUT  FPR95-OOD+  FPR95-ID+',
  ];
  const row = (d: string, set: string, m: OodMetrics) =>
    `${d.padEnd(9)} ${set.padEnd(15)} ${pct(m.auroc)}   ${pct(m.auprIn)}    ${pct(m.auprOut)}      ${pct(m.fpr95OodPositive)}     ${pct(m.fpr95IdPositive)}`;
  for (const x of r.results) lines.push(row(x.detector, x.ood, x));
  for (const [d, m] of Object.entries(r.mean)) lines.push(row(d, 'mean', m));
  lines.push('', ...FPR95_LEGEND);
  return `${lines.join('\n')}\n`;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .summary('OOD evaluation: AUROC, AUPR-IN, AUPR-OUT, FPR@95TPR per detector and OOD set')
    .description(
      "OOD evaluation: the classifier's in-distribution test set vs each --ood set, per detector; AUROC, AUPR-IN,\n" +
        'AUPR-OUT (OOD positive) and FPR@95TPR in both conventions, in %:\n' +
        FPR95_DEFINITIONS.join('\n') +
        '\n' +
        '  image classifiers: --ood mnist, fashion-mnist (28×28 grey only), gaussian, uniform, natural (drawn at the\n' +
        "classifier's row shape), or a path (image folder or ImageFolder tree of PNG/JPEG, .npy, IDX file, a folder of\n" +
        "the 4 IDX files), brought to the classifier's row shape\n" +
        '  classifiers of your own images (goe train --data PATH): --ood is required; their test split is read as trained\n' +
        '  text classifiers (Brown or goe train --data TEXTS): --ood spam-assassin, sotu, or a path: a folder of .txt\n' +
        'files, .jsonl/.csv (the text field), or a UTF-8 file (one sample per line); texts are joined and cut into\n' +
        "windows of the model's sample length",
    )
    .requiredOption('--model <dir|id>', 'classifier folder or zoo id')
    .option(
      '--ood <list>',
      'comma-separated OOD sets (default: mnist,gaussian,uniform; fashion-mnist for an MNIST classifier; spam-assassin,sotu for text)',
    )
    .addOption(
      new Option('--detector <name>', 'detector, or all').choices([...detectorNames, 'all']).default('all'),
    )
    .option(
      '--limit <n>',
      'use only the first N rows (images or text windows) of the test set and of each OOD set (smoke tests)',
      positiveInt,
    )
    .option('--json', 'print { results, mean, accuracy } as JSON')
    .option(
      '--plot <dir>',
      'also write ROC curves (roc-<detector>) and ID-vs-OOD score histograms (hist-<detector>-<set>) as SVG and PNG',
    )
    .action(async (o: EvalRunOptions & { json?: boolean }) => {
      const report = await evalRun(o);
      if (o.json) printJson(report);
      else process.stdout.write(formatEval(report));
    });
}
