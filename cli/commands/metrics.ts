import type { Command } from 'commander';
import { isDatasetError, readUserText } from '../../trainer/datasets/index.js';
import { MetricsError, type OodMetrics, oodMetrics, parseScoresCsv } from '../../trainer/metrics/index.js';
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

function printHuman(m: OodMetrics, numOod: number, numId: number): void {
  const rows: [string, number, string][] = [
    ['AUROC', m.auroc, '↑'],
    ['AUPR-IN', m.auprIn, '↑'],
    ['AUPR-OUT', m.auprOut, '↑'],
    ['FPR@95TPR', m.fpr95, '↓'],
  ];
  const lines = rows.map(
    ([name, value, better]) => `${name.padEnd(10)}${value.toFixed(2).padStart(7)} %  ${better}`,
  );
  lines.push(`(${numOod + numId} samples: ${numOod} OOD, ${numId} ID; score higher = more OOD)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description('OOD detection metrics (AUROC, AUPR-IN, AUPR-OUT, FPR@95TPR, in %) from a CSV of scores')
    .requiredOption(
      '--scores <file>',
      'CSV with the header score,is_ood; score higher = more OOD, is_ood 1/true = OOD, 0/false = ID',
    )
    .option('--json', 'print {auroc, auprIn, auprOut, fpr95} in percent at full precision')
    .action((opts: { scores: string; json?: boolean }) => {
      const { metrics, numOod, numId } = metricsFromCsv(opts.scores);
      if (opts.json) printJson(metrics);
      else printHuman(metrics, numOod, numId);
    });
}
