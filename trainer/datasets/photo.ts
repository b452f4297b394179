/**
 * Photographs as grey integral images, for cheap exact area (box-filter) resampling of any crop.
 *
 * A photo is decoded (JPEG through jpeg-js, PNG through runtime/codecs), turned grey with ITU-R BT.601
 * luma `Y = 0.299 R + 0.587 G + 0.114 B` (the weights torchvision's `convert('L')` and Hendrycks et al.'s
 * OE code use), area-downscaled so its shorter side is at most {@link WORKING_SHORT_SIDE} (a 2560×1600
 * photo would otherwise need a 33 MB table), and kept as its summed-area table (F. Crow, "Summed-area
 * tables for texture mapping", SIGGRAPH 1984). EXIF orientation is ignored.
 */
import jpeg from 'jpeg-js';
import { decodePng } from '../../runtime/codecs/index.js';
import { readBytes } from './bytes.js';
import { DatasetError } from './errors.js';

/** Shorter side, in pixels, photos are area-downscaled to before cropping (never upscaled). */
export const WORKING_SHORT_SIDE = 512;

/**
 * A grey photo as its summed-area table: `integral[y · (width + 1) + x]` is the sum of the luma (0–255,
 * unrounded) of all pixels above and left of the corner (x, y), for x in [0, width], y in [0, height].
 */
export interface Photo {
  path: string;
  width: number;
  height: number;
  integral: Float64Array;
}

/** Decodes JPEG or PNG bytes (told apart by their magic) to interleaved 8-bit pixels, 1–4 channels. */
function decodePixels(
  bytes: Uint8Array,
  path: string,
): { width: number; height: number; channels: number; rgb: Uint8Array } {
  let rgb: Uint8Array;
  let channels: number;
  let width: number;
  let height: number;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    try {
      // A 2560×1920 RGB photo needs ~15 MB; jpeg-js's default cap of 512 MB is kept.
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      ({ width, height } = img);
      rgb = img.data;
      channels = 3;
    } catch (cause) {
      throw new DatasetError('bad_image', `${path} is not a readable JPEG: ${(cause as Error).message}`, {
        path,
        cause,
      });
    }
  } else if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    try {
      const img = decodePng(bytes);
      ({ width, height, channels } = img);
      rgb = img.pixels;
    } catch (cause) {
      throw new DatasetError('bad_image', `${path} is not a readable PNG: ${(cause as Error).message}`, {
        path,
        cause,
      });
    }
  } else {
    throw new DatasetError('unsupported_format', `${path} is neither a JPEG nor a PNG image`, { path });
  }
  return { width, height, channels, rgb };
}

/** Decodes JPEG or PNG bytes (told apart by their magic) to float BT.601 luma, row-major. */
export function decodeGrey(
  bytes: Uint8Array,
  path: string,
): { width: number; height: number; grey: Float64Array } {
  const { width, height, channels, rgb } = decodePixels(bytes, path);
  const grey = new Float64Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    const p = i * channels;
    // Alpha (PNG RGBA) is ignored: photographs are opaque.
    grey[i] = channels < 3 ? rgb[p] : 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
  }
  return { width, height, grey };
}

/** Decodes JPEG or PNG bytes to three float planes R, G, B (grey photos repeat their one plane). */
export function decodeRgbPlanes(
  bytes: Uint8Array,
  path: string,
): { width: number; height: number; planes: [Float64Array, Float64Array, Float64Array] } {
  const { width, height, channels, rgb } = decodePixels(bytes, path);
  const planes = [0, 1, 2].map(() => new Float64Array(width * height)) as [
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    for (let k = 0; k < 3; k++) planes[k][i] = rgb[p + (channels < 3 ? 0 : k)];
  }
  return { width, height, planes };
}

/** The summed-area table of a `width × height` image, `(width + 1) × (height + 1)` with a zero border. */
export function integralImage(grey: Float64Array, width: number, height: number): Float64Array {
  const stride = width + 1;
  const out = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += grey[y * width + x];
      out[(y + 1) * stride + x + 1] = out[y * stride + x + 1] + rowSum;
    }
  }
  return out;
}

/**
 * The integral at a fractional corner (x, y). Bilinear interpolation of the table is exact here: the
 * integral of a piecewise-constant image is bilinear inside each pixel.
 */
function integralAt(photo: Photo, x: number, y: number): number {
  const { width, height, integral } = photo;
  const stride = width + 1;
  const ix = Math.min(Math.floor(x), width - 1);
  const iy = Math.min(Math.floor(y), height - 1);
  const fx = x - ix;
  const fy = y - iy;
  const i = iy * stride + ix;
  return (
    (integral[i] * (1 - fx) + integral[i + 1] * fx) * (1 - fy) +
    (integral[i + stride] * (1 - fx) + integral[i + stride + 1] * fx) * fy
  );
}

/**
 * Area-resamples the box `[x0, x0 + w] × [y0, y0 + h]` of `photo` (fractional coordinates allowed) to
 * `outW × outH`: each output pixel is the exact mean luma over its share of the box.
 */
export function areaResample(
  photo: Photo,
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Float64Array {
  // Integral values on the (outW + 1) × (outH + 1) grid of cell corners, shared by neighbouring cells.
  const grid = new Float64Array((outW + 1) * (outH + 1));
  for (let a = 0; a <= outH; a++) {
    const y = a === outH ? y0 + h : y0 + (a * h) / outH;
    for (let b = 0; b <= outW; b++) {
      const x = b === outW ? x0 + w : x0 + (b * w) / outW;
      grid[a * (outW + 1) + b] = integralAt(photo, x, y);
    }
  }
  const area = (w / outW) * (h / outH);
  const out = new Float64Array(outW * outH);
  for (let a = 0; a < outH; a++) {
    for (let b = 0; b < outW; b++) {
      const g = a * (outW + 1) + b;
      out[a * outW + b] = (grid[g + outW + 2] - grid[g + 1] - grid[g + outW + 1] + grid[g]) / area;
    }
  }
  return out;
}

/** Makes a {@link Photo} from decoded luma, area-downscaling it to {@link WORKING_SHORT_SIDE} first. */
export function photoFromGrey(path: string, width: number, height: number, grey: Float64Array): Photo {
  const full: Photo = { path, width, height, integral: integralImage(grey, width, height) };
  const scale = WORKING_SHORT_SIDE / Math.min(width, height);
  if (scale >= 1) return full;
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return {
    path,
    width: w,
    height: h,
    integral: integralImage(areaResample(full, 0, 0, width, height, w, h), w, h),
  };
}

/**
 * Reads a JPEG or PNG photograph as a grey {@link Photo}.
 *
 * @throws {DatasetError} `unreadable`, `unsupported_format` or `bad_image`, naming the file
 */
export function loadPhoto(path: string): Photo {
  const { width, height, grey } = decodeGrey(readBytes(path), path);
  return photoFromGrey(path, width, height, grey);
}

/**
 * Reads a JPEG or PNG photograph as three {@link Photo}s, its R, G and B planes, each downscaled as
 * {@link loadPhoto} does (same working size, so a crop box means the same pixels in all three).
 *
 * @throws {DatasetError} `unreadable`, `unsupported_format` or `bad_image`, naming the file
 */
export function loadPhotoRgb(path: string): [Photo, Photo, Photo] {
  const { width, height, planes } = decodeRgbPlanes(readBytes(path), path);
  return planes.map((p) => photoFromGrey(path, width, height, p)) as [Photo, Photo, Photo];
}
