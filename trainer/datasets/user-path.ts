/**
 * Image sets a user names by path (an OOD test set of their own): an IDX file, a `.npy` array or a
 * folder of PNGs, each holding 28×28 grey (or colour, turned grey) images.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { decodeNpy, decodePng, isCodecError } from '../../runtime/codecs/index.js';
import { gunzipIfNeeded, readBytes } from './bytes.js';
import { DatasetError, type DatasetErrorCode } from './errors.js';
import { decodeIdx, looksLikeIdx } from './idx.js';
import { expectImageShape, IMAGE_SIZE, type ImageSet } from './image-set.js';
import { quantizePixel } from './pixels.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PNG_FILE = /\.png$/i;

/**
 * Loads the image set at `path`, named after its last path component:
 * - an IDX image file (magic 0x00000803), gzipped or raw, whatever its name;
 * - a `.npy` array of shape N×28×28 or N×28×28×1, uint8 (0–255) or float32 in [0, 1] (quantised by
 *   `round(x · 255)`);
 * - a folder of `.png` files (sorted by name; other files ignored), each 28×28 grey, RGB or RGBA, colour
 *   turned grey with BT.601 luma and alpha ignored.
 *
 * @throws {DatasetError} naming the path: `unreadable` (missing or unreadable), `unsupported_format`,
 *   `bad_shape` (naming the shape or the file of another size), `unsupported_dtype`, `bad_value`,
 *   `bad_image`, `empty`, or the IDX/`.npy` header codes
 */
export function loadImagePath(path: string): ImageSet {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DatasetError(
      'unreadable',
      `cannot read ${path}: ${missing ? 'no such file or folder' : (cause as Error).message}`,
      { path, cause },
    );
  }
  const name = basename(resolve(path));
  return isDir ? loadPngFolder(path, name) : loadImageFile(path, name);
}

function loadImageFile(path: string, name: string): ImageSet {
  const bytes = readBytes(path);
  if (NPY_MAGIC.every((b, i) => bytes[i] === b) || /\.npy$/i.test(path)) return loadNpy(bytes, path, name);
  const raw = gunzipIfNeeded(bytes, path);
  if (looksLikeIdx(raw)) {
    const idx = decodeIdx(raw, path, 3);
    return { name, images: idx.data, shape: expectImageShape(idx.shape, path) };
  }
  throw new DatasetError(
    'unsupported_format',
    `${path} is neither an IDX image file (magic 0x00000803, optionally gzipped) nor a .npy array; ` +
      'for PNG images, name the folder that holds them',
    { path },
  );
}

const NPY_CODES: Readonly<Record<string, DatasetErrorCode>> = {
  bad_magic: 'bad_magic',
  truncated: 'truncated',
  trailing_data: 'trailing_data',
  unsupported_dtype: 'unsupported_dtype',
};

function loadNpy(bytes: Uint8Array, path: string, name: string): ImageSet {
  let array: ReturnType<typeof decodeNpy>;
  try {
    array = decodeNpy(bytes);
  } catch (cause) {
    if (!isCodecError(cause)) throw cause;
    throw new DatasetError(NPY_CODES[cause.code] ?? 'bad_header', `${path}: ${cause.message}`, {
      path,
      value: cause.value,
      cause,
    });
  }
  const shape = expectImageShape(array.shape, path);
  if (array.dtype === 'uint8') return { name, images: array.data, shape };
  if (array.dtype === 'float32') {
    const images = new Uint8Array(array.data.length);
    for (let i = 0; i < images.length; i++) {
      const x = array.data[i];
      if (!(x >= 0 && x <= 1)) {
        throw new DatasetError(
          'bad_value',
          `${path}: float32 pixels must lie in [0, 1], got ${x} at flat index ${i}`,
          { path, value: x },
        );
      }
      images[i] = quantizePixel(x);
    }
    return { name, images, shape };
  }
  throw new DatasetError(
    'unsupported_dtype',
    `${path} holds ${array.dtype} values; expected uint8 (0–255) or float32 in [0, 1]`,
    { path, value: array.dtype },
  );
}

function loadPngFolder(dir: string, name: string): ImageSet {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (cause) {
    throw new DatasetError('unreadable', `cannot read the folder ${dir}: ${(cause as Error).message}`, {
      path: dir,
      cause,
    });
  }
  const files = entries.filter((f) => PNG_FILE.test(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) {
    throw new DatasetError('empty', `${dir} holds no .png images`, { path: dir });
  }
  const size = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Uint8Array(files.length * size);
  files.forEach((f, k) => {
    const file = join(dir, f);
    let png: ReturnType<typeof decodePng>;
    try {
      png = decodePng(readBytes(file), { channels: 1 });
    } catch (cause) {
      if (!isCodecError(cause)) throw cause;
      throw new DatasetError('bad_image', `${file} is not a readable PNG: ${cause.message}`, {
        path: file,
        cause,
      });
    }
    if (png.height !== IMAGE_SIZE || png.width !== IMAGE_SIZE) {
      throw new DatasetError(
        'bad_shape',
        `expected ${IMAGE_SIZE}×${IMAGE_SIZE} images, got ${png.height}×${png.width} in ${file}`,
        { path: file, value: [png.height, png.width] },
      );
    }
    images.set(png.pixels, k * size);
  });
  return { name, images, shape: [files.length, IMAGE_SIZE, IMAGE_SIZE, 1] };
}
