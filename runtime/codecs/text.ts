/** Draws short labels into raw pixel buffers with the 5×7 bitmap font. */
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font5x7.js';

/** A raw interleaved 8-bit image (row-major, `channels` values per pixel). */
export interface RawImage {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/** Pixel size of `text` drawn at integer `scale` (1 px of spacing between glyphs, none after the last). */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  const n = [...text].length;
  return { width: n === 0 ? 0 : (n * (GLYPH_WIDTH + 1) - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/**
 * Draws `text` with its top-left corner at (x, y) in `color` (one value per channel), scaled by an integer
 * factor. Pixels outside the image are clipped.
 */
export function drawText(
  image: RawImage,
  x: number,
  y: number,
  text: string,
  color: readonly number[],
  scale = 1,
): void {
  const { pixels, width, height, channels } = image;
  let penX = x;
  for (const char of text) {
    const rows = glyph(char);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy += 1) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx += 1) {
        if (((rows[gy] >> (GLYPH_WIDTH - 1 - gx)) & 1) === 0) continue;
        for (let sy = 0; sy < scale; sy += 1) {
          const py = y + gy * scale + sy;
          if (py < 0 || py >= height) continue;
          for (let sx = 0; sx < scale; sx += 1) {
            const px = penX + gx * scale + sx;
            if (px < 0 || px >= width) continue;
            const at = (py * width + px) * channels;
            for (let c = 0; c < channels; c += 1) pixels[at + c] = color[c] ?? color[0];
          }
        }
      }
    }
    penX += (GLYPH_WIDTH + 1) * scale;
  }
}
