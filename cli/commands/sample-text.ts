import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { readVocab, type TextBatch, textRow } from '../../generators/lm/index.js';
import type { TextGeneratorManifest } from '../../generators/manifest.js';
import { RowPool } from '../../generators/pool/index.js';
import { resolveClasses } from '../../generators/registry.js';
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
  const temperature = o.temperature ?? manifest.defaultTemperature;
  const [lo, hi] = manifest.temperatureRange;
  if (temperature < lo || temperature > hi) {
    throw new Error(`--temperature must be within [${lo}, ${hi}] for ${manifest.id}`);
  }
  const classes = resolveClasses(
    o.classes?.split(',').map((s) => s.trim()),
    manifest.classes,
  );
  const vocab = await readVocab(join(dir, manifest.vocab.file), manifest.vocab.digest);
  const pool = new RowPool();
  const bar = progressBar(o.count, 'sample');
  // Written beside the target and renamed at the end, so a failed run leaves no half file under its name.
  const partial = `${o.out}.partial`;
  const out = createWriteStream(partial);
  try {
    const batches = pool.rows(
      { zoo: dirname(dir), id: basename(dir), digest: manifest.weights.digest },
      { modality: 'text', temperature, classes, seed: o.seed, allowUnk: o.unk !== false },
      o.start,
      o.count,
    );
    for await (const batch of batches) {
      const b = batch as TextBatch;
      const rows = Array.from({ length: b.count }, (_, r) => textRow(b, r, vocab, manifest.classes));
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
    await pool.close();
  }
  note(
    `wrote ${o.count} samples of ${manifest.id} at T=${temperature} (seed ${o.seed}) to ${o.out}${o.unk === false ? ', <unk> never drawn' : ''}`,
  );
}
