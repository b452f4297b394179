/**
 * A labelled contact sheet of images as one PNG — the `image/png` preview of an outlier batch. Images are
 * upscaled by an integer factor with nearest neighbour (28×28 samples are too small to judge at 1×) and
 * each gets a short label (its class, or the sampler setting such as "σ²=50") drawn underneath.
 */
import { CodecError } from './errors.js';
import { encodePng } from './png.js';
import { drawText, measureText, type RawImage } from './text.js';

/** Layout and colours of a grid. */
export interface GridOptions {
  /** Images per row; default `ceil(sqrt(n))`. */
  cols?: number;
  /** One label per image (an empty string for none); labels longer than 32 characters are cut. */
  labels?: readonly string[];
  /** Integer upscale factor for the images; default 2. */
  scale?: number;
  /** Pixels between cells and around the edge; default 4. */
  padding?: number;
  /** Integer scale of the 5×7 font; default `max(1, floor(scale / 2))`. */
  textScale?: number;
  /** Background RGB; default dark grey. */
  background?: readonly [number, number, number];
  /** Label RGB; default near white. */
  foreground?: readonly [number, number, number];
}

const MAX_LABEL = 32;
// Guards against a request for an absurd preview (pngjs holds the whole image in memory twice).
const MAX_GRID_PIXELS = 1 << 26;

/**
 * Tiles `n × h × w × c` uint8 images (c = 1, 3 or 4; alpha is composited over the background) into an
 * RGB image with labels. Returned as raw pixels; {@link encodeGridPng} wraps it in a PNG.
 */
export function renderGrid(
  images: Uint8Array,
  shape: readonly [number, number, number, number],
  options: GridOptions = {},
): RawImage {
  const [n, h, w, c] = checkImages(images, shape);
  const scale = positiveInt(options.scale ?? 2, 'scale');
  const padding = nonNegativeInt(options.padding ?? 4, 'padding');
  const textScale = positiveInt(options.textScale ?? Math.max(1, Math.floor(scale / 2)), 'textScale');
  const cols = positiveInt(options.cols ?? Math.max(1, Math.ceil(Math.sqrt(n))), 'cols');
  const background = options.background ?? [24, 24, 24];
  const foreground = options.foreground ?? [235, 235, 235];
  const labels = (options.labels ?? []).map((l) =>
    [...l].length > MAX_LABEL ? `${[...l].slice(0, MAX_LABEL - 1).join('')}…` : l,
  );
  if (options.labels !== undefined && labels.length !== n) {
    throw new CodecError(
      'bad_argument',
      `grid needs one label per image: ${labels.length} labels for ${n} images`,
      {
        value: labels.length,
      },
    );
  }
  const hasLabels = labels.some((l) => l.length > 0);
  const labelWidth = Math.max(0, ...labels.map((l) => measureText(l, textScale).width));
  const textHeight = measureText('', textScale).height;
  const labelGap = hasLabels ? 2 * textScale : 0;
  const cellW = Math.max(w * scale, labelWidth);
  const cellH = h * scale + (hasLabels ? labelGap + textHeight : 0);
  const rows = Math.max(1, Math.ceil(n / cols));
  const usedCols = Math.max(1, Math.min(cols, n));
  const width = usedCols * cellW + (usedCols + 1) * padding;
  const height = rows * cellH + (rows + 1) * padding;
  if (width * height > MAX_GRID_PIXELS) {
    throw new CodecError('bad_argument', `grid of ${width}×${height} pixels exceeds ${MAX_GRID_PIXELS}`, {
      value: [width, height],
    });
  }
  const out: RawImage = { pixels: new Uint8Array(width * height * 3), height, width, channels: 3 };
  for (let i = 0; i < out.pixels.length; i += 3) out.pixels.set(background, i);

  for (let k = 0; k < n; k += 1) {
    const cellX = padding + (k % cols) * (cellW + padding);
    const cellY = padding + Math.floor(k / cols) * (cellH + padding);
    const imageX = cellX + Math.floor((cellW - w * scale) / 2);
    blit(out, images.subarray(k * h * w * c, (k + 1) * h * w * c), h, w, c, imageX, cellY, scale, background);
    const label = labels[k] ?? '';
    if (label.length > 0) {
      const textX = cellX + Math.floor((cellW - measureText(label, textScale).width) / 2);
      drawText(out, textX, cellY + h * scale + labelGap, label, foreground, textScale);
    }
  }
  return out;
}

/** {@link renderGrid} encoded as an RGB PNG. */
export function encodeGridPng(
  images: Uint8Array,
  shape: readonly [number, number, number, number],
  options: GridOptions = {},
): Uint8Array {
  const grid = renderGrid(images, shape, options);
  return encodePng(grid.pixels, grid.height, grid.width, 3);
}

function blit(
  out: RawImage,
  image: Uint8Array,
  h: number,
  w: number,
  c: number,
  x0: number,
  y0: number,
  scale: number,
  background: readonly number[],
): void {
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const at = (y * w + x) * c;
      let r = image[at];
      let g = c >= 3 ? image[at + 1] : r;
      let b = c >= 3 ? image[at + 2] : r;
      if (c === 4) {
        const a = image[at + 3] / 255;
        r = Math.round(r * a + background[0] * (1 - a));
        g = Math.round(g * a + background[1] * (1 - a));
        b = Math.round(b * a + background[2] * (1 - a));
      }
      for (let sy = 0; sy < scale; sy += 1) {
        let to = ((y0 + y * scale + sy) * out.width + x0 + x * scale) * 3;
        for (let sx = 0; sx < scale; sx += 1) {
          out.pixels[to] = r;
          out.pixels[to + 1] = g;
          out.pixels[to + 2] = b;
          to += 3;
        }
      }
    }
  }
}

function checkImages(images: Uint8Array, shape: readonly number[]): [number, number, number, number] {
  if (
    !Array.isArray(shape) ||
    shape.length !== 4 ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    ![1, 3, 4].includes(shape[3]) ||
    shape[1] < 1 ||
    shape[2] < 1
  ) {
    throw new CodecError(
      'bad_argument',
      'grid shape must be [n, height, width, channels] with channels 1, 3 or 4',
      {
        value: shape,
      },
    );
  }
  const [n, h, w, c] = shape as [number, number, number, number];
  if (!(images instanceof Uint8Array) || images.length !== n * h * w * c) {
    throw new CodecError('bad_argument', `grid images must be a Uint8Array of ${n}×${h}×${w}×${c} values`, {
      value: images instanceof Uint8Array ? images.length : typeof images,
    });
  }
  return [n, h, w, c];
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CodecError('bad_argument', `grid ${name} must be a positive integer, got ${value}`, { value });
  }
  return value;
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CodecError('bad_argument', `grid ${name} must be a non-negative integer, got ${value}`, {
      value,
    });
  }
  return value;
}
