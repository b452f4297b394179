import { encodeGridPng } from '../codecs/index.js';
import type { BatchEncoder, ImageBodySpec } from './encoder.js';

/** Most rows a PNG preview grid holds (32×32 tiles): the API's default limit and `goe sample`'s. */
export const PNG_MAX_COUNT = 1024;

/** `image/png`: a labelled preview grid; the rows are gathered (count ≤ the PNG limit) and drawn at the end. */
export function pngEncoder(spec: ImageBodySpec): BatchEncoder {
  const [h, w, c] = spec.rowShape;
  const images = new Uint8Array(spec.count * h * w * c);
  const labels: string[] = [];
  return {
    contentType: 'image/png',
    head: () => [],
    batch: (b) => {
      images.set(b.data as Uint8Array, labels.length * h * w * c);
      for (const k of b.classes) labels.push(k >= 0 ? spec.labels[k] : '');
      return [];
    },
    end: () => [
      encodeGridPng(images, [spec.count, h, w, c], { cols: Math.ceil(Math.sqrt(spec.count)), labels }),
    ],
  };
}
