import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { type BatchEncoder, encodeChunks } from '../../runtime/encoders/index.js';
import { readVocab } from '../../runtime/text/vocab-file.js';
import { readManifest, type TextGeneratorManifest } from '../manifest.js';
import { RowPool } from '../pool/row-pool.js';
import { generatorRef } from '../pool/rows.js';
import { textNdjsonEncoder } from './ndjson.js';
import { type DecodableTextBatch, type TextBatch, textRow } from './sampler.js';

/** What {@link writeTextSamples} draws and where it writes it (values already checked against the manifest). */
export interface TextSampleFile {
  temperature: number;
  /** Class indices to draw from, uniformly. */
  classes: readonly number[];
  seed: number;
  start: number;
  count: number;
  /** false: never draw `<unk>`. */
  allowUnk: boolean;
  out: string;
  /** `ndjson`: the API's text rows (api/CONTRACT.md); `txt`: one sample's text per line. */
  format: 'ndjson' | 'txt';
  /** Compute workers to sample on (the caller closes them); default a new pool of `GOE_WORKERS`, closed here. */
  pool?: RowPool;
}

/**
 * Samples the language model in folder `dir` at temperature T and writes the rows to `o.out` as they
 * are produced, atomically (a failed run leaves no file). The rows are computed by compute workers
 * (generators/pool), the same rows for any number of them. `onRows` gets the rows written so far.
 */
export async function writeTextSamples(
  dir: string,
  o: TextSampleFile,
  onRows?: (done: number) => void,
): Promise<void> {
  const manifest = await readManifest<TextGeneratorManifest>(dir);
  const vocab = await readVocab(join(dir, manifest.vocab.file), manifest.vocab.digest);
  const classNames = manifest.classes;
  const encoder: BatchEncoder<DecodableTextBatch> =
    o.format === 'ndjson'
      ? textNdjsonEncoder({ labels: classNames })
      : {
          contentType: 'text/plain',
          head: () => [],
          batch: (b) => {
            const lines = Array.from(
              { length: b.count },
              (_, r) => `${textRow(b, r, b.vocab, classNames).text}\n`,
            );
            return [new TextEncoder().encode(lines.join(''))];
          },
          end: () => [],
        };
  const pool = o.pool ?? new RowPool();
  async function* decodable() {
    for await (const batch of pool.rows(
      generatorRef(dir, manifest, 'tfjs'),
      {
        modality: 'text',
        temperature: o.temperature,
        classes: o.classes,
        seed: o.seed,
        allowUnk: o.allowUnk,
      },
      o.start,
      o.count,
    )) {
      const b = batch as TextBatch;
      yield { ...b, vocab };
      onRows?.(b.start - o.start + b.count);
    }
  }
  try {
    await writeFileAtomic(o.out, encodeChunks(decodable(), encoder));
  } finally {
    if (!o.pool) await pool.close();
  }
}
