/**
 * Downloading a catalogued dataset into the cache dir when no local folder holds it (DESIGN.md, "Datasets":
 * local paths, then the cache, then the official source). Every file is checked against its published
 * SHA-256 before it is moved into place, so a cache folder either holds verified files or none.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from './errors.js';
import { type DatasetSpec, datasets, locateDataset } from './locate.js';

/** Where a dataset can be downloaded from: mirrors tried in order, each file with its SHA-256. */
export interface DatasetSource {
  /** Base URLs ending in `/`; a file's URL is base + its name. */
  mirrors: readonly string[];
  /** File name → lowercase hex SHA-256 of its bytes. */
  sha256: Readonly<Record<string, string>>;
}

/**
 * The sources goe may download from. MNIST's test set: Y. LeCun's site and the two mirrors the frameworks
 * use (TensorFlow: Google's CVDF bucket; torchvision: PyTorch's ossci bucket); the SHA-256 of the
 * original gzip files (1,648,877 and 4,542 bytes) as published with several MNIST loaders.
 */
export const DATASET_SOURCES: Readonly<Record<string, DatasetSource>> = {
  'mnist-test': {
    mirrors: [
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    sha256: {
      't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    },
  },
};

/** What {@link ensureDataset} needs from the outside world; tests pass their own `fetch`. */
export interface EnsureOptions {
  fetch?: typeof fetch;
  /** Progress lines for the user (default: none). */
  onProgress?: (message: string) => void;
  /** Overrides {@link DATASET_SOURCES} (tests serve files they made). */
  sources?: Readonly<Record<string, DatasetSource>>;
}

/**
 * The folder holding dataset `name`: a local folder or the cache (see {@link locateDataset}), else, for a
 * dataset with a {@link DATASET_SOURCES} entry, a fresh download into the cache, verified by SHA-256.
 *
 * @throws {DatasetError} `not_found` naming the folders tried, the variable to set and (for a download
 *   that failed) each mirror's error; `bad_argument` for a name not in the catalog
 */
export async function ensureDataset(name: string, options: EnsureOptions = {}): Promise<string> {
  const spec = datasets.find((d) => d.name === name);
  if (!spec)
    throw new DatasetError('bad_argument', `no dataset named ${name} in the catalog`, { value: name });
  const at = locateDataset(spec);
  if (at.dir !== undefined) return at.dir;
  const source = (options.sources ?? DATASET_SOURCES)[name];
  const notFound = (why: string) =>
    new DatasetError(
      'not_found',
      `${spec.title} not found (tried ${at.tried.join(', ')})${why}: ${spec.install}`,
      {
        path: at.tried[0],
        value: name,
      },
    );
  if (!source) throw notFound('');
  const cache = at.tried[at.tried.length - 1];
  const failures: string[] = [];
  for (const [file, sha256] of Object.entries(source.sha256)) {
    const bytes = await download(spec, source, file, sha256, options, failures);
    if (!bytes) throw notFound(`; downloading ${file} failed (${failures.join('; ')})`);
    // Written beside, then renamed: a reader never sees half a file under the final name.
    await mkdir(cache, { recursive: true });
    const tmp = join(cache, `${file}.tmp-${process.pid}`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(cache, file));
  }
  return cache;
}

async function download(
  spec: DatasetSpec,
  source: DatasetSource,
  file: string,
  sha256: string,
  options: EnsureOptions,
  failures: string[],
): Promise<Uint8Array | undefined> {
  const get = options.fetch ?? fetch;
  for (const mirror of source.mirrors) {
    const url = `${mirror}${file}`;
    options.onProgress?.(`downloading ${spec.title}: ${url}`);
    try {
      const res = await get(url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const got = createHash('sha256').update(bytes).digest('hex');
      if (got !== sha256) {
        failures.push(`${url}: SHA-256 ${got.slice(0, 12)}… is not the published ${sha256.slice(0, 12)}…`);
        continue;
      }
      return bytes;
    } catch (cause) {
      failures.push(`${url}: ${(cause as Error).message}`);
    }
  }
  return undefined;
}
