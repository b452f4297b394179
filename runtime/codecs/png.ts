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

/** PNG colour types (IHDR byte 9) whose `tRNS` chunk names one transparent colour rather than palette alphas. */
const GREY = 0;
const RGB = 2;

/**
 * Finds a grey or RGB PNG's `tRNS` chunk, returning the PNG without it and the transparent colour (one
 * grey or three RGB samples at the file's bit depth), or `undefined` when there is none.
 *
 * Why by hand: pngjs 7 (format-normaliser.js `replaceTransparentColor`) turns every pixel of that colour
 * into (0, 0, 0, 0), so a white background marked transparent was read as black. Pillow, libpng and the
 * PNG spec keep the colour and only add alpha; pngjs has no option for it, so the chunk is taken out
 * before pngjs sees it and the alpha is made here. Only the chunk framing (length, type, data, CRC;
 * PNG spec §5.3) is read; pngjs still checks every CRC and decodes everything else.
 */
function takeTransparentColor(bytes: Uint8Array): { png: Uint8Array; color: number[] } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // IHDR is the first chunk (spec §5.6): colour type at byte 8 (signature) + 8 (length, type) + 9.
  if (bytes.length < 33 || (bytes[25] !== GREY && bytes[25] !== RGB)) return undefined;
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const end = at + 12 + length;
    if (end > bytes.length || type === 'IDAT' || type === 'IEND') return undefined;
    if (type === 'tRNS') {
      const samples = bytes[25] === GREY ? 1 : 3;
      // A malformed tRNS is left in place for pngjs to report.
      if (length !== samples * 2) return undefined;
      const color = Array.from({ length: samples }, (_, k) => view.getUint16(at + 8 + k * 2));
      const png = new Uint8Array(bytes.length - (end - at));
      png.set(bytes.subarray(0, at));
      png.set(bytes.subarray(end), at);
      return { png, color };
    }
    at = end;
  }
  return undefined;
}

/**
 * Decodes a PNG to 8-bit pixels, for every colour type (grey, grey + alpha, RGB, RGBA, palette) and bit
 * depth (1, 2, 4, 8, 16), interlaced or not. By default the channels follow the file (grey → 1, RGB or
 * palette → 3, any alpha or `tRNS` → 4); `channels` converts (colour to grey uses ITU-R BT.601 luma;
 * alpha is dropped). Samples of depth d are scaled to 8 bits as `round(v · 255 / (2^d − 1))`.
 * Transparency never changes a pixel's colour: a `tRNS` colour only sets that pixel's alpha to 0.
 *
 * @returns `height × width × channels` interleaved pixels, row-major
 * @throws {CodecError} `bad_png` when pngjs cannot read the bytes; `bad_argument` for other `channels`
 */
export function decodePng(bytes: Uint8Array, options: { channels?: PngChannels } = {}): PngImage {
  checkPngSize(bytes);
  const transparent = takeTransparentColor(bytes);
  const input = transparent?.png ?? bytes;
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    // skipRescale: the raw samples are needed to match the tRNS colour (exact at 16 bits).
    png = PNG.sync.read(Buffer.from(input.buffer, input.byteOffset, input.byteLength), {
      skipRescale: true,
    });
  } catch (cause) {
    throw new CodecError('bad_png', `not a readable PNG: ${(cause as Error).message}`, { cause });
  }
  const alpha = png.alpha || transparent !== undefined;
  const channels: PngChannels = options.channels ?? (alpha ? 4 : png.color ? 3 : 1);
  if (!(channels in COLOR_TYPE)) {
    throw new CodecError('bad_argument', `PNG channels must be 1, 3 or 4, got ${channels}`, {
      value: channels,
    });
  }
  const { width, height } = png;
  // RGBA samples: raw at the file's depth (Uint16Array at 16 bits), or 8-bit colours for a palette file.
  const rgba = png.data as Uint8Array | Uint16Array;
  // @types/pngjs lists colour types 0, 2, 4, 6 only; palette files (3) report 3 here.
  const max = (png.colorType as number) === 3 ? 255 : 2 ** png.depth - 1;
  const scale = (v: number) => (max === 255 ? v : Math.round((v * 255) / max));
  const color = transparent?.color;
  const n = width * height;
  const pixels = new Uint8Array(n * channels);
  for (let i = 0; i < n; i += 1) {
    const r = rgba[i * 4];
    const g = rgba[i * 4 + 1];
    const b = rgba[i * 4 + 2];
    if (channels === 1) {
      pixels[i] =
        r === g && g === b ? scale(r) : Math.round(0.299 * scale(r) + 0.587 * scale(g) + 0.114 * scale(b));
    } else {
      pixels[i * channels] = scale(r);
      pixels[i * channels + 1] = scale(g);
      pixels[i * channels + 2] = scale(b);
      if (channels === 4) {
        const clear =
          color !== undefined &&
          (color.length === 1 ? r === color[0] : r === color[0] && g === color[1] && b === color[2]);
        pixels[i * 4 + 3] = clear ? 0 : scale(rgba[i * 4 + 3]);
      }
    }
  }
  return { pixels, height, width, channels };
}
