import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, type PngChannels } from './png.js';
import { codeOf } from './test-chunks.js';

const image = (h: number, w: number, c: number) =>
  Uint8Array.from({ length: h * w * c }, (_, i) => (i * 37) % 256);

describe('png', () => {
  it.each([1, 3, 4] as PngChannels[])('round-trips %i-channel pixels exactly', (channels) => {
    const pixels = image(28, 17, channels);
    const png = encodePng(pixels, 28, 17, channels);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR colour type: 0 grey, 2 RGB, 6 RGBA.
    expect(png[25]).toBe({ 1: 0, 3: 2, 4: 6 }[channels]);
    expect(decodePng(png)).toEqual({ pixels, height: 28, width: 17, channels });
  });

  it('is deterministic', () => {
    const pixels = image(8, 8, 3);
    expect(encodePng(pixels, 8, 8, 3)).toEqual(encodePng(pixels, 8, 8, 3));
  });

  it('converts channels on decode', () => {
    const grey = Uint8Array.of(0, 128, 255, 7);
    const png = encodePng(grey, 2, 2, 1);
    expect(Array.from(decodePng(png, { channels: 3 }).pixels)).toEqual([
      0, 0, 0, 128, 128, 128, 255, 255, 255, 7, 7, 7,
    ]);
    expect(Array.from(decodePng(png, { channels: 4 }).pixels.subarray(0, 8))).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255,
    ]);
    const rgb = encodePng(Uint8Array.of(255, 0, 0, 0, 255, 0), 1, 2, 3);
    expect(Array.from(decodePng(rgb, { channels: 1 }).pixels)).toEqual([76, 150]);
  });

  it('reads from a view at an offset', () => {
    const png = encodePng(image(3, 3, 1), 3, 3, 1);
    const shifted = new Uint8Array(png.length + 3);
    shifted.set(png, 3);
    expect(decodePng(shifted.subarray(3)).pixels).toEqual(image(3, 3, 1));
  });

  it('rejects what is not a PNG, or is cut short or corrupt', () => {
    const png = encodePng(image(16, 16, 3), 16, 16, 3);
    expect(codeOf(() => decodePng(new TextEncoder().encode('not a png at all')))).toBe('bad_png');
    expect(codeOf(() => decodePng(png.subarray(0, png.length - 20)))).toBe('bad_png');
    expect(codeOf(() => decodePng(png.subarray(0, 40)))).toBe('bad_png');
    const corrupt = png.slice();
    corrupt[40] ^= 0xff; // inside IDAT: the CRC no longer matches
    expect(codeOf(() => decodePng(corrupt))).toBe('bad_png');
  });

  it('rejects bad arguments', () => {
    expect(codeOf(() => encodePng(image(2, 2, 3), 2, 2, 2 as PngChannels))).toBe('bad_argument');
    expect(codeOf(() => encodePng(image(2, 2, 3), 2, 3, 3))).toBe('bad_argument');
    expect(codeOf(() => encodePng(new Uint8Array(0), 0, 0, 1))).toBe('bad_argument');
    expect(codeOf(() => encodePng(new Float32Array(4) as unknown as Uint8Array, 2, 2, 1))).toBe(
      'bad_argument',
    );
  });
});
