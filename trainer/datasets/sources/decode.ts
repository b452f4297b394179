/**
 * Image files of a user's data set, decoded and brought to one row shape.
 *
 * Formats are told apart by their magic bytes, never by the file name (a JPEG named `.png` is read as
 * a JPEG): PNG through runtime/codecs (pngjs, with goe's tRNS handling), JPEG through jpeg-js.
 */
import jpeg from 'jpeg-js';
import { decodePng, isCodecError } from '../../../runtime/codecs/index.js';
import { DatasetError } from '../errors.js';
import { areaResample, integralImage } from '../photo.js';

/** What a file holds, read from its header alone. */
export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha (a PNG `tRNS` chunk counts as alpha). */
  channels: 1 | 2 | 3 | 4;
}

/** A decoded image: `height × width × channels` interleaved 8-bit samples, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  pixels: Uint8Array;
}

const isPng = (b: Uint8Array) =>
  b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** PNG colour type (IHDR byte 9) → channels; 3 is a palette, read as colour. */
const PNG_CHANNELS: Readonly<Record<number, ImageHeader['channels']>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

function badImage(path: string, what: string, detail: string, cause?: unknown): DatasetError {
  return new DatasetError('bad_image', `${path} is not a readable ${what}: ${detail}`, { path, cause });
}

/**
 * Reads the size and colour of a PNG or JPEG from its header, without decoding the pixels (to pick the
 * data set's most common row shape before decoding 50,000 files).
 *
 * Why by hand: neither pngjs nor jpeg-js reads a header alone. Only the PNG IHDR (spec §11.2.2) and the
 * JPEG marker framing up to the first SOFn (ITU-T T.81 §B.2) are read; the decoders check the rest.
 *
 * @throws {DatasetError} `unsupported_format` for neither PNG nor JPEG; `bad_image` for a broken header
 */
export function readImageHeader(bytes: Uint8Array, path: string): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPng(bytes)) {
    if (bytes.length < 33) throw badImage(path, 'PNG', 'it ends inside its header');
    const channels = PNG_CHANNELS[bytes[25]];
    if (channels === undefined) throw badImage(path, 'PNG', `unknown colour type ${bytes[25]}`);
    // A tRNS chunk before IDAT gives a grey or RGB file an alpha channel.
    let withAlpha = channels;
    for (let at = 8; at + 8 <= bytes.length; ) {
      const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
      if (type === 'IDAT' || type === 'IEND') break;
      if (type === 'tRNS' && (channels === 1 || channels === 3)) withAlpha = (channels + 1) as 2 | 4;
      at += 12 + view.getUint32(at);
    }
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), channels: withAlpha };
  }
  if (isJpeg(bytes)) {
    for (let at = 2; at + 4 <= bytes.length; ) {
      if (bytes[at] !== 0xff) throw badImage(path, 'JPEG', `no marker at byte ${at}`);
      const marker = bytes[at + 1];
      if (marker === 0xff) {
        at += 1; // fill byte
        continue;
      }
      // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame's size and components.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (at + 10 > bytes.length) break;
        const components = bytes[at + 9];
        if (components !== 1 && components !== 3) {
          throw badImage(path, 'JPEG', `${components} colour components (goe reads grey and YCbCr/RGB)`);
        }
        return {
          format: 'jpeg',
          height: view.getUint16(at + 5),
          width: view.getUint16(at + 7),
          channels: components,
        };
      }
      if (marker === 0xd9 || marker === 0xda) break; // EOI or scan data before any frame header
      at += 2 + view.getUint16(at + 2);
    }
    throw badImage(path, 'JPEG', 'it has no frame header (truncated?)');
  }
  throw new DatasetError(
    'unsupported_format',
    `${path} is neither a PNG nor a JPEG image (by its first bytes)`,
    {
      path,
    },
  );
}

/**
 * Decodes a PNG or JPEG (told apart by magic bytes) at its own size and colour: grey (1), colour (3) or
 * colour with alpha (4). A grey PNG with alpha comes back as colour + alpha. Alpha is never applied to
 * the colour values (a transparent pixel keeps its colour).
 *
 * @throws {DatasetError} `unsupported_format`, or `bad_image` for a corrupt or truncated file, naming `path`
 */
export function decodeImage(bytes: Uint8Array, path: string): DecodedImage {
  const header = readImageHeader(bytes, path);
  if (header.format === 'png') {
    try {
      const img = decodePng(bytes, header.channels === 1 ? { channels: 1 } : {});
      return {
        width: img.width,
        height: img.height,
        channels: img.channels as 1 | 3 | 4,
        pixels: img.pixels,
      };
    } catch (cause) {
      if (!isCodecError(cause)) throw cause;
      throw badImage(path, 'PNG', cause.message, cause);
    }
  }
  try {
    // formatAsRGBA false: 3 channels (jpeg-js expands grey JPEGs to RGB; they are taken back to 1 below).
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    if (header.channels === 1) {
      const grey = new Uint8Array(img.width * img.height);
      for (let i = 0; i < grey.length; i++) grey[i] = img.data[i * 3];
      return { width: img.width, height: img.height, channels: 1, pixels: grey };
    }
    return { width: img.width, height: img.height, channels: 3, pixels: img.data };
  } catch (cause) {
    throw badImage(path, 'JPEG', (cause as Error).message, cause);
  }
}

/**
 * Brings an image to `height × width × channels` (channels 1 or 3): alpha dropped (never mixed into the
 * colour), colour to grey by ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B` (as torchvision's
 * `convert('L')` and goe's PNG decoder), grey to colour by repeating it, and a different size by exact
 * area resampling (the box filter of photo.ts: each output pixel is the mean over its share of the
 * source; aspect ratio is not kept, as torchvision's `Resize((h, w))`). Rounded to uint8 last.
 *
 * Why goe's own resampler: no maintained npm resizer installs offline and runs synchronously here, and
 * photo.ts already has an exact area resampler (summed-area tables) that the natural crops use.
 */
export function toRowShape(img: DecodedImage, height: number, width: number, channels: 1 | 3): Uint8Array {
  const n = img.width * img.height;
  const src = img.pixels;
  const c = img.channels;
  // Planes of the target colour, as floats (luma is kept unrounded until the end).
  const planes: Float64Array[] = [];
  if (channels === 1) {
    const grey = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      grey[i] = c === 1 ? src[i] : 0.299 * src[i * c] + 0.587 * src[i * c + 1] + 0.114 * src[i * c + 2];
    }
    planes.push(grey);
  } else {
    for (let k = 0; k < 3; k++) {
      const plane = new Float64Array(n);
      for (let i = 0; i < n; i++) plane[i] = c === 1 ? src[i] : src[i * c + k];
      planes.push(plane);
    }
  }
  const resized =
    img.width === width && img.height === height
      ? planes
      : planes.map((p) =>
          areaResample(
            {
              path: '',
              width: img.width,
              height: img.height,
              integral: integralImage(p, img.width, img.height),
            },
            0,
            0,
            img.width,
            img.height,
            width,
            height,
          ),
        );
  const out = new Uint8Array(height * width * channels);
  for (let k = 0; k < channels; k++) {
    const p = resized[k];
    for (let i = 0; i < height * width; i++) {
      const v = Math.round(p[i]);
      out[i * channels + k] = v < 0 ? 0 : Math.min(v, 255);
    }
  }
  return out;
}
