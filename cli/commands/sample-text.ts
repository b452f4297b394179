import { extname } from 'node:path';
import { textNdjsonEncoder } from '../../api/encoders/index.js';
import type { DecodableTextBatch } from '../../api/generators.js';
import { loadLm, sampleTexts, textRow } from '../../generators/lm/index.js';
import {
  type GeneratorManifest,
  samplingSetting,
  type TextGeneratorManifest,
} from '../../generators/manifest.js';
import { resolveClasses } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { initBackend } from '../../runtime/backend/index.js';
import { type BatchEncoder, encodeChunks } from '../../runtime/encoders/index.js';
import { note } from '../output.js';
import { progressBar } from '../progress.js';

/** The `goe sample` options a text model reads. */
export interface TextSampleOptions {
  sigma2?: number;
  temperature?: number;
  float32?: boolean;
  /** commander's `--no-unk`: false forbids drawing `<unk>`. */
  unk?: boolean;
  classes?: string;
  count: number;
  seed: number;
  start: number;
  out: string;
}

const TEXT_FORMATS = ['.ndjson', '.txt'];

/**
 * `goe sample` for a language model: samples drawn at temperature T, written as they are produced to
 * `.ndjson` (the API's text rows, api/CONTRACT.md) or `.txt` (one sample's text per line).
 */
export async function sampleText(
  dir: string,
  manifest: TextGeneratorManifest,
  o: TextSampleOptions,
): Promise<void> {
  if (o.sigma2 !== undefined) {
    throw new Error(`--sigma2 applies to image models; ${manifest.id} is a text model (use --temperature)`);
  }
  if (o.float32) throw new Error(`--float32 applies to image models; ${manifest.id} is a text model`);
  const format = extname(o.out).toLowerCase();
  if (!TEXT_FORMATS.includes(format)) {
    throw new Error(`--out must end in .ndjson or .txt for a text model, got "${o.out}"`);
  }
  const temperature = checkedSetting(manifest, o.temperature);
  const classes = resolveClasses(
    o.classes?.split(',').map((s) => s.trim()),
    manifest.classes,
  );
  await initBackend();
  const lm = await loadLm(dir);
  const bar = progressBar(o.count, 'sample');
  const batches = sampleTexts(lm.vars, lm.config, {
    temperature,
    classes,
    seed: o.seed,
    start: o.start,
    count: o.count,
    allowUnk: o.unk !== false,
  });
  const encoder: BatchEncoder<DecodableTextBatch> =
    format === '.ndjson'
      ? textNdjsonEncoder({ labels: manifest.classes })
      : {
          contentType: 'text/plain',
          head: () => [],
          batch: (b) => {
            const lines = Array.from(
              { length: b.count },
              (_, r) => `${textRow(b, r, b.vocab, manifest.classes).text}\n`,
            );
            return [new TextEncoder().encode(lines.join(''))];
          },
          end: () => [],
        };
  async function* decodable() {
    for await (const b of batches) {
      yield { ...b, vocab: lm.vocab };
      bar.update(b.start - o.start + b.count);
    }
  }
  try {
    // The API's row encoder, streamed to a temp file and renamed: a failed run leaves no file.
    await writeFileAtomic(o.out, encodeChunks(decodable(), encoder));
  } finally {
    bar.stop();
    lm.dispose();
  }
  note(
    `wrote ${o.count} samples of ${manifest.id} at T=${temperature} (seed ${o.seed}) to ${o.out}${o.unk === false ? ', <unk> never drawn' : ''}`,
  );
}

/** σ² or T for `manifest`: the option's value or the model's default, or an error naming the option and range. */
export function checkedSetting(manifest: GeneratorManifest, requested: number | undefined): number {
  const { name, value, range, ok } = samplingSetting(manifest, requested);
  if (!ok) throw new Error(`--${name} must be within [${range[0]}, ${range[1]}] for ${manifest.id}`);
  return value;
}
