/**
 * Natural outliers for Outlier Exposure training: 28×28 grey crops of photographs, the stand-in for
 * Hendrycks et al.'s 80 Million Tiny Images on a machine with only Debian packages.
 *
 * Crop i comes from its own stream `sampleStream(seed, start + i, DatasetPurpose.NATURAL_CROP)`, drawn
 * in this order: the photo (uniform over the folder's files, sorted by name), the side
 * `s = short · (1/16)^u` (log-uniform between 1/16 of the photo's shorter side and all of it, so crops
 * range from texture to whole scene), then the top-left corner uniform over the positions that keep the
 * square inside the photo. The square is area-averaged down to 28×28 (see photo.ts) and rounded to uint8.
 * So crop i depends only on (seed, i) and the folder's contents, never on batch size or call order.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sampleStream } from '../../runtime/rng/index.js';
import { DatasetError } from './errors.js';
import { checkGenerateArgs, type GenerateOptions } from './generate-args.js';
import { IMAGE_SIZE, type ImageSet } from './image-set.js';
import { PHOTO_FILE, requireDataset } from './locate.js';
import { areaResample, loadPhoto, loadPhotoRgb, type Photo } from './photo.js';
import { DatasetPurpose } from './purpose.js';

/** The smallest crop side, as a fraction of the photo's shorter side. */
export const MIN_CROP_FRACTION = 1 / 16;

/** Options of {@link naturalOutliers}. */
export interface NaturalOptions extends GenerateOptions {
  /** Folder of JPEG/PNG photographs; by default the `natural-photos` catalog entry (mate-backgrounds). */
  dir?: string;
  /**
   * Height, width, channels of each crop; default [28, 28, 1] (grey, BT.601 luma). With 3 channels the
   * same boxes are area-averaged in R, G and B.
   */
  shape?: readonly [number, number, number];
}

/** Decoded photos by path (grey) and path (colour: R, G, B planes); decoding takes seconds, so once. */
const photos = new Map<string, Photo>();
const colourPhotos = new Map<string, [Photo, Photo, Photo]>();

function cachedPhoto(path: string): Photo {
  let photo = photos.get(path);
  if (!photo) {
    photo = loadPhoto(path);
    photos.set(path, photo);
  }
  return photo;
}

function cachedColourPhoto(path: string): [Photo, Photo, Photo] {
  let planes = colourPhotos.get(path);
  if (!planes) {
    planes = loadPhotoRgb(path);
    colourPhotos.set(path, planes);
  }
  return planes;
}

/**
 * The JPEG/PNG files directly inside `dir`, sorted by name (code-unit order, not locale, so the list is
 * the same on every machine).
 *
 * @throws {DatasetError} `unreadable` if `dir` is not a readable folder, `empty` if it has no photos
 */
export function listPhotos(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new DatasetError('unreadable', `cannot read the photo folder ${dir}: ${(cause as Error).message}`, {
      path: dir,
      cause,
    });
  }
  const files = names
    .filter((f) => PHOTO_FILE.test(f))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile());
  if (files.length === 0) {
    throw new DatasetError('empty', `${dir} holds no .jpg, .jpeg or .png photographs`, { path: dir });
  }
  return files;
}

/**
 * `n` natural-outlier images: deterministic random crops (28×28 grey by default, `options.shape` else) of the photographs in `dir` (see the
 * module note for the exact draw). Photos are decoded lazily, once a process. Named `natural`.
 *
 * @throws {DatasetError} `bad_argument` for a bad count, start or seed; `not_found` when no `dir` is given
 *   and no photo folder is installed; file errors naming the photo
 */
export function naturalOutliers(n: number, seed: number, options: NaturalOptions = {}): ImageSet {
  const start = checkGenerateArgs('naturalOutliers', n, seed, options);
  const files = listPhotos(options.dir ?? requireDataset('natural-photos'));
  const [h, w, c] = options.shape ?? [IMAGE_SIZE, IMAGE_SIZE, 1];
  if (c !== 1 && c !== 3) {
    throw new DatasetError('bad_argument', `natural crops have 1 or 3 channels, not ${c}`, { value: c });
  }
  const size = h * w * c;
  const images = new Uint8Array(n * size);
  const logMin = Math.log(MIN_CROP_FRACTION);
  const px = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  for (let i = 0; i < n; i++) {
    const stream = sampleStream(seed, start + i, DatasetPurpose.NATURAL_CROP);
    const file = files[stream.uniformInt(files.length)];
    const planes = c === 1 ? [cachedPhoto(file)] : cachedColourPhoto(file);
    const photo = planes[0];
    // A square box of the photo, area-averaged to w×h (aspect changes only for non-square rows).
    const side = Math.min(photo.width, photo.height) * Math.exp(logMin * stream.uniform());
    const x0 = stream.uniform() * (photo.width - side);
    const y0 = stream.uniform() * (photo.height - side);
    planes.forEach((plane, k) => {
      const crop = areaResample(plane, x0, y0, side, side, w, h);
      for (let p = 0; p < h * w; p++) images[i * size + p * c + k] = px(crop[p]);
    });
  }
  return { name: 'natural', images, shape: [n, h, w, c] };
}
