import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { loadGenerator } from '../../generators/load.js';
import { readManifest } from '../../generators/manifest.js';
import { resolveClasses, resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../generators/weights.js';
import { initBackend } from '../../runtime/backend/index.js';
import { encodeGridPng, NpyWriter, SafetensorsWriter } from '../../runtime/codecs/index.js';
import { note } from '../output.js';
import { nonNegativeNumber, positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { sampleText } from './sample-text.js';

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

const PNG_LIMIT = 1024;
const IMAGE_FORMATS = ['.npy', '.safetensors', '.png'];

export function registerSample(program: Command): void {
  program
    .command('sample')
    .summary(
      'draw outliers from a generator: images at variance σ² (.npy, .safetensors, .png), text at temperature T (.ndjson, .txt)',
    )
    .description(
      // One paragraph per line: Commander wraps each to the terminal's width.
      [
        'Draw outliers from a generator. Classes are uniform over --classes, and sample i depends only on (model, σ² or T, classes, seed, i), so --start k gives samples k… of the same stream.',
        '',
        'Image models (e.g. fashion-mnist-cgan): z ~ N(0, σ²I). --out .npy (uint8 N×H×W×C, or float32 in [0, 1] with --float32), .safetensors (images + classes) or .png (a labelled grid).',
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
      'output file: .npy, .safetensors or .png (images); .ndjson or .txt (text)',
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
      if (!IMAGE_FORMATS.includes(format)) {
        throw new Error(`--out must end in .npy, .safetensors or .png, got "${o.out}"`);
      }
      if (format === '.png' && o.count > PNG_LIMIT) {
        throw new Error(`a PNG grid holds at most ${PNG_LIMIT} samples; use .npy for ${o.count}`);
      }
      if (manifest.classes.length === 0 && o.classes !== undefined) {
        throw new Error(`--classes applies to class-conditional models; ${manifest.id} is unconditional`);
      }
      // ONNX models run on ONNX Runtime: only goe's own and TF.js generators need a TF.js backend.
      if (manifest.kind !== 'imported' || manifest.format === 'tfjs') await initBackend();
      const model = await loadGenerator(dir);
      if (model.modality !== 'image') throw new Error(`${manifest.id} is not an image generator`);
      const sigma2 = o.sigma2 ?? manifest.defaultSigma2;
      const [lo, hi] = manifest.sigma2Range;
      if (sigma2 < lo || sigma2 > hi)
        throw new Error(`--sigma2 must be within [${lo}, ${hi}] for ${manifest.id}`);
      const classes = resolveClasses(
        o.classes?.split(',').map((s) => s.trim()),
        manifest.classes,
      );
      const rowShape = manifest.shape;
      const dtype = o.float32 && format !== '.png' ? 'float32' : 'uint8';
      const batches = model.generate({
        sigma2,
        classes,
        seed: o.seed,
        start: o.start,
        count: o.count,
        dtype,
      });
      const bar = progressBar(o.count, 'sample');
      if (format === '.png') {
        const images = new Uint8Array(o.count * rowShape[0] * rowShape[1] * rowShape[2]);
        const labels: string[] = [];
        let at = 0;
        for await (const b of batches) {
          images.set(b.data as Uint8Array, at);
          at += b.data.length;
          for (const k of b.classes) labels.push(k >= 0 ? manifest.classes[k] : '');
          bar.update(labels.length);
        }
        await writeFileAtomic(
          o.out,
          encodeGridPng(images, [o.count, ...rowShape], { cols: Math.ceil(Math.sqrt(o.count)), labels }),
        );
      } else {
        // Rows are written as they are produced: memory stays flat whatever --count is.
        const out = createWriteStream(o.out);
        const write = async (bytes: Uint8Array) => {
          if (!out.write(bytes)) await once(out, 'drain');
        };
        const allClasses = new Int32Array(o.count);
        if (format === '.npy') {
          const w = new NpyWriter({ dtype, shape: [o.count, ...rowShape] });
          await write(w.header());
          for await (const b of batches) {
            await write(w.write(b.data as never));
            bar.update(b.start - o.start + b.count);
          }
          w.end();
        } else {
          const w = new SafetensorsWriter({
            tensors: [
              { name: 'images', dtype, shape: [o.count, ...rowShape] },
              { name: 'classes', dtype: 'int32', shape: [o.count] },
            ],
            metadata: {
              model: manifest.id,
              digest: manifest.weights.digest,
              sigma2: String(sigma2),
              seed: String(o.seed),
              start: String(o.start),
            },
          });
          await write(w.headerBytes());
          for await (const b of batches) {
            await write(w.write('images', b.data));
            allClasses.set(b.classes, b.start - o.start);
            bar.update(b.start - o.start + b.count);
          }
          await write(w.write('classes', allClasses));
          w.end();
        }
        out.end();
        await once(out, 'close');
      }
      bar.stop();
      await model.dispose();
      note(`wrote ${o.count} samples of ${manifest.id} at σ²=${sigma2} (seed ${o.seed}) to ${o.out}`);
    });
}
