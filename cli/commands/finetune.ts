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
  generator: string;
  outlierCount: number;
  epochs: number;
  batch: number;
  outlierBatch: number;
  lr: number;
  seed: number;
  limit?: number;
  out: string;
}

export function registerFinetune(program: Command): void {
  program
    .command('finetune')
    .summary('Outlier Exposure fine-tuning with generated, noise, natural or your outliers')
    .description(
      'Outlier Exposure fine-tuning of a trained classifier. --outliers: generated (GOE: samples of --generator\n' +
        'at --sigma2), noise (uniform), natural (photo crops), none (the control: same schedule, no outliers),\n' +
        'or a path (IDX, .npy, folder of PNGs). --loss oe (λ = 0.5) or energy (margins from the base model).',
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
    .option('--generator <id|dir>', 'generator for --outliers generated', 'fashion-mnist-cgan')
    .option('--outlier-count <n>', 'distinct outliers to cycle through', positiveInt, 60_000)
    .option('--epochs <n>', 'epochs over the in-distribution data', positiveInt, 1)
    .option('--batch <n>', 'in-distribution images per step', positiveInt, 128)
    .option('--outlier-batch <n>', 'outliers per step', positiveInt, 128)
    .option('--lr <x>', 'initial learning rate (cosine to 0)', positiveNumber, 0.01)
    .option('--seed <n>', 'seed of batches and outliers (uint32)', uint32, 0)
    .option(
      '--limit <n>',
      'fine-tune on a seeded subset of this many training images (smoke tests)',
      positiveInt,
    )
    .requiredOption('--out <dir>', 'output folder')
    .action(async (o: Opts) => {
      await initBackend();
      const base = await loadClassifier(o.from);
      const command =
        `goe finetune --from ${o.from} --outliers ${o.outliers} --loss ${o.loss}` +
        `${o.sigma2 !== undefined ? ` --sigma2 ${o.sigma2}` : ''} --outlier-count ${o.outlierCount} --epochs ${o.epochs}` +
        ` --batch ${o.batch} --outlier-batch ${o.outlierBatch} --lr ${o.lr} --seed ${o.seed}` +
        `${o.limit ? ` --limit ${o.limit}` : ''} --out ${o.out}`;
      const bar = progressBar(0, 'finetune', 'loss {loss} {rate} img/s');
      const clf = await withAbort((signal) =>
        finetune(base, {
          outliers: {
            source: o.outliers,
            count: o.outlierCount,
            seed: o.seed,
            generator: o.generator,
            sigma2: o.sigma2,
          },
          loss: o.loss,
          epochs: o.epochs,
          batchSize: o.batch,
          outlierBatch: o.outlierBatch,
          lr: o.lr,
          seed: o.seed,
          limit: o.limit,
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
