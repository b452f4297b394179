/**
 * A team's own labelled images, in the layouts people keep them in, as train and test {@link ImageSet}s
 * of one row shape (`h × w × c`, c = 1 grey or 3 colour):
 * - an ImageFolder tree: `root/<class>/**\/*.png|jpg|jpeg`, or `root/train/<class>/…` with an optional
 *   `root/test/<class>/…` (torchvision's layout; classes sorted by name, labels their indices);
 * - a `.npy` of images (N×H×W, N×H×W×C; uint8, or float32 in [0, 1]) with a `.npy` of integer labels;
 * - an IDX image file (magic 0x00000803, gzipped or not) with an IDX label file.
 * Without a `test/` part, a seeded, per-class `--test-split` fraction is held out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { writeFileAtomicSync } from '../../../runtime/atomic-write.js';
import { goeCacheDir } from '../../../runtime/cache-dir.js';
import { decodeNpy, encodeNpy, isCodecError } from '../../../runtime/codecs/index.js';
import { log } from '../../../runtime/log.js';
import { sampleStream } from '../../../runtime/rng/index.js';
import { gunzipIfNeeded, readBytes } from '../bytes.js';
import { DatasetError } from '../errors.js';
import { decodeIdx, looksLikeIdx } from '../idx.js';
import type { ImageSet } from '../image-set.js';
import { quantizePixel } from '../pixels.js';
import { DatasetPurpose } from '../purpose.js';
import { decodeImage, type ImageHeader, readImageHeader, toRowShape } from './decode.js';

/** Row shape of a data set: height, width, channels (1 grey or 3 colour). */
export type RowShape = [h: number, w: number, c: 1 | 3];

/** Options of {@link loadImageSource}. */
export interface ImageSourceOptions {
  /** Side of the (square) rows; default the most common size of the data (which may be non-square). */
  size?: number;
  /** 1 grey or 3 colour; default the most common colour of the data. */
  channels?: 1 | 3;
  /** Fraction held out for the test set when the data has no test part; default 0.1. */
  testSplit?: number;
  /** Seed of that split (uint32); default 0. */
  seed?: number;
  /** The labels file of a `.npy` or IDX image file; default its sibling (images → labels, idx3 → idx1, x → y). */
  labels?: string;
  /** Keep and reuse decoded ImageFolder tensors in `$GOE_CACHE_DIR/decoded`; default true. */
  cache?: boolean;
  /** Called as files are decoded (ImageFolder only). */
  onProgress?: (done: number, total: number) => void;
}

/** Default fraction of each class held out as the test set when the data has no test part. */
export const DEFAULT_TEST_SPLIT = 0.1;

/** A loaded data set and what was seen on the way (for manifests and `goe data inspect`). */
export interface ImageSource {
  name: string;
  /** Absolute path of the folder or images file. */
  path: string;
  format: 'image-folder' | 'npy' | 'idx';
  labelsPath?: string;
  classNames: string[];
  train: ImageSet;
  test: ImageSet;
  rowShape: RowShape;
  /** `folders`: the data's own train/test parts; `seeded`: a `testSplit` fraction per class, by `seed`. */
  split: 'folders' | 'seeded';
  testSplit?: number;
  seed: number;
  /** `sha256:` over the class names and the train and test rows and labels (what a model was trained on). */
  digest: string;
  /** Source image sizes (`HxW`) and colours (`grey`, `grey+alpha`, `colour`, `colour+alpha`) → counts. */
  sizes: Record<string, number>;
  colours: Record<string, number>;
  /** Non-fatal problems: resized or converted images, ignored files. */
  warnings: string[];
  /** True when the rows came from the decoded-tensor cache. */
  cached: boolean;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const COLOUR_NAMES = { 1: 'grey', 2: 'grey+alpha', 3: 'colour', 4: 'colour+alpha' } as const;
/** Bumped whenever decoding or conversion changes, so old cached tensors are never reused. */
const CACHE_VERSION = 1;

/** Hidden files, macOS resource forks and OS thumbnails are never data. */
export function isIgnoredEntry(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX' || name === 'Thumbs.db' || name === 'desktop.ini';
}

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !isIgnoredEntry(n))
      .sort();
  } catch (cause) {
    throw new DatasetError('unreadable', `cannot read the folder ${dir}: ${(cause as Error).message}`, {
      path: dir,
      cause,
    });
  }
}

