import { type Command, Option } from 'commander';
import { isTextSourcePath } from '../../trainer/datasets/sources/text-source.js';
import { inDistributionNames } from '../../trainer/in-distribution.js';
import { architectures } from '../../trainer/models/index.js';
import { type TrainRunOptions, trainRun } from '../../trainer/runs.js';
import { note } from '../output.js';
import { positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';
import { addDataSourceOptions, channelsOf, type DataSourceFlags, noteSource } from './data.js';

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .summary('train the in-distribution classifier (the baseline)')
    .description(
      'train the in-distribution classifier (the baseline) with cross-entropy and a cosine schedule:\n' +
        '  --data fashion-mnist  the PyTorch reference CNN (or --arch small-cnn, ~1/8 the compute; or wrn), SGD +\n' +
        '                        momentum 0.9; defaults 5 epochs, batch 128, lr 0.05 (--optimizer adam: lr 1e-3)\n' +
        '  --data mnist          the small CNN, SGD + momentum 0.9, 5 epochs, batch 128, lr 0.02, on the MNIST test\n' +
        '                        set split 8,000 / 2,000 (seeded; goe reproduce byo)\n' +
        '  --data brown          embedding + GRU over 64-token windows of 4 Brown genre groups, Adam;\n' +
        '                        defaults 3 epochs, batch 64, lr 2e-3; DIR/vocab.json holds its vocabulary\n' +
        '  --data PATH           your labelled images (ImageFolder tree, .npy or IDX images + labels; see\n' +
        '                        `goe data inspect`) at --size/--channels (default: their most common); small CNN,\n' +
        '                        defaults as MNIST; the manifest records shape, classes and data digest\n' +
        '  --data PATH (texts)   your labelled texts (a folder per class of .txt, JSONL {text, label}, CSV text,label):\n' +
        '                        GRU over --length-token windows, vocabulary from the training split, seeded split by\n' +
        '                        document (--test-split); defaults as Brown\n' +
        'Writes DIR/weights.safetensors and DIR/manifest.json (test accuracy, energy margins for `goe finetune`).',
    )
    .option(
      '--data <name|path>',
      `in-distribution data: ${inDistributionNames.join(', ')} or a PATH`,
      'fashion-mnist',
    )
    .requiredOption('--out <dir>', 'output folder')
    .addOption(
      new Option('--arch <arch>', "backbone (default: the data set's)").choices([...architectures, 'gru']),
    )
    .addOption(
      new Option(
        '--optimizer <name>',
        "sgd (momentum 0.9) or adam, both with a cosine schedule to 0 (default: the data set's)",
      ).choices(['sgd', 'adam']),
    )
    .option('--epochs <n>', 'epochs', positiveInt)
    .option('--batch <n>', 'batch size', positiveInt)
    .option(
      '--lr <x>',
      "initial learning rate (default: the data set's, or sgd 0.02 / adam 1e-3)",
      positiveNumber,
    )
    .option('--length <n>', 'tokens per Brown window (text only)', positiveInt, 64)
    .option('--seed <n>', 'seed (uint32)', uint32, 0)
    .option('--limit <n>', 'train on a seeded subset of this many rows (smoke tests)', positiveInt)
    .option(
      '--workers <n>',
      "data-parallel compute workers: each step's batch is split over them and their gradients averaged (1 = this thread)",
      positiveInt,
      1,
    );
  addDataSourceOptions(cmd).action(
    async (o: Omit<TrainRunOptions, 'channels'> & Omit<DataSourceFlags, 'seed'>) => {
      const unit = o.data === 'brown' || isTextSourcePath(o.data) ? 'windows/s' : 'img/s';
      const decode = progressBar(0, 'decode');
      const bar = progressBar(0, 'train', `loss {loss} {rate} ${unit}`);
      const m = await withAbort((signal) =>
        trainRun(
          { ...o, channels: channelsOf(o) },
          {
            signal,
            onDecode: (done, total) => decode.update(done, { total }),
            onSource: (source) => {
              decode.stop();
              noteSource(source);
            },
            onProgress: (p) =>
              bar.update(p.step, {
                total: p.steps,
                loss: p.loss.toFixed(3),
                rate: p.samplesPerSec.toFixed(0),
              }),
          },
        ),
      ).finally(() => {
        decode.stop();
        bar.stop();
      });
      note(
        `test accuracy ${Number(m.metrics?.testAccuracy).toFixed(2)}%; wrote ${o.out}/manifest.json (${m.weights.digest})`,
      );
    },
  );
}
