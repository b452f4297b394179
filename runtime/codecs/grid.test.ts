import { describe, expect, it } from 'vitest';
import { fontCharacters, GLYPH_HEIGHT, GLYPH_WIDTH, glyph, hasGlyph } from './font5x7.js';
import { encodeGridPng, renderGrid } from './grid.js';
import { decodePng } from './png.js';
import { codeOf } from './test-chunks.js';
import { measureText } from './text.js';

const BG = [24, 24, 24];
const FG = [235, 235, 235];

function pixel(img: { pixels: Uint8Array; width: number }, x: number, y: number): number[] {
  const at = (y * img.width + x) * 3;
  return Array.from(img.pixels.subarray(at, at + 3));
}

/** Counts foreground pixels in a rectangle. */
function ink(
  img: { pixels: Uint8Array; width: number },
  x0: number,
  y0: number,
  w: number,
  h: number,
): number {
  let n = 0;
  for (let y = y0; y < y0 + h; y += 1)
    for (let x = x0; x < x0 + w; x += 1) if (pixel(img, x, y).join() === FG.join()) n += 1;
  return n;
}

describe('font5x7', () => {
  it('has every character the labels need, each 5 × 7', () => {
    const needed = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,-_=:/()σ²× %';
    for (const char of needed) expect(hasGlyph(char), char).toBe(true);
    for (const char of fontCharacters()) {
      const rows = glyph(char);
      expect(rows).toHaveLength(GLYPH_HEIGHT);
      expect(rows.every((r) => r >= 0 && r < 1 << GLYPH_WIDTH)).toBe(true);
      if (char !== ' ')
        expect(
          rows.some((r) => r !== 0),
          char,
        ).toBe(true);
    }
  });

  it('draws a visible box for characters it lacks', () => {
    expect(hasGlyph('€')).toBe(false);
    expect(glyph('€')[0]).toBe(0b11111);
  });

  it('gives distinct glyphs to characters that must not be confused', () => {
    const groups = ['0Oo', '1lI', '5S', '8B', 'xX×', '2²', '-_=', 'σo'];
    for (const group of groups) {
      const shapes = new Set([...group].map((c) => glyph(c).join()));
      expect(shapes.size, group).toBe(group.length);
    }
  });
});

describe('grid png', () => {
  const n = 5;
  const images = Uint8Array.from({ length: n * 28 * 28 }, (_, i) => i % 199); // never the label colour

  it('lays out cols × rows cells of scaled images with padding', () => {
    const grid = renderGrid(images, [n, 28, 28, 1], { cols: 3, scale: 2, padding: 4 });
    expect(grid).toMatchObject({ width: 3 * 56 + 4 * 4, height: 2 * 56 + 3 * 4, channels: 3 });
    expect(pixel(grid, 0, 0)).toEqual(BG);
    // Empty sixth cell stays background.
    expect(pixel(grid, 4 + 2 * 60 + 20, 4 + 60 + 20)).toEqual(BG);
  });

  it('upscales with nearest neighbour', () => {
    const one = Uint8Array.of(10, 20, 30, 40);
    const grid = renderGrid(one, [1, 2, 2, 1], { scale: 3, padding: 1 });
    expect(grid.width).toBe(8);
    const row = (y: number) => Array.from({ length: 6 }, (_, x) => pixel(grid, 1 + x, 1 + y)[0]);
    expect(row(0)).toEqual([10, 10, 10, 20, 20, 20]);
    expect(row(2)).toEqual([10, 10, 10, 20, 20, 20]);
    expect(row(3)).toEqual([30, 30, 30, 40, 40, 40]);
  });

  it('draws each label under its image, widening cells for long labels', () => {
    const labels = ['σ²=50', '', 'ankle boot', 'T=2', 'bag'];
    const grid = renderGrid(images, [n, 28, 28, 1], { cols: 5, labels, padding: 4 });
    const cellW = Math.max(56, measureText('ankle boot').width);
    const labelY = 4 + 56 + 2;
    expect(grid.height).toBe(4 + 56 + 2 + 7 + 4);
    expect(grid.width).toBe(5 * cellW + 6 * 4);
    const inkOf = (k: number) => ink(grid, 4 + k * (cellW + 4), labelY, cellW, 7);
    expect(inkOf(0)).toBeGreaterThan(20);
    expect(inkOf(1)).toBe(0);
    expect(inkOf(2)).toBeGreaterThan(inkOf(4));
    // No ink leaks into the image area.
    expect(ink(grid, 0, 0, grid.width, labelY)).toBe(0);
  });

  it('scales the font with textScale', () => {
    const grid = renderGrid(images.subarray(0, 784), [1, 28, 28, 1], { labels: ['T=2'], textScale: 2 });
    expect(grid.height).toBe(4 + 56 + 4 + 14 + 4);
  });

  it('shows RGB images as they are and composites RGBA over the background', () => {
    const rgb = renderGrid(Uint8Array.of(200, 100, 50), [1, 1, 1, 3], { scale: 1, padding: 1 });
    expect(pixel(rgb, 1, 1)).toEqual([200, 100, 50]);
    const rgba = renderGrid(Uint8Array.of(224, 224, 224, 128), [1, 1, 1, 4], { scale: 1, padding: 1 });
    expect(pixel(rgba, 1, 1)).toEqual([124, 124, 124]); // round(224·128/255 + 24·127/255);
  });

  it('encodes a PNG that decodes to the rendered pixels', () => {
    const options = { cols: 2, labels: ['a', 'b', 'c', 'd', 'e'] };
    const grid = renderGrid(images, [n, 28, 28, 1], options);
    const png = decodePng(encodeGridPng(images, [n, 28, 28, 1], options));
    expect({ ...png, pixels: undefined }).toEqual({
      pixels: undefined,
      width: grid.width,
      height: grid.height,
      channels: 3,
    });
    // Buffer.equals: vitest's deep equality walks a large typed array element by element, slowly.
    expect(Buffer.from(png.pixels).equals(Buffer.from(grid.pixels))).toBe(true);
  });

  it('rejects bad input', () => {
    expect(codeOf(() => renderGrid(images, [n, 28, 28, 2], {}))).toBe('bad_argument');
    expect(codeOf(() => renderGrid(images, [n, 28, 27, 1], {}))).toBe('bad_argument');
    expect(codeOf(() => renderGrid(images, [n, 28, 28, 1], { labels: ['only one'] }))).toBe('bad_argument');
    expect(codeOf(() => renderGrid(images, [n, 28, 28, 1], { scale: 1.5 }))).toBe('bad_argument');
    expect(codeOf(() => renderGrid(images, [n, 28, 28, 1], { cols: 0 }))).toBe('bad_argument');
    expect(codeOf(() => renderGrid(images, [n, 28, 28, 1], { scale: 10_000 }))).toBe('bad_argument');
  });
});
