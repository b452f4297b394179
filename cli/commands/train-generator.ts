import { cpus } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { defaultCganConfig, exportCgan, sampleImages, trainCgan } from '../../generators/cgan/index.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { initBackend } from '../../runtime/backend/index.js';
import { encodeGridPng } from '../../runtime/codecs/index.js';
import { loadFashionMnist } from '../../trainer/datasets/fashion-mnist.js';
import { type GeneratorRunOptions, generatorCommand } from '../generator-command.js';
import { note } from '../output.js';
import { positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

interface Opts extends GeneratorRunOptions {
  kind: 'cgan' | 'lm';
  data: 'fashion-mnist' | 'brown';
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
  program
    .command('train-generator')
    .summary('train a generator: a class-conditional GAN (images) or language model (text); resumable')
    .description(
      'train a generator. --kind cgan: a class-conditional GAN on Fashion-MNIST (writes DIR/generator.safetensors\n' +
        'and DIR/samples.png). --kind lm --data brown: a class-conditional Transformer LM on the Brown corpus\n' +
        '(2 layers, d = 200, 2 heads, ff 200, dropout 0.2; genre token first; writes DIR/lm.safetensors, DIR/vocab.json,\n' +
        'its held-out perplexity and DIR/samples.txt). Both checkpoint every --checkpoint-every steps and resume\n' +
        'from DIR/checkpoint when run again (Ctrl-C saves one); DIR/manifest.json records data, command, steps, seed.',
    )
    .addOption(new Option('--kind <kind>', 'generator kind').choices(['cgan', 'lm']).default('cgan'))
    .addOption(
      new Option('--data <name>', 'training data (cgan: fashion-mnist; lm: brown)').choices([
        'fashion-mnist',
        'brown',
      ]),
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
      "cgan: data-parallel compute workers, each step's discriminator work split over them (must divide --batch; 1 = this thread)",
      positiveInt,
      1,
    )
    .action(async (opts: Opts) => {
      const o = { ...kindDefaults[opts.kind], ...definedOnly(opts) } as Opts;
      if (o.kind === 'lm' && o.workers > 1) {
        throw new Error(
          `--workers ${o.workers}: data-parallel training is for --kind cgan; the LM trains on one thread`,
        );
      }
      if (o.workers > 1 && o.batch % o.workers !== 0) {
        throw new Error(`--workers ${o.workers} must divide --batch ${o.batch}`);
      }
      if (o.kind === 'lm') {
        if (o.data && o.data !== 'brown') throw new Error(`--kind lm trains on --data brown, not ${o.data}`);
        const { trainBrownLm } = await import('./train-lm.js');
        await trainBrownLm(o);
        return;
      }
      if (o.data && o.data !== 'fashion-mnist')
        throw new Error(`--kind cgan trains on --data fashion-mnist, not ${o.data}`);
      if (o.latent < 64) throw new Error(`--latent must be ≥ 64 (the generator's contract), got ${o.latent}`);
      const backend = await initBackend();
      const train = loadFashionMnist('train');
      const config = {
        ...defaultCganConfig,
        latentDim: o.latent,
        gWidth: o.width,
        dWidth: o.width,
        loss: o.loss,
      };
      const bar = progressBar(o.steps, 'train-generator', 'D {lossD} G {lossG} {rate} img/s');
      const run = await withAbort(
        (signal) =>
          trainCgan(
            { images: train.images, labels: train.labels!, shape: train.shape },
            {
              config,
              outDir: o.out,
              steps: o.steps,
              batchSize: o.batch,
              seed: o.seed,
              learningRate: o.lr,
              beta1: 0.5,
              beta2: 0.999,
              checkpointEvery: o.checkpointEvery,
              fresh: o.fresh,
              workers: o.workers,
              signal,
              onProgress: (p) =>
                bar.update(p.step, {
                  lossD: p.lossD.toFixed(3),
                  lossG: p.lossG.toFixed(3),
                  rate: p.imagesPerSec.toFixed(0),
                }),
            },
          ),
        { resumable: true },
      );
      bar.stop();
      if (run.step < o.steps) {
        note(`stopped at step ${run.step}/${o.steps}; checkpoint saved in ${join(o.out, 'checkpoint')}`);
        process.exitCode = 130;
        return;
      }
      const id = o.id ?? o.out.replace(/\/+$/, '').split('/').pop()!;
      const command = generatorCommand('cgan', 'fashion-mnist', o, {
        latent: o.latent,
        width: o.width,
        loss: o.loss,
      });
      const manifest = await exportCgan(o.out, run.generator, config, {
        id,
        classes: [...(train.classNames ?? [])],
        provenance: {
          data: 'Fashion-MNIST train (60,000 images), Debian dataset-fashion-mnist',
          command,
          steps: run.step,
          seed: o.seed,
          trainSeconds: Math.round(run.seconds),
          machine: `${cpus().length} cores, TF.js ${backend.choice}`,
          createdAt: new Date().toISOString(),
        },
        metrics: { finalLossD: run.lossD, finalLossG: run.lossG },
      });
      // A first look: ten samples per class at σ² = 1, one row per class.
      const rows: Uint8Array[] = [];
      const labels: string[] = [];
      for (let k = 0; k < config.numClasses; k++) {
        for await (const b of sampleImages(run.generator, config, {
          sigma2: 1,
          classes: [k],
          seed: 0,
          count: 10,
        })) {
          rows.push(b.data as Uint8Array);
        }
        labels.push(...Array.from({ length: 10 }, (_, i) => (i === 0 ? manifest.classes[k] : '')));
      }
      const all = new Uint8Array(rows.reduce((s, r) => s + r.length, 0));
      let off = 0;
      for (const r of rows) {
        all.set(r, off);
        off += r.length;
      }
      await writeFileAtomic(
        join(o.out, 'samples.png'),
        encodeGridPng(all, [100, 28, 28, 1], { cols: 10, labels }),
      );
      note(`wrote ${join(o.out, 'manifest.json')} (${manifest.weights.digest}) and samples.png`);
    });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
