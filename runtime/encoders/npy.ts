import { encodeNpyHeader, NpyWriter } from '../codecs/index.js';
import type { BatchEncoder, ImageBodySpec } from './encoder.js';
import { rowBytes } from './encoder.js';

/** `application/x-npy`: one N×H×W×C array (`|u1` or `<f4`), header first, rows as they come. */
export function npyEncoder(spec: ImageBodySpec): BatchEncoder {
  const shape = [spec.count, ...spec.rowShape];
  const writer = new NpyWriter({ dtype: spec.dtype, shape });
  return {
    contentType: 'application/x-npy',
    contentLength: encodeNpyHeader(spec.dtype, shape).length + spec.count * rowBytes(spec),
    head: () => [writer.header()],
    batch: (b) => [writer.write(b.data as never)],
    end: () => {
      writer.end();
      return [];
    },
  };
}
