import { type Command, Option } from 'commander';
import { resolveModelDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { log } from '../../runtime/log.js';
import { loadClassifier } from '../../trainer/classifier.js';
import {
  ensureDataset,
  type ImageSet,
  loadFashionMnist,
  OOD_SET_NAMES,
  parseOodList,
  resolveOodSet,
  subset,
} from '../../trainer/datasets/index.js';
import { loadImagesAs, type RowShape } from '../../trainer/datasets/sources/image-source.js';
import {
  brownVocab,
  DEFAULT_TEXT_OOD_COUNT,
  loadBrown,
  resolveTextOodSet,
  TEXT_OOD_SET_NAMES,
} from '../../trainer/datasets/text/index.js';
import { type DetectorName, detectorNames } from '../../trainer/detectors/index.js';
import { type EvalReport, evaluate } from '../../trainer/evaluate.js';
import { userImagesTask } from '../../trainer/finetune.js';
import { limitSet } from '../../trainer/fit.js';
import type { OodMetrics } from '../../trainer/metrics/index.js';
import { printJson } from '../output.js';
import { positiveInt } from '../parse.js';
import { FPR95_DEFINITIONS, FPR95_LEGEND } from './metrics.js';

/** The first `limit` rows of `set` (all when no limit). */
function limitHead(set: ImageSet, limit?: number): ImageSet {
  return limit && limit < set.shape[0]
    ? subset(
        set,
        Int32Array.from({ length: limit }, (_, i) => i),
      )
    : set;
}

/**
 * An OOD set for a classifier reading `shape` rows: a path is read and brought to that shape; built-in
 * sets are 28×28 grey and are only used for classifiers of that shape (never silently resized).
 */
function oodAtShape(spec: string, shape: RowShape, limit?: number): ImageSet {
  if (!(OOD_SET_NAMES as readonly string[]).includes(spec))
    return limitHead(loadImagesAs(spec, shape), limit);
  const set = resolveOodSet(spec, { count: limit });
  if (set.shape.slice(1).join('x') !== shape.join('x')) {
    throw new Error(
      `the built-in OOD set ${spec} is ${set.shape.slice(1).join('×')}; this classifier reads ${shape.join('×')}: pass a PATH of images`,
    );
  }
  return limitHead(set, limit);
}

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
        '  image classifiers: --ood mnist, gaussian, uniform, natural, or a path (IDX, .npy, folder of PNGs)\n' +
        "  classifiers of your own images (goe train --data PATH): --ood PATH,… (an image folder, ImageFolder tree, .npy or IDX file), each brought to the classifier's row shape\n" +
        '  text classifiers: --ood spam-assassin, sotu, or a UTF-8 .txt path (one sample per line; lines are ' +
        "joined and cut into windows of the model's sample length, 64 tokens)",
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
        if (clf.manifest.data === 'images') {
          // A classifier of a team's own images: its test split read as trained, OOD sets at its row shape.
          if (!o.ood) throw new Error(`${o.model} reads its own images: name the OOD sets with --ood PATH,…`);
          const shape = clf.manifest.inputShape as RowShape;
          const task = userImagesTask(clf)!;
          const sets = parseOodList(o.ood).map((n) => oodAtShape(n, shape, o.limit));
          await initBackend();
          const report = evaluate(clf.model, limitHead(task.test as ImageSet, o.limit), sets, detectors);
          if (o.json) printJson(report);
          else process.stdout.write(formatEval(report));
          return;
        }
        const names = parseOodList(o.ood ?? 'mnist,gaussian,uniform');
        // MNIST is not packaged: fetched once into the cache dir (checked by SHA-256) when not local.
        if (names.includes('mnist')) {
          await ensureDataset('mnist-test', { onProgress: (m) => log('info', m) });
        }
        await initBackend();
        // Paths go through the one image loader (any size, PNG or JPEG), brought to 28×28 grey.
        const sets = names.map((n) => oodAtShape(n, clf.manifest.inputShape as RowShape, o.limit));
        const report = evaluate(clf.model, limitHead(loadFashionMnist('test'), o.limit), sets, detectors);
        if (o.json) printJson(report);
        else process.stdout.write(formatEval(report));
      },
    );
}
