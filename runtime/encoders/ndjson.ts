import { encodeNdjson, toLittleEndianBytes } from '../codecs/index.js';
import type { BatchEncoder, ImageBodySpec } from './encoder.js';

/**
 * `application/x-ndjson`: one image row per line,
 * `{"index","class","label","shape","dtype","data"}` with the row's little-endian bytes in base64
 * (`class` −1 and `label` "" for an unconditional generator).
 * One chunk per batch keeps the per-write overhead off the hot path.
 */
export function ndjsonEncoder(spec: ImageBodySpec): BatchEncoder {
  const shape = [...spec.rowShape];
  const [h, w, c] = spec.rowShape;
  const size = h * w * c;
  return {
    contentType: 'application/x-ndjson',
    head: () => [],
    batch: (b) => {
      const rows = new Array(b.count);
      for (let i = 0; i < b.count; i++) {
        const values = b.data.subarray(i * size, (i + 1) * size);
        const k = b.classes[i];
        rows[i] = {
          index: b.start + i,
          // An unconditional generator's rows carry no class: class −1, label "" (as in safetensors).
          class: k,
          label: k >= 0 ? spec.labels[k] : '',
          shape,
          dtype: spec.dtype,
          data: Buffer.from(toLittleEndianBytes(values)).toString('base64'),
        };
      }
      return [encodeNdjson(rows)];
    },
    end: () => [],
  };
}
