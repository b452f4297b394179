import { type Command, Option } from 'commander';
import { initBackend } from '../../runtime/backend/index.js';
import { loadClassifier, saveClassifier } from '../../trainer/classifier.js';
import { finetune } from '../../trainer/finetune.js';
import { note } from '../output.js';
import { nonNegativeNumber, positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

interface Opts {
  from: string;
  outliers: string;
  loss: 'oe' | 'energy';
  sigma2?: number;
  temperature?: number;
  generator?: string;
  outlierCount?: number;
  epochs: number;
  batch: number;
  outlierBatch: number;
  lr?: number;
  seed: number;
  limit?: number;
  workers: number;
  out: string;
}

export function registerFinetune(program: Command): void {
  program
    .command('finetune')
    .summary('Outlier Exposure fine-tuning with generated, noise, natural or your outliers')
    .description(
      'Outlier Exposure fine-tuning of a trained classifier on its own data (Fashion-MNIST or Brown).\n' +
        '--outliers generated: GOE, samples of --generator (images: the cGAN at --sigma2; text: the LM at --temperature)\n' +
        '           noise: uniform pixels / uniform random tokens;  natural: photo crops / WordNet glosses\n' +
        '           none: the control (same schedule, no outliers);  PATH: IDX, .npy, PNG folder / .txt, .ndjson\n' +
        '--loss oe (λ = 0.5) or energy (margins from the base model). Images: SGD + momentum; text: Adam.',
    )
    .requiredOption(
      '--from <dir>',
      'the classifier to start from (e.g. zoo/fashion-mnist-classifier-baseline)',
    )
    .requiredOption('--outliers <source>', 'generated | noise | natural | none | PATH')
    .addOption(
      new Option('--loss <loss>', 'OE loss or energy-bounded loss').choices(['oe', 'energy']).default('oe'),
    )
    .option(
      '--sigma2 <x>',
      "latent variance σ² for generated outliers (default: the generator's, 50)",
      nonNegativeNumber,
    )
    .option(
      '--temperature <x>',
      "softmax temperature T of generated text outliers (default: the LM's, 2)",
      positiveNumber,
    )
    .option(
      '--generator <id|dir>',
      'generator for --outliers generated (default: fashion-mnist-cgan / brown-lm)',
    )
    .option(
      '--outlier-count <n>',
      'distinct outliers to cycle through (default: 60000 images / 5000 texts)',
      positiveInt,
    )
    .option('--epochs <n>', 'epochs over the in-distribution data', positiveInt, 1)
    .option('--batch <n>', 'in-distribution images per step', positiveInt, 128)
    .option('--outlier-batch <n>', 'outliers per step', positiveInt, 128)
    .option('--lr <x>', 'initial learning rate, cosine to 0 (default: SGD 0.01 / Adam 5e-4)', positiveNumber)
    .option('--seed <n>', 'seed of batches and outliers (uint32)', uint32, 0)
    .option(
      '--limit <n>',
      'fine-tune on a seeded subset of this many training images (smoke tests)',
      positiveInt,
    )
    .option(
      '--workers <n>',
      "data-parallel compute workers: each step's batch is split over them and their gradients averaged (1 = this thread)",
      positiveInt,
      1,
    )
    .requiredOption('--out <dir>', 'output folder')
    .action(async (o: Opts) => {
      await initBackend();
      const base = await loadClassifier(o.from);
      const text = base.manifest.input === 'token-ids';
      if (text && o.sigma2 !== undefined)
        throw new Error('--sigma2 is for image generators; text outliers take --temperature');
      if (!text && o.temperature !== undefined)
        throw new Error('--temperature is for text generators; images take --sigma2');
      const lr = o.lr ?? (text ? 5e-4 : 0.01);
      const generator = o.generator ?? (text ? 'brown-lm' : 'fashion-mnist-cgan');
      const outlierCount = o.outlierCount ?? (text ? 5000 : 60_000);
      const knob = text
        ? o.temperature !== undefined
          ? ` --temperature ${o.temperature}`
          : ''
        : o.sigma2 !== undefined
          ? ` --sigma2 ${o.sigma2}`
          : '';
      const command =
        `goe finetune --from ${o.from} --outliers ${o.outliers} --loss ${o.loss}` +
        `${knob} --generator ${generator} --outlier-count ${outlierCount} --epochs ${o.epochs}` +
        ` --batch ${o.batch} --outlier-batch ${o.outlierBatch} --lr ${lr} --seed ${o.seed}` +
        `${o.limit ? ` --limit ${o.limit}` : ''}${o.workers > 1 ? ` --workers ${o.workers}` : ''} --out ${o.out}`;
      const bar = progressBar(0, 'finetune', `loss {loss} {rate} ${text ? 'windows' : 'img'}/s`);
      const clf = await withAbort((signal) =>
        finetune(base, {
          outliers: {
            source: o.outliers,
            count: outlierCount,
            seed: o.seed,
            generator,
            sigma2: o.sigma2,
            temperature: o.temperature,
          },
          loss: o.loss,
          epochs: o.epochs,
          batchSize: o.batch,
          outlierBatch: o.outlierBatch,
          lr,
          seed: o.seed,
          limit: o.limit,
          workers: o.workers,
          id: o.out.replace(/\/+$/, '').split('/').pop()!,
          command,
          signal,
          onPool: (name, count) => note(`outliers: ${count} × ${name}`),
          onProgress: (p) =>
            bar.update(p.step, { total: p.steps, loss: p.loss.toFixed(3), rate: p.samplesPerSec.toFixed(0) }),
        }),
      );
      bar.stop();
      const m = await saveClassifier(o.out, clf);
      note(`test accuracy ${Number(m.metrics?.testAccuracy).toFixed(2)}%; wrote ${o.out}/manifest.json`);
    });
}
