/**
 * Test support (not exported from the barrel): a test file's scratch folder, small ImageFolder trees
 * written into it (PNGs through runtime/codecs and JPEGs through jpeg-js, with pixels that tell the classes
 * apart), and the DatasetError a call throws. `goe reproduce cifar6 --quick` writes its fixture with
 * {@link writeImageFolder} too, so nothing here imports a test runner.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { encodePng, type PngChannels } from '../../../runtime/codecs/index.js';
import { goeEnv } from '../../../runtime/config.js';
import { DatasetError } from '../errors.js';

/** A test file's temporary folder; `setup` and `teardown` are its `beforeAll` and `afterAll`. */
export interface ScratchFolder {
  /** The folder (set by `setup`). */
  readonly root: string;
  /** Makes the folder; with `cache`, points GOE_CACHE_DIR at `root/cache` (decoded-tensor caches land there). */
  setup(): void;
  /** Puts GOE_CACHE_DIR back as it was and removes the folder. */
  teardown(): void;
  /** A new empty folder `root/caseN` for one test case. */
  fresh(): string;
}

/** Sets (or, for undefined, removes) GOE_CACHE_DIR for the code under test in this process. */
function setCacheDir(dir: string | undefined): void {
  if (dir === undefined) Reflect.deleteProperty(process.env, 'GOE_CACHE_DIR');
  else Object.assign(process.env, { GOE_CACHE_DIR: dir });
}

/** A {@link ScratchFolder} under the OS temp folder, named `prefix` + random characters. */
export function scratchFolder(prefix: string, { cache = false }: { cache?: boolean } = {}): ScratchFolder {
  let root: string | undefined;
  let savedCache: string | undefined;
  let n = 0;
  const rootOrThrow = () => {
    if (root === undefined) throw new Error(`scratch folder ${prefix}: setup() has not run`);
    return root;
  };
  return {
    get root() {
      return rootOrThrow();
    },
    setup: () => {
      root = mkdtempSync(join(tmpdir(), prefix));
      if (!cache) return;
      // The code under test reads GOE_CACHE_DIR through runtime/config.ts; the fixture only points it at
      // this folder (and puts it back), so the read is config's too.
      savedCache = goeEnv('GOE_CACHE_DIR');
      setCacheDir(join(root, 'cache'));
    },
    teardown: () => {
      if (cache) {
        setCacheDir(savedCache);
      }
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    },
    fresh: () => {
      const d = join(rootOrThrow(), `case${n++}`);
      mkdirSync(d, { recursive: true });
      return d;
    },
  };
}

/** The DatasetError `fn` throws; any other error is rethrown, and returning is an error. */
export function datasetErrorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected a DatasetError');
}

/** `h × w × channels` pixels of class `label`: a flat colour per class, varied slightly by `i`. */
export function classPixels(
  label: number,
  i: number,
  h: number,
  w: number,
  channels: PngChannels,
): Uint8Array {
  const out = new Uint8Array(h * w * channels);
  const base = [40 + 80 * (label % 3), 200 - 70 * (label % 3), 30 + 100 * ((label + 1) % 3)];
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < channels; k++) {
      out[p * channels + k] = k === 3 ? 255 : Math.min(255, base[k % 3] + ((i + p) % 7));
    }
  }
  return out;
}

/** A PNG file's bytes. */
export function pngBytes(pixels: Uint8Array, h: number, w: number, channels: PngChannels): Uint8Array {
  return encodePng(pixels, h, w, channels);
}

/** A baseline JPEG (quality 95) of `h × w` RGB pixels. */
export function jpegBytes(rgb: Uint8Array, h: number, w: number): Uint8Array {
  const rgba = Buffer.alloc(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    rgba[p * 4] = rgb[p * 3];
    rgba[p * 4 + 1] = rgb[p * 3 + 1];
    rgba[p * 4 + 2] = rgb[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data: rgba, width: w, height: h }, 95).data);
}

/**
 * Writes `root/<class>/<i>.png` (every third one a JPEG named `.jpg`) for each class: `perClass` RGB
 * images of `size × size`. Returns the root.
 */
export function writeImageFolder(
  root: string,
  classes: readonly string[],
  perClass: number,
  size: number,
): string {
  classes.forEach((name, label) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = classPixels(label, i, size, size, 3);
      if (i % 3 === 2) writeFileSync(join(dir, `${i}.jpg`), jpegBytes(px, size, size));
      else writeFileSync(join(dir, `${i}.png`), pngBytes(px, size, size, 3));
    }
  });
  return root;
}
