import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { defaultCganConfig } from '../../generators/cgan/index.js';
import { trainCganRun } from '../../trainer/generator-run.js';
import { type GeneratorRunOptions, generatorCommand } from '../generator-command.js';
import { note } from '../output.js';
import { positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';
import { addDataSourceOptions, channelsOf, type DataSourceFlags, noteSource } from './data.js';

interface Opts extends GeneratorRunOptions, Omit<DataSourceFlags, 'seed'> {
  kind: 'cgan' | 'lm';
  data?: string;
  latent: number;
  width: number;
  loss: 'ns' | 'hinge';
  checkpointEvery: number;
  fresh?: boolean;
  workers: number;
}

/** Defaults that differ between the two kinds (commander takes one default per option). */
const kindDefaults = {
  cgan: { steps: 2000, batch: 64, lr: 2e-4 },
  lm: { steps: 1000, batch: 32, lr: 1e-3 },
} as const;

export function registerTrainGenerator(program: Command): void {
  const cmd = program
    .command('train-generator')
    .summary('train a generator: a class-conditional GAN (images) or language model (text); resumable')
    .description(
      'train a generator. --kind cgan: a class-conditional GAN on Fashion-MNIST or --data PATH (your labelled\n' +
        'images at --size/--channels; stride-2 stages sized for the row shape: 28×28 from 7×7, 32×32 and 64×64 from\n' +
        '4×4; writes DIR/generator.safetensors, DIR/samples.png; the manifest records shape, classes, data digest).\n' +
        '--kind lm --data brown: a class-conditional Transformer LM on the Brown corpus\n' +
        '(2 layers, d = 200, 2 heads, ff 200, dropout 0.2; genre token first; writes DIR/lm.safetensors, DIR/vocab.json,\n' +
        'its held-out perplexity and DIR/samples.txt). Both checkpoint every --checkpoint-every steps and resume\n' +
        'from DIR/checkpoint when run again (Ctrl-C saves one); DIR/manifest.json records data, command, steps, seed.',
    )
    .addOption(new Option('--kind <kind>', 'generator kind').choices(['cgan', 'lm']).default('cgan'))
    .option(
      '--data <name|path>',
      'training data (cgan: fashion-mnist or the PATH of your labelled images, see `goe data inspect`; lm: brown)',
    )
    .requiredOption('--out <dir>', 'output folder (a zoo entry, e.g. zoo/fashion-mnist-cgan)')
    .option('--id <id>', 'model id in the manifest (default: the folder name)')
    .option('--steps <n>', 'total training steps (default: cgan 2000, lm 1000)', positiveInt)
    .option('--batch <n>', 'images (cgan, default 64) or sequences (lm, default 32) per step', positiveInt)
    .option('--seed <n>', 'seed of initialisation, batches and latents (uint32)', uint32, 0)
    .option(
      '--lr <x>',
      'Adam learning rate (cgan: 2e-4, β = 0.5, 0.999; lm: 1e-3 peak, warm-up + cosine)',
      positiveNumber,
    )
    .option('--latent <n>', 'latent size', positiveInt, defaultCganConfig.latentDim)
    .option(
      '--width <n>',
      'channel width of generator and discriminator',
      positiveInt,
      defaultCganConfig.gWidth,
    )
    .addOption(new Option('--loss <loss>', 'GAN loss').choices(['ns', 'hinge']).default('ns'))
    .option('--checkpoint-every <n>', 'steps between checkpoints', positiveInt, 100)
    .option('--fresh', 'ignore an existing checkpoint in --out and start over')
    .option(
      '--workers <n>',
      "data-parallel compute workers, each step's rows split over them (cgan: the discriminator's work; lm: the whole step; must divide --batch; 1 = this thread)",
      positiveInt,
      1,
    )
    .action(async (opts: Opts) => {
      const o = { ...kindDefaults[opts.kind], ...definedOnly(opts) } as Opts;
      if (o.workers > 1 && o.batch % o.workers !== 0) {
        throw new Error(`--workers ${o.workers} must divide --batch ${o.batch}`);
      }
      if (o.kind === 'lm') {
        if (o.data && o.data !== 'brown') throw new Error(`--kind lm trains on --data brown, not ${o.data}`);
        const { trainBrownLm } = await import('./train-lm.js');
        await trainBrownLm(o);
        return;
      }
      const source = o.data ?? 'fashion-mnist';
      if (source === 'brown')
        throw new Error('--kind cgan trains on images (fashion-mnist or a PATH), not brown');
      const decode = progressBar(0, 'decode');
      const bar = progressBar(o.steps, 'train-generator', 'D {lossD} G {lossG} {rate} img/s');
      const result = await withAbort(
        (signal) =>
          trainCganRun(
            {
              ...o,
              data: source,
              channels: channelsOf(o),
              command: generatorCommand('cgan', source, o, {
                latent: o.latent,
                width: o.width,
                loss: o.loss,
                size: o.size,
                channels: o.channels,
                testSplit: o.testSplit,
                labels: o.labels,
              }),
            },
            {
              signal,
              onDecode: (done, total) => decode.update(done, { total }),
              onSource: (s) => {
                decode.stop();
                noteSource(s);
              },
              onProgress: (p) =>
                bar.update(p.step, {
                  lossD: p.lossD.toFixed(3),
                  lossG: p.lossG.toFixed(3),
                  rate: p.imagesPerSec.toFixed(0),
                }),
            },
          ),
        { resumable: true },
      ).finally(() => {
        decode.stop();
        bar.stop();
      });
      if ('stoppedAt' in result) {
        note(
          `stopped at step ${result.stoppedAt}/${o.steps}; checkpoint saved in ${join(o.out, 'checkpoint')}`,
        );
        process.exitCode = 130;
        return;
      }
      const m = result.manifest;
      note(
        `wrote ${join(o.out, 'manifest.json')} (${m.shape.join('×')}, ${m.classes.length} classes, ${m.weights.digest}) and samples.png`,
      );
    });
  addDataSourceOptions(cmd);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
