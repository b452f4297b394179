import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { loadLm, sampleTexts, textRow } from '../../generators/lm/index.js';
import type { TextGeneratorManifest } from '../../generators/manifest.js';
import { resolveClasses } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { encodeNdjson } from '../../runtime/codecs/index.js';
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
  const temperature = o.temperature ?? manifest.defaultTemperature;
  const [lo, hi] = manifest.temperatureRange;
  if (temperature < lo || temperature > hi) {
    throw new Error(`--temperature must be within [${lo}, ${hi}] for ${manifest.id}`);
  }
  const classes = resolveClasses(
    o.classes?.split(',').map((s) => s.trim()),
    manifest.classes,
  );
  await initBackend();
  const lm = await loadLm(dir);
  const bar = progressBar(o.count, 'sample');
  // Written beside the target and renamed at the end, so a failed run leaves no half file under its name.
  const partial = `${o.out}.partial`;
  const out = createWriteStream(partial);
  try {
    const batches = sampleTexts(lm.vars, lm.config, {
      temperature,
      classes,
      seed: o.seed,
      start: o.start,
      count: o.count,
      allowUnk: o.unk !== false,
    });
    for await (const b of batches) {
      const rows = Array.from({ length: b.count }, (_, r) => textRow(b, r, lm.vocab, manifest.classes));
      const bytes =
        format === '.ndjson'
          ? encodeNdjson(rows)
          : new TextEncoder().encode(rows.map((r) => `${r.text}\n`).join(''));
      if (!out.write(bytes)) await once(out, 'drain');
      bar.update(b.start - o.start + b.count);
    }
    out.end();
    await once(out, 'close');
    await rename(partial, o.out);
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  } finally {
    bar.stop();
    lm.dispose();
  }
  note(
    `wrote ${o.count} samples of ${manifest.id} at T=${temperature} (seed ${o.seed}) to ${o.out}${o.unk === false ? ', <unk> never drawn' : ''}`,
  );
}
