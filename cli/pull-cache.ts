/**
 * The local cache of `goe pull`: one folder per response identity (the server's strong ETag) holding the
 * body, its sha256 (in `sha256sum -c` form) and what was asked, plus an index from request to ETag so a
 * repeated pull can ask the server "still this?" (`If-None-Match`) instead of downloading again.
 *
 * Layout under `$GOE_CACHE_DIR/pulls` (default `~/.cache/goe/pulls`):
 * `<etag>/body`, `<etag>/body.sha256`, `<etag>/meta.json`, `requests/<sha256 of api + request>`, `tmp/`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../runtime/atomic-write.js';
import { goeCacheDir } from '../runtime/cache-dir.js';

/** What a cached pull records beside its body. */
export interface PullMeta {
  /** The ETag as the server sent it (quoted). */
  etag: string;
  format: string;
  api: string;
  request: Record<string, unknown>;
  modelDigest?: string;
  seed?: number;
  count?: number;
  rowShape?: number[];
  dtype?: string;
  backend?: string;
  sha256: string;
  bytes: number;
  createdAt: string;
}

/** A cache entry found for a request. */
export interface CacheEntry {
  dir: string;
  body: string;
  meta: PullMeta;
}

/** The cache folder: `$GOE_CACHE_DIR/pulls`, else `~/.cache/goe/pulls`. */
export function pullCacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(goeCacheDir(env), 'pulls');
}

/** The cache key of a request to a server: sha256 of the base URL and the request with sorted keys. */
export function requestKey(api: string, request: Record<string, unknown>): string {
  return sha256Hex(JSON.stringify({ api: api.replace(/\/+$/, ''), request: sortedKeys(request) }));
}

function sortedKeys(request: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b)));
}

/** A folder name for an ETag: its hex when it is the contract's `"<sha256 hex>"`, else a hash of it. */
export function etagName(etag: string): string {
  const bare = etag.replace(/^W\//, '').replace(/^"|"$/g, '');
  return /^[0-9a-f]{64}$/.test(bare) ? bare : sha256Hex(etag);
}

/** The pull cache rooted at `root`. */
export class PullCache {
  constructor(readonly root: string) {}

  /** The entry the index names for `key`, if its meta is readable. */
  async lookup(key: string): Promise<CacheEntry | undefined> {
    let name: string;
    try {
      name = (await readFile(join(this.root, 'requests', key), 'utf8')).trim();
    } catch {
      return undefined;
    }
    if (!/^[0-9a-f]{64}$/.test(name)) return undefined;
    const dir = join(this.root, name);
    try {
      const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as PullMeta;
      return { dir, body: join(dir, 'body'), meta };
    } catch {
      return undefined;
    }
  }

  /**
   * Every entry whose recorded request equals `request`, from any server (for `--offline` without
   * `--api`), newest first. Reads each entry's meta.json: the cache holds one folder per pulled body.
   */
  async findByRequest(request: Record<string, unknown>): Promise<CacheEntry[]> {
    const want = JSON.stringify(sortedKeys(request));
    let names: string[];
    try {
      names = (await readdir(this.root)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch {
      return [];
    }
    const found: CacheEntry[] = [];
    for (const name of names) {
      const dir = join(this.root, name);
      try {
        const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as PullMeta;
        if (JSON.stringify(sortedKeys(meta.request)) === want)
          found.push({ dir, body: join(dir, 'body'), meta });
      } catch {
        // An entry being written or half-deleted is not a match.
      }
    }
    return found.sort((a, b) => b.meta.createdAt.localeCompare(a.meta.createdAt));
  }

  /** True when the body still hashes to the sha256 recorded beside it (disks and people corrupt files). */
  async verify(entry: CacheEntry): Promise<boolean> {
    try {
      const recorded = (await readFile(join(entry.dir, 'body.sha256'), 'utf8')).split(/\s+/)[0];
      return recorded === entry.meta.sha256 && (await sha256File(entry.body)) === recorded;
    } catch {
      return false;
    }
  }

  /** Removes an entry (a corrupted one, before downloading again). */
  async remove(entry: CacheEntry): Promise<void> {
    await rm(entry.dir, { recursive: true, force: true });
  }

  /** A fresh temp path inside the cache, on the same file system as the entries (so commit is a rename). */
  async tempFile(): Promise<string> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    return join(this.root, 'tmp', `${process.pid}-${randomUUID()}`);
  }

  /** Moves a downloaded body into the cache under its ETag and points `key` at it. */
  async commit(key: string, file: string, meta: PullMeta): Promise<CacheEntry> {
    const name = etagName(meta.etag);
    const dir = join(this.root, name);
    await mkdir(dir, { recursive: true });
    // meta and sha256 first: a body without them is never trusted, and they are rewritten atomically.
    await writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    await writeFileAtomic(join(dir, 'body.sha256'), `${meta.sha256}  body\n`);
    await rename(file, join(dir, 'body'));
    await mkdir(join(this.root, 'requests'), { recursive: true });
    await writeFileAtomic(join(this.root, 'requests', key), `${name}\n`);
    return { dir, body: join(dir, 'body'), meta };
  }
}

/** sha256 hex of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
