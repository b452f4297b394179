import { extname } from 'node:path';
import type { Command } from 'commander';
import type { ImageBatch } from '../../generators/cgan/index.js';
import { type GeneratorManifest, readManifest } from '../../generators/manifest.js';
import { generatorRef, RowPool } from '../../generators/pool/index.js';
import { resolveClasses, resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { encodeChunks, type ImageFormat, imageEncoder, PNG_MAX_COUNT } from '../../runtime/encoders/index.js';
import { note } from '../output.js';
import { nonNegativeNumber, positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { checkedSetting, sampleText } from './sample-text.js';

interface Opts {
  model: string;
  sigma2?: number;
  temperature?: number;
  classes?: string;
  count: number;
  seed: number;
  start: number;
  out: string;
  float32?: boolean;
  unk?: boolean;
}

/** `--out` extension → the encoder that writes it. */
const FORMATS: Readonly<Record<string, ImageFormat>> = {
  '.npy': 'npy',
  '.npz': 'npz',
  '.safetensors': 'safetensors',
  '.png': 'png',
};

export function registerSample(program: Command): void {
  program
    .command('sample')
    .summary(
      'draw outliers from a generator: images at variance σ² (.npy, .npz, .safetensors, .png), text at temperature T (.ndjson, .txt)',
    )
    .description(
      // One paragraph per line: Commander wraps each to the terminal's width.
      [
        'Draw outliers from a generator. Classes are uniform over --classes, and sample i depends only on (model, σ² or T, classes, seed, i), so --start k gives samples k… of the same stream.',
        '',
        'Image models (e.g. fashion-mnist-cgan): z ~ N(0, σ²I). --out .npy (uint8 N×H×W×C, or float32 in [0, 1] with --float32), .npz (images + classes + indices: np.load reads it alone), .safetensors (images + classes) or .png (a labelled grid).',
        '',
        "Text models (e.g. brown-lm): tokens drawn from softmax(logits / T). --out .ndjson (one row per line, {index, class, label, text, tokens}, as the API sends them) or .txt (one sample's text per line).",
      ].join('\n'),
    )
    .requiredOption('--model <id|dir>', 'zoo id (e.g. fashion-mnist-cgan, brown-lm) or a model folder')
    .option('--sigma2 <x>', "image models: latent variance σ² (default: the model's, 50)", nonNegativeNumber)
    .option(
      '--temperature <T>',
      "text models: sampling temperature T > 0 (default: the model's, 2)",
      positiveNumber,
    )
    .option('--classes <list>', 'class indices or names, comma-separated (default: all)')
    .option('--count <n>', 'number of samples', positiveInt, 1000)
    .option('--seed <n>', 'seed (uint32; 0 is a seed)', uint32, 0)
    .option('--start <n>', 'index of the first sample (a slice of the same stream)', uint32, 0)
    .requiredOption(
      '--out <file>',
      'output file: .npy, .npz, .safetensors or .png (images); .ndjson or .txt (text)',
    )
    .option('--float32', 'image models: write float32 pixels in [0, 1] instead of uint8')
    .option('--no-unk', 'text models: never draw <unk> (fluent low-temperature samples)')
    .action(async (o: Opts) => {
      const dir = resolveModelDir(o.model);
      const manifest = await readManifest(dir);
      if (manifest.modality === 'text') {
        await sampleText(dir, manifest, o);
        return;
      }
      if (o.temperature !== undefined) {
        throw new Error(
          `--temperature applies to text models; ${manifest.id} is an image model (use --sigma2)`,
        );
      }
      if (o.unk === false)
        throw new Error(`--no-unk applies to text models; ${manifest.id} is an image model`);
      const format = extname(o.out).toLowerCase();
      if (!Object.hasOwn(FORMATS, format)) {
        throw new Error(`--out must end in .npy, .npz, .safetensors or .png, got "${o.out}"`);
      }
      if (format === '.png' && o.count > PNG_MAX_COUNT) {
        throw new Error(`a PNG grid holds at most ${PNG_MAX_COUNT} samples; use .npy for ${o.count}`);
      }
      if (manifest.classes.length === 0 && o.classes !== undefined) {
        throw new Error(`--classes applies to class-conditional models; ${manifest.id} is unconditional`);
      }
      const sigma2 = checkedSetting(manifest, o.sigma2);
      const classes = resolveClasses(
        o.classes?.split(',').map((s) => s.trim()),
        manifest.classes,
      );
      const rowShape = manifest.shape;
      const dtype = o.float32 && format !== '.png' ? 'float32' : 'uint8';
      // Rows are computed on the compute workers (GOE_WORKERS) and come back in order.
      const pool = new RowPool();
      const batches = imageRows(pool, dir, manifest, {
        sigma2,
        classes,
        seed: o.seed,
        start: o.start,
        count: o.count,
        dtype,
      });
      const bar = progressBar(o.count, 'sample');
      const encoder = imageEncoder(FORMATS[format], {
        count: o.count,
        rowShape,
        dtype,
        labels: manifest.classes,
        metadata: {
          model: manifest.id,
          digest: manifest.weights.digest,
          seed: o.seed,
          start: o.start,
          sigma2,
        },
      });
      async function* counted() {
        for await (const b of batches) {
          yield b;
          bar.update(b.start - o.start + b.count);
        }
      }
      // The API's encoders, streamed to a temp file and renamed: memory stays at about one batch
      // whatever --count is (the PNG grid gathers its ≤ 1024 rows), and a failed run leaves no file.
      try {
        await writeFileAtomic(o.out, encodeChunks(counted(), encoder));
      } finally {
        bar.stop();
        await pool.close();
      }
      note(`wrote ${o.count} samples of ${manifest.id} at σ²=${sigma2} (seed ${o.seed}) to ${o.out}`);
    });
}

/** The image rows of the model in `dir` from `pool`, in order. */
async function* imageRows(
  pool: RowPool,
  dir: string,
  manifest: GeneratorManifest,
  p: {
    sigma2: number;
    classes: number[];
    seed: number;
    start: number;
    count: number;
    dtype: 'uint8' | 'float32';
  },
): AsyncGenerator<ImageBatch> {
  const ref = generatorRef(dir, manifest);
  const params = {
    modality: 'image',
    sigma2: p.sigma2,
    classes: p.classes,
    seed: p.seed,
    dtype: p.dtype,
  } as const;
  for await (const b of pool.rows(ref, params, p.start, p.count)) yield b as ImageBatch;
}
