/**
 * PNG encode/decode of raw 8-bit images through pngjs (its sync API; PNG spec: W3C PNG 2nd edition).
 * Channels 1 (grey), 3 (RGB) or 4 (RGBA) map to PNG colour types 0, 2 and 6.
 */
import { type ColorType, PNG } from 'pngjs';
import { CodecError } from './errors.js';
import { checkPngSize } from './png-limits.js';
import type { RawImage } from './text.js';

/** Channels per pixel a PNG here can carry. */
export type PngChannels = 1 | 3 | 4;

/** A decoded PNG. */
export interface PngImage extends RawImage {
  channels: PngChannels;
}

const COLOR_TYPE: Readonly<Record<PngChannels, ColorType>> = { 1: 0, 3: 2, 4: 6 };

/** Encodes `height × width × channels` interleaved 8-bit pixels as a PNG. */
export function encodePng(
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: PngChannels,
): Uint8Array {
  if (!(channels in COLOR_TYPE)) {
    throw new CodecError('bad_argument', `PNG channels must be 1, 3 or 4, got ${channels}`, {
      value: channels,
    });
  }
  for (const [name, value] of [
    ['height', height],
    ['width', width],
  ] as const) {
    // PNG forbids zero-sized images and limits each side to 2^31 - 1.
    if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
      throw new CodecError('bad_argument', `PNG ${name} must be a positive integer, got ${value}`, { value });
    }
  }
  if (!(pixels instanceof Uint8Array) || pixels.length !== height * width * channels) {
    throw new CodecError(
      'bad_argument',
      `PNG pixels must be a Uint8Array of ${height}×${width}×${channels} = ${height * width * channels} values`,
      { value: pixels instanceof Uint8Array ? pixels.length : typeof pixels },
    );
  }
  const colorType = COLOR_TYPE[channels];
  const data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // pngjs packs `data` as `inputColorType`; same in and out types take its copy-free path.
  const bytes = PNG.sync.write({ width, height, data } as PNG, {
    colorType,
    inputColorType: colorType,
    inputHasAlpha: channels === 4,
    bitDepth: 8,
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes a PNG to 8-bit pixels. By default the channels follow the file (grey → 1, RGB or palette → 3,
 * any alpha → 4); `channels` converts (colour to grey uses ITU-R BT.601 luma). 16-bit files are scaled to 8.
 */
export function decodePng(bytes: Uint8Array, options: { channels?: PngChannels } = {}): PngImage {
  checkPngSize(bytes);
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    throw new CodecError('bad_png', `not a readable PNG: ${(cause as Error).message}`, { cause });
  }
  const channels: PngChannels = options.channels ?? (png.alpha ? 4 : png.color ? 3 : 1);
  if (!(channels in COLOR_TYPE)) {
    throw new CodecError('bad_argument', `PNG channels must be 1, 3 or 4, got ${channels}`, {
      value: channels,
    });
  }
  const { width, height } = png;
  const rgba = png.data; // pngjs always hands back 8-bit RGBA
  const n = width * height;
  const pixels = new Uint8Array(n * channels);
  for (let i = 0; i < n; i += 1) {
    const r = rgba[i * 4];
    const g = rgba[i * 4 + 1];
    const b = rgba[i * 4 + 2];
    if (channels === 1) {
      pixels[i] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      pixels[i * channels] = r;
      pixels[i * channels + 1] = g;
      pixels[i * channels + 2] = b;
      if (channels === 4) pixels[i * 4 + 3] = rgba[i * 4 + 3];
    }
  }
  return { pixels, height, width, channels };
}