const isDir = (p: string) => statSync(p).isDirectory();

/** Image files under `dir`, recursively, sorted; `ignored` counts the other (non-hidden) files. */
function listImageFiles(dir: string): { files: string[]; ignored: number } {
  const files: string[] = [];
  let ignored = 0;
  for (const name of readDir(dir)) {
    const p = join(dir, name);
    if (isDir(p)) {
      const sub = listImageFiles(p);
      files.push(...sub.files);
      ignored += sub.ignored;
    } else if (IMAGE_FILE.test(name)) files.push(p);
    else ignored++;
  }
  return { files, ignored };
}

interface Entry {
  file: string;
  label: number;
  test: boolean;
}

/** The ImageFolder entries of `root`: classes, files and whether the tree has its own test part. */
function scanImageFolder(root: string): {
  classNames: string[];
  entries: Entry[];
  hasTest: boolean;
  ignored: number;
} {
  const top = readDir(root).filter((n) => isDir(join(root, n)));
  const split = top.includes('train');
  const trainDir = split ? join(root, 'train') : root;
  const classDirs = readDir(trainDir).filter((n) => isDir(join(trainDir, n)));
  if (classDirs.length === 0) {
    throw new DatasetError(
      'empty',
      `${trainDir} holds no class folders (expected ${trainDir}/<class>/*.png|jpg|jpeg)`,
      { path: trainDir },
    );
  }
  // Class names as the folders spell them (spaces and non-ASCII kept), NFC so train/ and test/ agree.
  const classNames = classDirs.map((n) => n.normalize('NFC'));
  if (classNames.length < 2) {
    throw new DatasetError(
      'too_few_classes',
      `${trainDir} has one class folder (${classNames[0]}); a classifier needs at least two`,
      { path: trainDir, value: classNames },
    );
  }
  const entries: Entry[] = [];
  let ignored = 0;
  const addPart = (dir: string, test: boolean) => {
    for (const folder of readDir(dir)) {
      const p = join(dir, folder);
      if (!isDir(p)) {
        ignored++;
        continue;
      }
      const label = classNames.indexOf(folder.normalize('NFC'));
      if (label < 0) {
        throw new DatasetError(
          'label_mismatch',
          `${p} is a class that ${trainDir} does not have (classes: ${classNames.join(', ')})`,
          { path: p },
        );
      }
      const found = listImageFiles(p);
      ignored += found.ignored;
      if (found.files.length === 0 && !test) {
        throw new DatasetError('empty', `the class folder ${p} holds no .png/.jpg/.jpeg images`, { path: p });
      }
      for (const file of found.files) entries.push({ file, label, test });
    }
  };
  addPart(trainDir, false);
  const hasTest = split && existsSync(join(root, 'test'));
  if (hasTest) addPart(join(root, 'test'), true);
  return { classNames, entries, hasTest, ignored };
}

const count = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

function mostCommon(map: Record<string, number>): string {
  return Object.entries(map).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}

/** `[h, w]` of a `HxW` key. */
const parseSize = (key: string) => key.split('x').map(Number) as [number, number];

function chooseShape(
  sizes: Record<string, number>,
  colours: Record<string, number>,
  o: ImageSourceOptions,
): RowShape {
  const [h, w] = o.size ? [o.size, o.size] : parseSize(mostCommon(sizes));
  let channels = o.channels;
  if (!channels) {
    let grey = 0;
    let colour = 0;
    for (const [k, n] of Object.entries(colours)) {
      if (k.startsWith('grey')) grey += n;
      else colour += n;
    }
    channels = grey > colour ? 1 : 3;
  }
  return [h, w, channels];
}

