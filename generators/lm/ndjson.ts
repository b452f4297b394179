import { encodeNdjson } from '../../runtime/codecs/index.js';
import type { BatchEncoder, TextBodySpec } from '../../runtime/encoders/index.js';
import { type DecodableTextBatch, textRow } from './sampler.js';

/**
 * `application/x-ndjson` for a language model: one text row per line,
 * `{"index","class","label","text","tokens"}` (api/CONTRACT.md), the same row `goe sample` writes.
 */
export function textNdjsonEncoder(spec: TextBodySpec): BatchEncoder<DecodableTextBatch> {
  return {
    contentType: 'application/x-ndjson',
    head: () => [],
    batch: (b) => {
      const rows = new Array(b.count);
      for (let r = 0; r < b.count; r++) rows[r] = textRow(b, r, b.vocab, spec.labels);
      return [encodeNdjson(rows)];
    },
    end: () => [],
  };
}
