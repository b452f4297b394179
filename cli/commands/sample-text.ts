import { extname } from 'node:path';
import { writeTextSamples } from '../../generators/lm/index.js';
import {
  type GeneratorManifest,
  samplingSetting,
  type TextGeneratorManifest,
} from '../../generators/manifest.js';
import { resolveClasses } from '../../generators/registry.js';
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
 * `goe sample` for a language model: samples drawn at temperature T on the compute workers (`GOE_WORKERS`,
 * rows split across them), written in order as they are produced to `.ndjson` (the API's text rows,
 * api/CONTRACT.md) or `.txt` (one sample's text per line).
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
  const bar = progressBar(o.count, 'sample');
  try {
    await writeTextSamples(
      dir,
      {
        temperature,
        classes,
        seed: o.seed,
        start: o.start,
        count: o.count,
        allowUnk: o.unk !== false,
        out: o.out,
        format: format === '.ndjson' ? 'ndjson' : 'txt',
      },
      (done) => bar.update(done),
    );
  } finally {
    bar.stop();
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