/** Messages for the images that were resized or converted to `shape`. */
function conversionWarnings(
  sizes: Record<string, number>,
  colours: Record<string, number>,
  [h, w, c]: RowShape,
  where: string,
): string[] {
  const out: string[] = [];
  const resized = Object.entries(sizes)
    .filter(([k]) => k !== `${h}x${w}`)
    .reduce((s, [, n]) => s + n, 0);
  if (resized > 0) {
    out.push(
      `${resized} image(s) of ${where} resized to ${h}×${w} (sizes: ${Object.entries(sizes)
        .map(([k, n]) => `${k.replace('x', '×')} ${n}`)
        .join(', ')})`,
    );
  }
  const want = c === 1 ? 'grey' : 'colour';
  for (const [k, n] of Object.entries(colours)) {
    if (k === want) continue;
    const what = k.startsWith(want) ? 'alpha dropped (colour values kept)' : `converted to ${want}`;
    out.push(`${n} ${k} image(s) of ${where}: ${what}`);
  }
  return out;
}

/**
 * Per class, a seeded `fraction` of its rows (rounded, at least one when the class has two or more)
 * for the test set. Returns a flag per row: true = test.
 */
export function seededSplit(labels: Int32Array, classes: number, fraction: number, seed: number): Uint8Array {
  const isTest = new Uint8Array(labels.length);
  for (let c = 0; c < classes; c++) {
    const rows: number[] = [];
    labels.forEach((l, i) => {
      if (l === c) rows.push(i);
    });
    // Fisher–Yates on the class's own counter-based stream: adding a class does not move another's split.
    const rng = sampleStream(seed, c, DatasetPurpose.TEST_SPLIT);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.uniformInt(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const k = rows.length < 2 ? 0 : Math.max(1, Math.round(rows.length * fraction));
    for (let i = 0; i < k; i++) isTest[rows[i]] = 1;
  }
  return isTest;
}

export function checkSplit(fraction: number): void {
  if (!(fraction > 0 && fraction < 1)) {
    throw new DatasetError(
      'bad_argument',
      `--test-split must lie strictly between 0 and 1, got ${fraction}`,
      {
        value: fraction,
      },
    );
  }
}

/** Splits rows (`rowSize` bytes each) and labels into train and test sets by `isTest`. */
function partition(
  name: string,
  images: Uint8Array,
  labels: Int32Array,
  isTest: Uint8Array,
  [h, w, c]: RowShape,
  classNames: string[],
): { train: ImageSet; test: ImageSet } {
  const rowSize = h * w * c;
  const nTest = isTest.reduce((s, t) => s + t, 0);
  const make = (test: boolean, n: number): ImageSet => {
    const out = new Uint8Array(n * rowSize);
    const lab = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < labels.length; i++) {
      if (Boolean(isTest[i]) !== test) continue;
      out.set(images.subarray(i * rowSize, (i + 1) * rowSize), k * rowSize);
      lab[k++] = labels[i];
    }
    return {
      name: `${name}-${test ? 'test' : 'train'}`,
      images: out,
      shape: [n, h, w, c],
      labels: lab,
      classNames,
    };
  };
  return { train: make(false, labels.length - nTest), test: make(true, nTest) };
}

