import type { Command } from 'commander';
import { isDatasetError, readUserText } from '../../trainer/datasets/index.js';
import { MetricsError, type OodMetrics, oodMetrics, parseScoresCsv } from '../../trainer/metrics/index.js';
import { HELP_WIDTH, wrapText } from '../help.js';
import { printJson } from '../output.js';

/** Reads the CSV at `file` and computes its metrics; every fault is one line naming the file. */
export function metricsFromCsv(file: string): { metrics: OodMetrics; numOod: number; numId: number } {
  let text: string;
  try {
    text = readUserText(file);
  } catch (err) {
    if (!isDatasetError(err)) throw err;
    if (err.code !== 'unreadable') throw new Error(`scores file ${err.message}`);
    const code = ((err.cause ?? {}) as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw new Error(`cannot read scores file ${file}: ${why}`);
  }
  const { scores, isOod } = parseScoresCsv(text, file);
  const numOod = isOod.reduce((a, b) => a + b, 0);
  try {
    return { metrics: oodMetrics(scores, isOod), numOod, numId: isOod.length - numOod };
  } catch (err) {
    if (err instanceof MetricsError) throw new Error(`${file}: ${err.message}`);
    throw err;
  }
}

/**
 * What the two FPR95 columns mean, for `--help` and under the tables (list items). FPR95-OOD+ is the
 * toolkits' convention (pytorch-ood, OpenOOD; goe's `fpr95`), FPR95-ID+ that of the energy/ODIN papers.
 */
export const FPR95_DEFINITIONS: readonly string[] = [
  '  FPR95-OOD+ (OOD positive, as pytorch-ood and OpenOOD): % of ID samples flagged as OOD at the threshold that flags 95% of the OOD samples.',
  '  FPR95-ID+ (ID positive, as the ODIN and energy-score papers): % of OOD samples accepted as ID at the threshold that accepts 95% of the ID samples.',
];

/** {@link FPR95_DEFINITIONS} wrapped at 80 columns, for printing under a table. */
export const FPR95_LEGEND: readonly string[] = wrapText(FPR95_DEFINITIONS.join('\n'), HELP_WIDTH).split('\n');

function printHuman(m: OodMetrics, numOod: number, numId: number): void {
  const rows: [string, number, string][] = [
    ['AUROC', m.auroc, '↑'],
    ['AUPR-IN', m.auprIn, '↑'],
    ['AUPR-OUT', m.auprOut, '↑'],
    ['FPR95-OOD+', m.fpr95OodPositive, '↓'],
    ['FPR95-ID+', m.fpr95IdPositive, '↓'],
  ];
  const lines = rows.map(
    ([name, value, better]) => `${name.padEnd(11)}${value.toFixed(2).padStart(7)} %  ${better}`,
  );
  lines.push(`(${numOod + numId} samples: ${numOod} OOD, ${numId} ID; score higher = more OOD)`);
  lines.push(...FPR95_LEGEND);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .summary('OOD detection metrics (AUROC, AUPR-IN, AUPR-OUT, FPR95 both ways) from a CSV of scores')
    .description(
      'OOD detection metrics, in %, from a CSV of scores: AUROC, AUPR-IN (ID positive),\n' +
        'AUPR-OUT (OOD positive) and FPR at 95% TPR in both conventions in use:\n' +
        FPR95_DEFINITIONS.join('\n'),
    )
    .requiredOption(
      '--scores <file>',
      'CSV with the header score,is_ood; score higher = more OOD, is_ood 1/true = OOD, 0/false = ID',
    )
    .option(
      '--json',
      'print {auroc, auprIn, auprOut, fpr95, fpr95OodPositive, fpr95IdPositive} in % at full precision (fpr95 = fpr95OodPositive, its older name)',
    )
    .action((opts: { scores: string; json?: boolean }) => {
      const { metrics, numOod, numId } = metricsFromCsv(opts.scores);
      if (opts.json) printJson(metrics);
      else printHuman(metrics, numOod, numId);
    });
}
