import type { Command } from 'commander';
import { commandLine } from '../../generators/manifest.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { type EvalGeneratorReport, evalGenerator } from '../../trainer/eval-generator.js';
import type { GeneratorQuality } from '../../trainer/generator-quality.js';
import { qualityPlotSvg } from '../../trainer/report/quality-plot.js';
import { note, printJson } from '../output.js';
import { nonNegativeNumber, positiveInt } from '../parse.js';

interface EvalGeneratorFlags {
  generator?: string;
  checkpoints?: string;
  classifier: string;
  samples: number;
  sigma2: number;
  json?: boolean;
  plot?: string;
}

const row = (q: GeneratorQuality) =>
  `${q.label.padEnd(28)} ${String(q.step ?? '').padStart(6)}   ${q.conditioningAccuracy.toFixed(1).padStart(6)}   ${q.frechet.toFixed(2).padStart(9)}`;

/** The human table of `goe eval-generator`: one row per generator, then per snapshot. */
export function formatQuality(r: EvalGeneratorReport): string {
  return `${[
    `classifier ${r.classifier}; real: ${r.real.name} (${r.real.rows} images); ${r.samples} samples at σ² = ${r.sigma2} each`,
    '',
    'generator                      step   cond. acc %   Fréchet',
    ...[...r.generators, ...r.snapshots].map(row),
  ].join('\n')}\n`;
}

export function registerEvalGenerator(program: Command): void {
  program
    .command('eval-generator')
    .summary(
      'how good a cGAN is: conditioning accuracy and a feature Fréchet distance, per training snapshot',
    )
    .description(
      'Judges class-conditional generators with a Fashion-MNIST classifier: (a) conditioning accuracy, the % of\n' +
        'samples at σ² (default 1) that the classifier labels with their class; (b) a cheap FID: the Fréchet distance\n' +
        "between Gaussian fits of the classifier's penultimate features of the samples and of the Fashion-MNIST test\n" +
        'images (lower = closer; compare values made with the same --samples). --generator takes zoo ids or folders;\n' +
        '--checkpoints a folder of training snapshots (sub-folders with state.json and generator.safetensors, as\n' +
        '`goe train-generator` writes to <out>/checkpoint), measured in step order; --plot draws both over the steps.',
    )
    .option(
      '--generator <list>',
      'generators to measure, comma-separated: zoo ids, folders, or single snapshot folders',
    )
    .option(
      '--checkpoints <dir>',
      'a folder of snapshot folders (step-N/{state.json, generator.safetensors})',
    )
    .requiredOption('--classifier <dir|id>', 'a Fashion-MNIST classifier (zoo id or folder)')
    .option('--samples <n>', 'samples per generator', positiveInt, 1000)
    .option('--sigma2 <x>', 'latent variance of the samples', nonNegativeNumber, 1)
    .option('--json', 'print the report as JSON')
    .option(
      '--plot <file.svg>',
      'draw accuracy and Fréchet distance over the snapshots (generators as dashed lines)',
    )
    .action(async (o: EvalGeneratorFlags) => {
      if (o.plot && !o.plot.endsWith('.svg')) throw new Error(`--plot ${o.plot}: the plot is an .svg file`);
      if (o.plot && !o.checkpoints)
        throw new Error('--plot draws snapshots over training: give --checkpoints DIR');
      const report = await evalGenerator({
        generators: o.generator ? o.generator.split(',').map((g) => g.trim()) : [],
        checkpoints: o.checkpoints,
        classifier: o.classifier,
        samples: o.samples,
        sigma2: o.sigma2,
        onRow: (q) => note(row(q)),
      });
      if (o.plot) {
        const name = o.checkpoints?.split(/[\\/]/).filter(Boolean).pop() ?? 'generator';
        await writeFileAtomic(o.plot, await qualityPlotSvg(report.snapshots, report.generators, name));
      }
      // The command and the time go with the numbers, so a saved --json says how it was made.
      const command = commandLine('eval-generator', {
        generator: o.generator,
        checkpoints: o.checkpoints,
        classifier: o.classifier,
        samples: o.samples,
        sigma2: o.sigma2,
        json: o.json,
        plot: o.plot,
      });
      if (o.json) printJson({ command, createdAt: new Date().toISOString(), ...report });
      else process.stdout.write(formatQuality(report));
    });
}