function digestSets(classNames: string[], train: ImageSet, test: ImageSet): string {
  const hash = createHash('sha256').update(JSON.stringify({ classNames, shape: train.shape.slice(1) }));
  for (const s of [train, test]) {
    hash.update(s.images);
    hash.update(new Uint8Array(s.labels!.buffer, s.labels!.byteOffset, s.labels!.byteLength));
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The folder the decoded-tensor cache keeps its files in. */
export function decodedCacheDir(): string {
  return join(goeCacheDir(), 'decoded');
}

interface CacheMeta {
  version: number;
  classNames: string[];
  rowShape: RowShape;
  trainLabels: number[];
  testLabels: number[];
  sizes: Record<string, number>;
  colours: Record<string, number>;
  warnings: string[];
  digest: string;
}

function readCache(key: string): CacheMeta | undefined {
  const meta = join(decodedCacheDir(), `${key}.json`);
  if (!existsSync(meta)) return undefined;
  try {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as CacheMeta;
    return m.version === CACHE_VERSION ? m : undefined;
  } catch {
    return undefined; // a torn or foreign file: decode again and overwrite it
  }
}

/**
 * Loads an ImageFolder tree; see the module comment. Decodes each file twice in effect: its header
 * first (all of them, to find the most common size and colour), then its pixels, converted at once, so
 * memory holds the rows and one source image at a time.
 */
function loadImageFolder(root: string, o: ImageSourceOptions): ImageSource {
  const { classNames, entries, hasTest, ignored } = scanImageFolder(root);
  const seed = o.seed ?? 0;
  const testSplit = hasTest ? undefined : (o.testSplit ?? DEFAULT_TEST_SPLIT);
  if (testSplit !== undefined) checkSplit(testSplit);
  const stats = entries.map((e) => {
    const s = statSync(e.file);
    return [relative(root, e.file), s.size, s.mtimeMs];
  });
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        v: CACHE_VERSION,
        root,
        size: o.size ?? null,
        channels: o.channels ?? null,
        testSplit: testSplit ?? null,
        seed,
        stats,
      }),
    )
    .digest('hex');
  const name = basename(root);
  const common = {
    name,
    path: root,
    format: 'image-folder' as const,
    classNames,
    split: hasTest ? ('folders' as const) : ('seeded' as const),
    ...(testSplit !== undefined ? { testSplit } : {}),
    seed,
  };
  const ignoredNote = ignored > 0 ? [`${ignored} file(s) that are not .png/.jpg/.jpeg ignored`] : [];
  const useCache = o.cache ?? true;
  const hit = useCache ? readCache(key) : undefined;
  if (hit) {
    const load = (part: 'train' | 'test', labels: number[]): ImageSet => {
      const arr = decodeNpy(readBytes(join(decodedCacheDir(), `${key}.${part}.npy`)));
      return {
        name: `${name}-${part}`,
        images: arr.data as Uint8Array,
        shape: arr.shape as ImageSet['shape'],
        labels: Int32Array.from(labels),
        classNames,
      };
    };
    return {
      ...common,
      train: load('train', hit.trainLabels),
      test: load('test', hit.testLabels),
      rowShape: hit.rowShape,
      digest: hit.digest,
      sizes: hit.sizes,
      colours: hit.colours,
      warnings: hit.warnings,
      cached: true,
    };
  }
  const headers: ImageHeader[] = entries.map((e) => readImageHeader(readBytes(e.file), e.file));
  const sizes: Record<string, number> = {};
  const colours: Record<string, number> = {};
  for (const h of headers) {
    count(sizes, `${h.height}x${h.width}`);
    count(colours, COLOUR_NAMES[h.channels]);
  }
  const rowShape = chooseShape(sizes, colours, o);
  const { images } = decodeRows(
    entries.map((e) => e.file),
    rowShape,
    o.onProgress,
  );
  const labels = Int32Array.from(entries, (e) => e.label);
  const isTest = hasTest
    ? Uint8Array.from(entries, (e) => (e.test ? 1 : 0))
    : seededSplit(labels, classNames.length, testSplit!, seed);
  const { train, test } = partition(name, images, labels, isTest, rowShape, classNames);
  const warnings = [...conversionWarnings(sizes, colours, rowShape, root), ...ignoredNote];
  const digest = digestSets(classNames, train, test);
  if (useCache) {
    try {
      const dir = decodedCacheDir();
      mkdirSync(dir, { recursive: true });
      writeFileAtomicSync(join(dir, `${key}.train.npy`), encodeNpy(train.images, train.shape));
      writeFileAtomicSync(join(dir, `${key}.test.npy`), encodeNpy(test.images, test.shape));
      const meta: CacheMeta = {
        version: CACHE_VERSION,
        classNames,
        rowShape,
        trainLabels: [...train.labels!],
        testLabels: [...test.labels!],
        sizes,
        colours,
        warnings,
        digest,
      };
      // The metadata last: it is what marks the entry complete.
      writeFileAtomicSync(join(dir, `${key}.json`), JSON.stringify(meta));
    } catch {
      // A read-only or full cache folder only costs the next run a decode.
    }
  }
  return { ...common, train, test, rowShape, digest, sizes, colours, warnings, cached: false };
}

