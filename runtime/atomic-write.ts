import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Hand-written rather than npm's write-file-atomic: that package takes the whole content in memory,
// and goe streams multi-gigabyte bodies (`goe sample`, `goe pull`, the store) straight to disk.

/** What {@link writeFileAtomic} writes: text (UTF-8), bytes, or chunks as they are produced. */
export type AtomicContent = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Prefix of the temp file's name (default `.`, a hidden file): the store uses its reserved prefix. */
  tempPrefix?: string;
  /** Aborting stops the write between chunks; the temp file is removed and the target left as it was. */
  signal?: AbortSignal;
  /** Runs after the content is on disk and before it is renamed into place (the store's metadata sidecar). */
  beforeRename?: () => Promise<void>;
}

/**
 * A fresh temp path beside `path` (same directory, so same file system and the rename is atomic).
 * The name carries a random UUID: two writes of the same file, in one process or several, never share it.
 */
export function tempPathBeside(path: string, prefix = '.'): string {
  return join(dirname(path), `${prefix}${basename(path)}.${randomUUID()}.tmp`);
}

/**
 * Writes `content` to `path` so that readers see the old file or the whole new one, never a part:
 * it goes to a unique temp file beside `path`, is fsynced, then renamed over `path`. The parent
 * directory is created. On any failure (a write error, a chunk source that throws, an abort) the temp
 * file is removed, `path` is untouched, and the error is rethrown.
 *
 * @returns the number of bytes written.
 */
export async function writeFileAtomic(
  path: string,
  content: AtomicContent,
  options: AtomicWriteOptions = {},
): Promise<{ bytes: number }> {
  const { signal } = options;
  signal?.throwIfAborted();
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathBeside(path, options.tempPrefix);
  let bytes = 0;
  try {
    const handle = await open(temp, 'wx');
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) {
        const data = typeof content === 'string' ? Buffer.from(content) : content;
        await handle.writeFile(data);
        bytes = data.byteLength;
      } else {
        for await (const chunk of content) {
          signal?.throwIfAborted();
          // Awaiting each write is the backpressure: a fast producer waits for the disk.
          await handle.write(chunk);
          bytes += chunk.byteLength;
        }
      }
      signal?.throwIfAborted();
      // Why: without fsync, a crash just after the rename can leave an empty or torn file under the
      // final name (ext4's delayed allocation) — the very thing the rename is meant to prevent.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.();
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { bytes };
}

/** Copies file `from` to `to` atomically (streamed; see {@link writeFileAtomic}). */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await writeFileAtomic(to, createReadStream(from) as AsyncIterable<Uint8Array>);
}
