import { type Command, Option } from 'commander';
import { initBackend } from '../../runtime/backend/index.js';
import { saveClassifier } from '../../trainer/classifier.js';
import { type InDistributionName, inDistributionNames } from '../../trainer/in-distribution.js';
import { architectures } from '../../trainer/models/index.js';
import { trainBaseline } from '../../trainer/train-baseline.js';
import { note } from '../output.js';
import { positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

/** Per data set: backbone, epochs, batch and learning rate (SGD for images, Adam for text). */
const defaults = {
  'fashion-mnist': { arch: 'small-cnn', epochs: 5, batch: 128, lr: 0.02 },
  mnist: { arch: 'small-cnn', epochs: 5, batch: 128, lr: 0.02 },
  brown: { arch: 'gru', epochs: 3, batch: 64, lr: 2e-3 },
} as const;

interface Opts {
  data: InDistributionName;
  out: string;
  arch?: 'small-cnn' | 'wrn' | 'gru';
  epochs?: number;
  batch?: number;
  lr?: number;
  length: number;
  seed: number;
  limit?: number;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .summary('train the in-distribution classifier (the baseline)')
    .description(
      'train the in-distribution classifier (the baseline) with cross-entropy and a cosine schedule:\n' +
        '  --data fashion-mnist  small CNN (or --arch wrn), SGD + momentum 0.9; defaults 5 epochs, batch 128, lr 0.02\n' +
        '  --data brown          embedding + GRU over 64-token windows of 4 Brown genre groups, Adam;\n' +
        '                        defaults 3 epochs, batch 64, lr 2e-3; DIR/vocab.json holds its vocabulary\n' +
        'Writes DIR/weights.safetensors and DIR/manifest.json (test accuracy, energy margins for `goe finetune`).',
    )
    .addOption(
      new Option('--data <name>', 'in-distribution data')
        .choices([...inDistributionNames])
        .default('fashion-mnist'),
    )
    .requiredOption('--out <dir>', 'output folder')
    .addOption(
      new Option('--arch <arch>', "backbone (default: the data set's)").choices([...architectures, 'gru']),
    )
    .option('--epochs <n>', 'epochs', positiveInt)
    .option('--batch <n>', 'batch size', positiveInt)
    .option('--lr <x>', 'initial learning rate', positiveNumber)
    .option('--length <n>', 'tokens per Brown window (text only)', positiveInt, 64)
    .option('--seed <n>', 'seed (uint32)', uint32, 0)
    .option('--limit <n>', 'train on a seeded subset of this many rows (smoke tests)', positiveInt)
    .action(async (opts: Opts) => {
      const d = defaults[opts.data];
      const o = {
        ...opts,
        arch: opts.arch ?? d.arch,
        epochs: opts.epochs ?? d.epochs,
        batch: opts.batch ?? d.batch,
        lr: opts.lr ?? d.lr,
      };
      if ((o.arch === 'gru') !== (o.data === 'brown')) {
        throw new Error(`--arch ${o.arch} does not read ${o.data} (text needs gru, images small-cnn or wrn)`);
      }
      await initBackend();
      const unit = o.data === 'brown' ? 'windows/s' : 'img/s';
      const bar = progressBar(0, 'train', `loss {loss} {rate} ${unit}`);
      const command = `goe train --data ${o.data} --out ${o.out} --arch ${o.arch} --epochs ${o.epochs} --batch ${o.batch} --lr ${o.lr}${o.data === 'brown' && o.length !== 64 ? ` --length ${o.length}` : ''} --seed ${o.seed}${o.limit ? ` --limit ${o.limit}` : ''}`;
      const clf = await withAbort((signal) =>
        trainBaseline({
          ...o,
          batchSize: o.batch,
          id: o.out.replace(/\/+$/, '').split('/').pop(),
          command,
          signal,
          onProgress: (p) =>
            bar.update(p.step, {
              total: p.steps,
              loss: p.loss.toFixed(3),
              rate: p.samplesPerSec.toFixed(0),
            }),
        }),
      );
      bar.stop();
      const m = await saveClassifier(o.out, clf);
      note(
        `test accuracy ${Number(m.metrics?.testAccuracy).toFixed(2)}%; wrote ${o.out}/manifest.json (${m.weights.digest})`,
      );
    });
}