/** The labels file beside an images file: `images` → `labels`, `idx3` → `idx1`, `x` → `y`. */
export function siblingLabels(imagesPath: string): string | undefined {
  const dir = dirname(imagesPath);
  const base = basename(imagesPath);
  const candidates = [
    base.replace(/images/g, 'labels').replace(/idx3/g, 'idx1'),
    base.replace(/Images/g, 'Labels'),
    base.replace(/^x(?=[._-])/i, (m) => (m === 'x' ? 'y' : 'Y')),
    base.replace(/_x(?=[._])/i, '_y'),
  ].filter((b) => b !== base);
  return candidates.map((b) => join(dir, b)).find((p) => existsSync(p));
}

/** uint8 rows `N×H×W×C` of a `.npy` or IDX images file. */
function readImageArray(path: string): { format: 'npy' | 'idx'; data: Uint8Array; shape: number[] } {
  const bytes = readBytes(path);
  if (bytes[0] === 0x93 && bytes[1] === 0x4e) {
    let arr: ReturnType<typeof decodeNpy>;
    try {
      arr = decodeNpy(bytes);
    } catch (cause) {
      if (!isCodecError(cause)) throw cause;
      throw new DatasetError('bad_header', `${path}: ${cause.message}`, { path, cause });
    }
    const shape = arr.shape.length === 3 ? [...arr.shape, 1] : [...arr.shape];
    if (shape.length !== 4 || ![1, 3, 4].includes(shape[3])) {
      throw new DatasetError(
        'bad_shape',
        `${path} has shape [${arr.shape.join(', ')}]; expected N×H×W or N×H×W×C images (C = 1, 3 or 4)`,
        { path, value: arr.shape },
      );
    }
    if (arr.dtype === 'uint8') return { format: 'npy', data: arr.data as Uint8Array, shape };
    if (arr.dtype === 'float32') {
      const data = new Uint8Array(arr.data.length);
      for (let i = 0; i < data.length; i++) {
        const x = arr.data[i];
        if (!(x >= 0 && x <= 1)) {
          throw new DatasetError(
            'bad_value',
            `${path}: float32 pixels must lie in [0, 1], got ${x} at flat index ${i}`,
            {
              path,
              value: x,
            },
          );
        }
        data[i] = quantizePixel(x);
      }
      return { format: 'npy', data, shape };
    }
    throw new DatasetError(
      'unsupported_dtype',
      `${path} holds ${arr.dtype} pixels; expected uint8 or float32 in [0, 1]`,
      {
        path,
        value: arr.dtype,
      },
    );
  }
  const raw = gunzipIfNeeded(bytes, path);
  if (looksLikeIdx(raw)) {
    const idx = decodeIdx(raw, path, 3);
    return { format: 'idx', data: idx.data, shape: [...idx.shape, 1] };
  }
  throw new DatasetError(
    'unsupported_format',
    `${path} is neither a .npy array nor an IDX image file, nor a folder of class folders`,
    { path },
  );
}

