import { type Command, Option } from 'commander';
import { type FinetuneRunOptions, finetuneRun } from '../../trainer/runs.js';
import { note } from '../output.js';
import { nonNegativeNumber, positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

export function registerFinetune(program: Command): void {
  program
    .command('finetune')
    .summary('Outlier Exposure fine-tuning with generated, noise, natural or your outliers')
    .description(
      'Outlier Exposure fine-tuning of a trained classifier on the data it was trained on (Fashion-MNIST,\n' +
        'Brown, or the --data PATH it was trained on: its manifest knows). --outliers is one of:\n' +
        '  - generated: GOE, samples of --generator (images: the cGAN at --sigma2; text: the LM at --temperature)\n' +
        '  - noise: uniform pixels / uniform random tokens\n' +
        '  - natural: photo crops / WordNet glosses\n' +
        '  - none: the control, the same schedule without outliers\n' +
        '  - PATH: images (ImageFolder, IDX, .npy, PNG/JPEG folder) or texts (.txt, .ndjson)\n' +
        '  - a mixture PART,PART…, PART = SOURCE[:sigma2=X|:temperature=X|:generator=ID][:WEIGHT], e.g.\n' +
        '    generated:sigma2=5,generated:sigma2=50,noise:0.5: every outlier batch holds each part in proportion to its weight (default 1), deterministic per --seed\n' +
        '\n' +
        '--loss oe (λ = 0.5, --oe-lambda) or energy (margins from the base model, λ_E = 0.1, --energy-lambda). Images: SGD + momentum; text: Adam.',
    )
    .requiredOption(
      '--from <dir>',
      'the classifier to start from (e.g. zoo/fashion-mnist-classifier-baseline)',
    )
    .requiredOption(
      '--outliers <source>',
      'generated | noise | natural | none | PATH, or a mixture PART,PART…',
    )
    .addOption(
      new Option('--loss <loss>', 'OE loss or energy-bounded loss').choices(['oe', 'energy']).default('oe'),
    )
    .option(
      '--oe-lambda <x>',
      'λ of the OE loss, CE + λ·CE(outliers → uniform) (default 0.5; smaller keeps more accuracy, detects less)',
      positiveNumber,
    )
    .option(
      '--energy-lambda <x>',
      "λ_E of the energy loss, CE + λ_E·(relu(E_in − m_in)² + relu(m_out − E_out)²) (default: the base model's, 0.1)",
      positiveNumber,
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
    .option('--batch <n>', 'in-distribution rows (images or text windows) per step', positiveInt, 128)
    .option('--outlier-batch <n>', 'outliers per step', positiveInt, 128)
    .option('--lr <x>', 'initial learning rate, cosine to 0 (default: SGD 0.01 / Adam 5e-4)', positiveNumber)
    .option('--seed <n>', 'seed of batches and outliers (uint32)', uint32, 0)
    .option(
      '--limit <n>',
      'fine-tune on a seeded subset of this many training rows (smoke tests)',
      positiveInt,
    )
    .option(
      '--workers <n>',
      "data-parallel compute workers: each step's batch is split over them and their gradients averaged (1 = this thread)",
      positiveInt,
      1,
    )
    .requiredOption('--out <dir>', 'output folder')
    .action(async (o: FinetuneRunOptions) => {
      const bar = progressBar(0, 'finetune', 'loss {loss} {rate} rows/s');
      const m = await withAbort((signal) =>
        finetuneRun(o, {
          signal,
          onPool: (name, count) => note(`outliers: ${count} × ${name}`),
          onProgress: (p) =>
            bar.update(p.step, { total: p.steps, loss: p.loss.toFixed(3), rate: p.samplesPerSec.toFixed(0) }),
        }),
      ).finally(() => bar.stop());
      note(`test accuracy ${Number(m.metrics?.testAccuracy).toFixed(2)}%; wrote ${o.out}/manifest.json`);
    });
}
