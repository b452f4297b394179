import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { initBackend } from '../../runtime/backend/index.js';
import { type BatchEncoder, encodeChunks } from '../../runtime/encoders/index.js';
import { loadLm } from './load.js';
import { textNdjsonEncoder } from './ndjson.js';
import { type DecodableTextBatch, sampleTexts, textRow } from './sampler.js';

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
}

/**
 * Samples the language model in folder `dir` at temperature T and writes the rows to `o.out` as they
 * are produced, atomically (a failed run leaves no file). `onRows` gets the rows written so far.
 */
export async function writeTextSamples(
  dir: string,
  o: TextSampleFile,
  onRows?: (done: number) => void,
): Promise<void> {
  await initBackend();
  const lm = await loadLm(dir);
  const classNames = lm.manifest.classes;
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
  async function* decodable() {
    for await (const b of sampleTexts(lm.vars, lm.config, {
      temperature: o.temperature,
      classes: o.classes,
      seed: o.seed,
      start: o.start,
      count: o.count,
      allowUnk: o.allowUnk,
    })) {
      yield { ...b, vocab: lm.vocab };
      onRows?.(b.start - o.start + b.count);
    }
  }
  try {
    await writeFileAtomic(o.out, encodeChunks(decodable(), encoder));
  } finally {
    lm.dispose();
  }
}