/** Integer labels of a `.npy` (uint8, int32, or int64 whose values fit int32) or IDX label file. */
function readLabelArray(path: string): Int32Array {
  const bytes = readBytes(path);
  let values: Int32Array;
  let rank: number;
  if (bytes[0] === 0x93 && bytes[1] === 0x4e) {
    let arr: ReturnType<typeof decodeNpy>;
    try {
      arr = decodeNpy(bytes);
    } catch (cause) {
      if (!isCodecError(cause)) throw cause;
      const code = cause.code === 'bad_value' ? 'bad_value' : 'bad_header';
      throw new DatasetError(code, `${path}: ${cause.message} (labels must be uint8, int32 or int64)`, {
        path,
        cause,
      });
    }
    if (arr.dtype === 'float32') {
      throw new DatasetError(
        'unsupported_dtype',
        `${path} holds float32 labels; expected uint8, int32 or int64 class indices`,
        {
          path,
          value: arr.dtype,
        },
      );
    }
    values = Int32Array.from(arr.data as ArrayLike<number>);
    rank = arr.shape.length;
  } else {
    const idx = decodeIdx(bytes, path, 1);
    values = Int32Array.from(idx.data);
    rank = 1;
  }
  if (rank !== 1) {
    throw new DatasetError('bad_shape', `${path} must be a 1-D array of class indices, got rank ${rank}`, {
      path,
      value: rank,
    });
  }
  const bad = values.findIndex((v) => v < 0);
  if (bad >= 0) {
    throw new DatasetError('bad_value', `${path}: label ${values[bad]} at index ${bad} is negative`, {
      path,
      value: values[bad],
    });
  }
  return values;
}

/** Loads a `.npy`/IDX images file with its labels file; see the module comment. */
function loadArrayPair(path: string, o: ImageSourceOptions): ImageSource {
  const labelsPath = o.labels ? resolve(o.labels) : siblingLabels(path);
  if (!labelsPath) {
    throw new DatasetError(
      'unreadable',
      `no labels file found beside ${path} (tried images→labels, idx3→idx1, x→y); pass --labels FILE`,
      { path },
    );
  }
  const arr = readImageArray(path);
  const labels = readLabelArray(labelsPath);
  const [n, sh, sw, sc] = arr.shape;
  if (labels.length !== n) {
    throw new DatasetError(
      'label_mismatch',
      `${labelsPath} has ${labels.length} labels for the ${n} images of ${path}`,
      {
        path: labelsPath,
        value: labels.length,
      },
    );
  }
  const classes = labels.reduce((m, l) => Math.max(m, l), -1) + 1;
  if (new Set(labels).size < 2) {
    throw new DatasetError(
      'too_few_classes',
      `${labelsPath} holds one class only; a classifier needs at least two`,
      {
        path: labelsPath,
      },
    );
  }
  const classNames = Array.from({ length: classes }, (_, i) => String(i));
  const sizes = { [`${sh}x${sw}`]: n };
  const colours = { [COLOUR_NAMES[sc as 1 | 3 | 4]]: n };
  const rowShape = chooseShape(sizes, colours, o);
  const images = toRows(arr, rowShape);
  const seed = o.seed ?? 0;
  const testSplit = o.testSplit ?? DEFAULT_TEST_SPLIT;
  checkSplit(testSplit);
  const name = basename(path).replace(/\.(npy|gz)$/i, '');
  const { train, test } = partition(
    name,
    images,
    labels,
    seededSplit(labels, classes, testSplit, seed),
    rowShape,
    classNames,
  );
  return {
    name,
    path,
    format: arr.format,
    labelsPath,
    classNames,
    train,
    test,
    rowShape,
    split: 'seeded',
    testSplit,
    seed,
    digest: digestSets(classNames, train, test),
    sizes,
    colours,
    warnings: conversionWarnings(sizes, colours, rowShape, path),
    cached: false,
  };
}

/**
 * Image files decoded in order into rows of `[h, w, c]`; `converted` counts those not already that shape.
 * @throws {DatasetError} `bad_image`, `unsupported_format`, … naming the file
 */
function decodeRows(
  files: readonly string[],
  [h, w, c]: RowShape,
  onProgress?: (done: number, total: number) => void,
): { images: Uint8Array; converted: number } {
  const rowSize = h * w * c;
  const images = new Uint8Array(files.length * rowSize);
  let converted = 0;
  files.forEach((f, i) => {
    const img = decodeImage(readBytes(f), f);
    if (img.height !== h || img.width !== w || img.channels !== c) converted++;
    images.set(toRowShape(img, h, w, c), i * rowSize);
    onProgress?.(i + 1, files.length);
  });
  return { images, converted };
}

