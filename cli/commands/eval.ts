import { type Command, Option } from 'commander';
import { resolveModelDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { loadClassifier } from '../../trainer/classifier.js';
import { type ImageSet, parseOodList, resolveOodSet, subset } from '../../trainer/datasets/index.js';
import {
  brownVocab,
  DEFAULT_TEXT_OOD_COUNT,
  loadBrown,
  resolveTextOodSet,
  TEXT_OOD_SET_NAMES,
} from '../../trainer/datasets/text/index.js';
import { type DetectorName, detectorNames } from '../../trainer/detectors/index.js';
import { type EvalReport, evaluate } from '../../trainer/evaluate.js';
import { limitSet } from '../../trainer/fit.js';
import { loadInDistribution } from '../../trainer/in-distribution.js';
import { printJson } from '../output.js';
import { positiveInt } from '../parse.js';

const pct = (x: number) => x.toFixed(2).padStart(6);

/** The human table of `goe eval`: one row per detector × OOD set, then the means. */
export function formatEval(r: EvalReport): string {
  const lines = [
    `test accuracy ${r.accuracy.toFixed(2)}%`,
    '',
    'detector  OOD set            AUROC  AUPR-IN  AUPR-OUT  FPR95',
  ];
  for (const x of r.results) {
    lines.push(
      `${x.detector.padEnd(9)} ${x.ood.padEnd(16)} ${pct(x.auroc)}   ${pct(x.auprIn)}    ${pct(x.auprOut)} ${pct(x.fpr95)}`,
    );
  }
  for (const [d, m] of Object.entries(r.mean)) {
    lines.push(
      `${d.padEnd(9)} ${'mean'.padEnd(16)} ${pct(m.auroc)}   ${pct(m.auprIn)}    ${pct(m.auprOut)} ${pct(m.fpr95)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .summary('OOD evaluation: AUROC, AUPR-IN, AUPR-OUT, FPR@95TPR per detector and OOD set')
    .description(
      "OOD evaluation: the classifier's in-distribution test set vs each --ood set, per detector; AUROC, AUPR-IN,\n" +
        'AUPR-OUT, FPR@95TPR in % (OOD positive).\n' +
        '  image classifiers: --ood mnist, gaussian, uniform, natural, or a path (IDX, .npy, folder of PNGs)\n' +
        '  text classifiers:  --ood spam-assassin, sotu, or a UTF-8 .txt path (one sample per line; lines are\n' +
        "                     joined and cut into windows of the model's sample length, 64 tokens)",
    )
    .requiredOption('--model <dir|id>', 'classifier folder or zoo id')
    .option('--ood <list>', 'comma-separated OOD sets (default: mnist,gaussian,uniform / spam-assassin,sotu)')
    .addOption(
      new Option('--detector <name>', 'detector, or all').choices([...detectorNames, 'all']).default('all'),
    )
    .option(
      '--limit <n>',
      'use only the first N images of the test set and of each OOD set (smoke tests)',
      positiveInt,
    )
    .option('--json', 'print { results, mean, accuracy } as JSON')
    .action(
      async (o: {
        model: string;
        ood?: string;
        detector: DetectorName | 'all';
        limit?: number;
        json?: boolean;
      }) => {
        const clf = await loadClassifier(resolveModelDir(o.model));
        const detectors = o.detector === 'all' ? [...detectorNames] : [o.detector];
        if (clf.manifest.input === 'token-ids') {
          const names = (o.ood ?? TEXT_OOD_SET_NAMES.join(','))
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const length = clf.manifest.inputShape[0];
          // Only the test split: the training windows are not needed to evaluate.
          const vocab = clf.vocab ?? brownVocab();
          const sets = names.map((n) =>
            resolveTextOodSet(n, vocab, length, o.limit ?? DEFAULT_TEXT_OOD_COUNT),
          );
          await initBackend();
          const report = evaluate(
            clf.model,
            limitSet(loadBrown(vocab, 'test', length), o.limit, 0),
            sets,
            detectors,
          );
          if (o.json) printJson(report);
          else process.stdout.write(formatEval(report));
          return;
        }
        const task = loadInDistribution(clf.manifest.data === 'mnist' ? 'mnist' : 'fashion-mnist');
        const names = parseOodList(o.ood ?? task.defaultOod.join(','));
        await initBackend();
        const head = (set: ImageSet) =>
          o.limit && o.limit < set.shape[0]
            ? subset(
                set,
                Int32Array.from({ length: o.limit }, (_, i) => i),
              )
            : set;
        const sets = names.map((n) => head(resolveOodSet(n, { count: o.limit })));
        const report = evaluate(clf.model, head(task.test as ImageSet), sets, detectors);
        if (o.json) printJson(report);
        else process.stdout.write(formatEval(report));
      },
    );
}
