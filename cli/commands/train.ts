import { type Command, Option } from 'commander';
import { initBackend } from '../../runtime/backend/index.js';
import { saveClassifier } from '../../trainer/classifier.js';
import { architectures } from '../../trainer/models/index.js';
import { trainBaseline } from '../../trainer/train-baseline.js';
import { note } from '../output.js';
import { positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .summary('train the in-distribution classifier (the baseline)')
    .description(
      'train the in-distribution classifier (the baseline) on Fashion-MNIST: SGD, momentum 0.9, cosine decay.\n' +
        'Writes DIR/weights.safetensors and DIR/manifest.json (test accuracy, energy margins for `goe finetune`).',
    )
    .addOption(
      new Option('--data <name>', 'in-distribution data').choices(['fashion-mnist']).default('fashion-mnist'),
    )
    .requiredOption('--out <dir>', 'output folder')
    .addOption(new Option('--arch <arch>', 'backbone').choices([...architectures]).default('small-cnn'))
    .option('--epochs <n>', 'epochs', positiveInt, 5)
    .option('--batch <n>', 'batch size', positiveInt, 128)
    .option('--lr <x>', 'initial learning rate', positiveNumber, 0.02)
    .option('--seed <n>', 'seed (uint32)', uint32, 0)
    .option('--limit <n>', 'train on a seeded subset of this many images (smoke tests)', positiveInt)
    .action(
      async (o: {
        out: string;
        arch: 'small-cnn' | 'wrn';
        epochs: number;
        batch: number;
        lr: number;
        seed: number;
        limit?: number;
      }) => {
        await initBackend();
        const bar = progressBar(0, 'train', 'loss {loss} {rate} img/s');
        const command = `goe train --data fashion-mnist --out ${o.out} --arch ${o.arch} --epochs ${o.epochs} --batch ${o.batch} --lr ${o.lr} --seed ${o.seed}${o.limit ? ` --limit ${o.limit}` : ''}`;
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
      },
    );
}