/** The rows of an images array brought to `[h, w, c]` (the array itself when it already is). */
function toRows(arr: { data: Uint8Array; shape: number[] }, [h, w, c]: RowShape): Uint8Array {
  const [n, sh, sw, sc] = arr.shape;
  if (h === sh && w === sw && c === sc) return arr.data;
  const rowSize = h * w * c;
  const src = sh * sw * sc;
  const images = new Uint8Array(n * rowSize);
  for (let i = 0; i < n; i++) {
    const img = {
      width: sw,
      height: sh,
      channels: sc as 1 | 3 | 4,
      pixels: arr.data.subarray(i * src, (i + 1) * src),
    };
    images.set(toRowShape(img, h, w, c), i * rowSize);
  }
  return images;
}

/** IDX images files a folder may hold as its train and test parts (the MNIST / Fashion-MNIST names). */
const IDX_TRAIN = /^train-images[.-]idx3-ubyte(\.gz)?$/;
const IDX_TEST = /^(t10k|test)-images[.-]idx3-ubyte(\.gz)?$/;

/** The train and test IDX images files directly in `dir`, when it holds both (and no class folders). */
function idxPairsIn(dir: string): { train: string; test: string } | undefined {
  const names = readDir(dir);
  const train = names.find((n) => IDX_TRAIN.test(n));
  const test = names.find((n) => IDX_TEST.test(n));
  if (!train || !test || names.some((n) => isDir(join(dir, n)))) return undefined;
  return { train: join(dir, train), test: join(dir, test) };
}

/** One IDX images file and its sibling labels, counts checked. */
function readIdxPart(path: string): { arr: ReturnType<typeof readImageArray>; labels: Int32Array } {
  const labelsPath = siblingLabels(path);
  if (!labelsPath) {
    throw new DatasetError('unreadable', `no labels file beside ${path} (expected its idx1 sibling)`, {
      path,
    });
  }
  const arr = readImageArray(path);
  const labels = readLabelArray(labelsPath);
  if (labels.length !== arr.shape[0]) {
    throw new DatasetError(
      'label_mismatch',
      `${labelsPath} has ${labels.length} labels for the ${arr.shape[0]} images of ${path}`,
      { path: labelsPath, value: labels.length },
    );
  }
  return { arr, labels };
}

/**
 * A folder holding the four MNIST-style IDX files (`train-images-idx3-ubyte[.gz]`, `train-labels-…`,
 * `t10k-images-…`, `t10k-labels-…`): the data set's own train and test parts (`split: 'folders'`).
 */
function loadIdxFolder(
  dir: string,
  files: { train: string; test: string },
  o: ImageSourceOptions,
): ImageSource {
  const train = readIdxPart(files.train);
  const test = readIdxPart(files.test);
  const [, sh, sw, sc] = train.arr.shape;
  const [, th, tw, tc] = test.arr.shape;
  const all = Int32Array.from([...train.labels, ...test.labels]);
  if (new Set(train.labels).size < 2) {
    throw new DatasetError(
      'too_few_classes',
      `${files.train} holds one class only; a classifier needs at least two`,
      {
        path: files.train,
      },
    );
  }
  const classes = all.reduce((m, l) => Math.max(m, l), -1) + 1;
  const classNames = Array.from({ length: classes }, (_, i) => String(i));
  const sizes: Record<string, number> = {};
  const colours: Record<string, number> = {};
  for (const [n, h, w, c] of [
    [train.labels.length, sh, sw, sc],
    [test.labels.length, th, tw, tc],
  ]) {
    sizes[`${h}x${w}`] = (sizes[`${h}x${w}`] ?? 0) + n;
    const colour = COLOUR_NAMES[c as 1 | 3 | 4];
    colours[colour] = (colours[colour] ?? 0) + n;
  }
  const rowShape = chooseShape(sizes, colours, o);
  const [h, w, c] = rowShape;
  const name = basename(dir);
  const set = (part: 'train' | 'test', p: typeof train): ImageSet => ({
    name: `${name}-${part}`,
    images: toRows(p.arr, rowShape),
    shape: [p.labels.length, h, w, c],
    labels: p.labels,
    classNames,
  });
  const trainSet = set('train', train);
  const testSet = set('test', test);
  return {
    name,
    path: dir,
    format: 'idx',
    classNames,
    train: trainSet,
    test: testSet,
    rowShape,
    split: 'folders',
    seed: o.seed ?? 0,
    digest: digestSets(classNames, trainSet, testSet),
    sizes,
    colours,
    warnings: conversionWarnings(sizes, colours, rowShape, dir),
    cached: false,
  };
}

