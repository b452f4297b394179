import { type FileHandle, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../atomic-write.js';
import { CountedBody } from './body.js';
import { type ByteStream, toByteStream } from './byte-stream.js';
import { StoreError, StoreNotFoundError } from './errors.js';
import { assertKey, RESERVED_SEGMENT_PREFIX } from './key.js';
import { normalizeObjectInfo } from './metadata.js';
import {
  DEFAULT_CONTENT_TYPE,
  type ObjectInfo,
  type PutBody,
  type PutOptions,
  type Store,
  type StreamOptions,
} from './store.js';

const READ_CHUNK_BYTES = 1 << 20;
/** Temp files carry the reserved prefix, so listings never show a put in progress. */
const TEMP_PREFIX = `${RESERVED_SEGMENT_PREFIX}tmp-`;

/** Metadata kept beside an object (only when it differs from the defaults). */
interface Sidecar {
  contentType: string;
  metadata: Record<string, string>;
}

/**
 * A `Store` over a local directory: key `a/b.npy` is the file `<root>/a/b.npy`, so the
 * cache can be browsed with ordinary tools.
 *
 * A put writes a temp file in the target's directory (same filesystem, so the rename is
 * atomic), fsyncs it, then renames it over the target; an aborted or failing put removes the
 * temp file. Content type and metadata, when not the defaults, go in a sidecar
 * `.goe-meta-<name>.json`; `.goe-`-prefixed names are why keys may not use that prefix.
 *
 * Unlike S3, a key cannot be both an object and a "directory" (`a` and `a/b`): such a put
 * fails with a `StoreError`.
 */
export class FileStore implements Store {
  readonly url: string;
  /** Absolute path of the root directory. */
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
    this.url = pathToFileURL(this.root).href;
  }

  async get(key: string): Promise<Uint8Array> {
    const file = this.#path(key);
    try {
      const buffer = await readFile(file);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw this.#error(error, key, 'read');
    }
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<{ bytes: number }> {
    const file = this.#path(key);
    const { contentType, metadata } = normalizeObjectInfo(options);
    const { signal } = options;
    signal?.throwIfAborted();
    const dir = dirname(file);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw this.#writeError(error, key);
    }

    const counted = new CountedBody(body, signal);
    try {
      const sidecar = this.#sidecarPath(file);
      await writeFileAtomic(file, counted.chunks, {
        tempPrefix: TEMP_PREFIX,
        // The sidecar is settled only once the body is fully on disk: an aborted put leaves both as they were.
        beforeRename: () =>
          contentType === DEFAULT_CONTENT_TYPE && Object.keys(metadata).length === 0
            ? rm(sidecar, { force: true })
            : writeFileAtomic(sidecar, JSON.stringify({ contentType, metadata } satisfies Sidecar), {
                tempPrefix: TEMP_PREFIX,
              }).then(() => undefined),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (counted.failure) throw counted.failure.error;
      throw this.#writeError(error, key);
    }
    return { bytes: counted.bytes };
  }

  async stream(key: string, options: StreamOptions = {}): Promise<ByteStream> {
    const file = this.#path(key);
    options.signal?.throwIfAborted();
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw this.#error(error, key, 'open');
    }
    try {
      // Why: open() succeeds on a directory on Linux; reading it would fail later.
      if (!(await handle.stat()).isFile()) throw new StoreNotFoundError(this.url, key);
    } catch (error) {
      await handle.close();
      throw this.#error(error, key, 'open');
    }
    const source = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    return toByteStream(source, {
      signal: options.signal,
      mapError: (error) => this.#error(error, key, 'read'),
    });
  }

  async exists(key: string): Promise<boolean> {
    const file = this.#path(key);
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      const mapped = this.#error(error, key, 'stat');
      if (mapped instanceof StoreNotFoundError) return false;
      throw mapped;
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    const file = this.#path(key);
    let bytes: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new StoreNotFoundError(this.url, key);
      bytes = info.size;
    } catch (error) {
      throw this.#error(error, key, 'stat');
    }
    let sidecar: Sidecar = { contentType: DEFAULT_CONTENT_TYPE, metadata: {} };
    try {
      sidecar = JSON.parse(await readFile(this.#sidecarPath(file), 'utf8')) as Sidecar;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw this.#error(error, key, 'read metadata of');
    }
    return { bytes, contentType: sidecar.contentType, metadata: sidecar.metadata };
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    try {
      if (!(await this.exists(key))) return;
      await rm(file, { force: true });
      await rm(this.#sidecarPath(file), { force: true });
    } catch (error) {
      throw this.#error(error, key, 'delete');
    }
  }

  async close(): Promise<void> {}

  #path(key: string): string {
    return join(this.root, ...assertKey(key).split('/'));
  }

  #sidecarPath(file: string): string {
    return join(dirname(file), `${RESERVED_SEGMENT_PREFIX}meta-${basename(file)}.json`);
  }

  /** Maps an fs error of a put; ENOTDIR/EEXIST/EISDIR mean the key clashes with another key's path. */
  #writeError(error: unknown, key: string): StoreError {
    const code = (error as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR'
        ? 'a file store cannot hold both an object and keys below it'
        : error instanceof Error
          ? error.message
          : String(error);
    return new StoreError(`cannot write ${JSON.stringify(key)} in ${this.url}: ${detail}`, {
      url: this.url,
      cause: error,
    });
  }

  /** Maps an fs error to the store's errors: a missing file (or a directory) is not-found. */
  #error(error: unknown, key: string, doing: string): StoreError {
    if (error instanceof StoreError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent of the key is a file; EISDIR: the key is a "directory" of other keys.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return new StoreNotFoundError(this.url, key);
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new StoreError(`cannot ${doing} ${JSON.stringify(key)} in ${this.url}: ${detail}`, {
      url: this.url,
      cause: error,
    });
  }
}