/**
 * `fs.statSync(path)`, or a DatasetError `unreadable` naming the path and why (`no such file or folder`
 * when it is missing).
 */
export function statOrThrow(path: string): Stats {
  try {
    return statSync(path);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DatasetError(
      'unreadable',
      `cannot read ${path}: ${missing ? 'no such file or folder' : (cause as Error).message}`,
      {
        path,
        cause,
      },
    );
  }
}

/**
 * Loads a labelled image data set from `path` (an ImageFolder tree, a `.npy`/IDX images file with its
 * labels file, or a folder of the four MNIST-style IDX files as train and test parts) as train and test sets of one row shape; see the module comment and {@link ImageSourceOptions}.
 *
 * @throws {DatasetError} naming the file or folder at fault: `unreadable`, `empty` (a class folder without
 *   images, no class folders), `too_few_classes`, `label_mismatch` (label count ≠ image count, a test
 *   class missing from train), `bad_image` (corrupt or truncated), `unsupported_format`, `bad_shape`,
 *   `bad_value`, `unsupported_dtype`, `bad_argument` (`testSplit` outside (0, 1))
 */
export function loadImageSource(path: string, o: ImageSourceOptions = {}): ImageSource {
  const abs = resolve(path);
  if (!statOrThrow(abs).isDirectory()) return loadArrayPair(abs, o);
  const idx = idxPairsIn(abs);
  return idx ? loadIdxFolder(abs, idx, o) : loadImageFolder(abs, o);
}

/**
 * Unlabelled images at `path` brought to `rowShape`, for an OOD test set: a folder's image files
 * (recursively; only its `test/` part when it has one; hidden files and `__MACOSX` ignored), a
 * `.npy`/IDX images file, or a folder of the four IDX files (its test images). Named after the path's last component.
 *
 * @throws {DatasetError} `unreadable`, `empty`, `bad_image`, `unsupported_format`, … naming the file
 */
export function loadImagesAs(
  path: string,
  rowShape: RowShape,
  onProgress?: (done: number, total: number) => void,
): ImageSet {
  let abs = resolve(path);
  const name = basename(abs);
  const [h, w, c] = rowShape;
  const folder = statOrThrow(abs).isDirectory();
  // A folder of the four IDX files: its test images.
  const idx = folder ? idxPairsIn(abs) : undefined;
  if (idx) abs = idx.test;
  if (folder && !idx) {
    const testDir = join(abs, 'test');
    const { files } = listImageFiles(existsSync(testDir) && isDir(testDir) ? testDir : abs);
    if (files.length === 0)
      throw new DatasetError('empty', `${abs} holds no .png/.jpg/.jpeg images`, { path: abs });
    const { images, converted } = decodeRows(files, rowShape, onProgress);
    warnConverted(abs, converted, files.length, rowShape);
    return { name, images, shape: [files.length, h, w, c] };
  }
  const arr = readImageArray(abs);
  const [n, sh, sw, sc] = arr.shape;
  const images = toRows(arr, rowShape);
  warnConverted(abs, sh !== h || sw !== w || sc !== c ? n : 0, n, rowShape, `${sh}×${sw}×${sc}`);
  return { name, images, shape: [n, h, w, c] };
}

/** Says how many OOD images were resized or converted to the classifier's row shape (never silently). */
function warnConverted(path: string, converted: number, total: number, shape: RowShape, from?: string): void {
  if (converted === 0) return;
  const source = from ? ` from ${from}` : '';
  log('warn', `${path}: ${converted} of ${total} images resized or converted${source} to ${shape.join('×')}`);
}
