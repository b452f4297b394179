import { createHash } from 'node:crypto';
import { type Store, StoreError, StoreNotFoundError } from '../../runtime/store/index.js';
import type { Logger } from '../log.js';

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  store: Store;
  log: Logger;
  /** Bodies larger than this are not stored (they are still served). */
  maxBytes: number;
  /** How long to leave the store alone after it was unreachable, so each request does not wait on it. */
  retryAfterMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Entries up to this size are verified and served from one read; larger ones are streamed twice. */
  inMemoryBytes?: number;
}

/** What a cached body's sidecar records: its digest and size, checked before the body is served. */
interface Sidecar {
  sha256: string;
  bytes: number;
  contentType: string;
}

/** The outcome of a lookup: a verified body, nothing, or a store that cannot be used now. */
export type CacheLookup =
  | { kind: 'hit'; body: ReadableStream<Uint8Array>; bytes: number }
  | { kind: 'miss' }
  | { kind: 'unavailable' };

/**
 * Fixed-seed response bodies in the `Store` under `cache/<etag>`, with a digest sidecar
 * `cache/<etag>.sha256`. A hit is served only after its bytes match the sidecar; a corrupted or
 * half-written entry is deleted and the caller regenerates. Any store failure degrades to generating
 * (with a warning), never to an error response.
 */
export class ResponseCache {
  readonly store: Store;
  readonly maxBytes: number;
  #log: Logger;
  #retryAfterMs: number;
  #now: () => number;
  #downUntil = 0;
  #inMemoryBytes: number;

  constructor(options: ResponseCacheOptions) {
    this.store = options.store;
    this.maxBytes = options.maxBytes;
    this.#log = options.log;
    this.#retryAfterMs = options.retryAfterMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#inMemoryBytes = options.inMemoryBytes ?? 8 * 1024 * 1024;
  }

  /** Looks `etag` (quoted, as sent) up and verifies it. */
  async lookup(etag: string, fields: Record<string, unknown> = {}): Promise<CacheLookup> {
    if (this.#now() < this.#downUntil) return { kind: 'unavailable' };
    const { body, sidecar } = keys(etag);
    try {
      let meta: Sidecar;
      try {
        meta = JSON.parse(new TextDecoder().decode(await this.store.get(sidecar))) as Sidecar;
      } catch (error) {
        if (error instanceof StoreNotFoundError) return { kind: 'miss' };
        if (error instanceof StoreError) throw error;
        return this.#corrupt(etag, 'unreadable sidecar', fields);
      }
      if (meta.bytes <= this.#inMemoryBytes) {
        const bytes = await this.store.get(body);
        if (bytes.length !== meta.bytes || sha256(bytes) !== meta.sha256) {
          return this.#corrupt(etag, 'digest mismatch', fields);
        }
        return { kind: 'hit', body: oneChunk(bytes), bytes: meta.bytes };
      }
      const check = await digestOf(await this.store.stream(body));
      if (check.bytes !== meta.bytes || check.sha256 !== meta.sha256) {
        return this.#corrupt(etag, 'digest mismatch', fields);
      }
      return {
        kind: 'hit',
        body: this.#verifying(etag, await this.store.stream(body), meta),
        bytes: meta.bytes,
      };
    } catch (error) {
      if (error instanceof StoreNotFoundError) return { kind: 'miss' };
      this.#unavailable(error, fields);
      return { kind: 'unavailable' };
    }
  }

  /**
   * Passes `source` through to the client while writing it to the store. The store is fed at the
   * client's pace and holds the client back only while it is slower; if the store fails, the client
   * still gets the whole body. A cancelled or failed body leaves no entry behind.
   */
  tee(
    etag: string,
    source: ReadableStream<Uint8Array>,
    contentType: string,
    fields: Record<string, unknown> = {},
  ): ReadableStream<Uint8Array> {
    const { body, sidecar } = keys(etag);
    const reader = source.getReader();
    const hash = createHash('sha256');
    const abort = new AbortController();
    let bytes = 0;
    let storeCtl!: ReadableStreamDefaultController<Uint8Array>;
    let storeFailed = false;
    let wake: (() => void) | undefined;
    const wakeUp = () => {
      wake?.();
      wake = undefined;
    };
    const toStore = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          storeCtl = c;
        },
        pull: () => wakeUp(),
      },
      { highWaterMark: 4 },
    );
    const put = this.store.put(body, toStore, { signal: abort.signal, contentType }).then(
      () => true,
      (error) => {
        storeFailed = true;
        wakeUp();
        if (!abort.signal.aborted) this.#unavailable(error, fields);
        return false;
      },
    );
    // The store may have cancelled its side (a failed put) before the put's rejection is seen here.
    const feed = (op: () => void) => {
      try {
        op();
      } catch {
        storeFailed = true;
      }
    };
    const finish = async () => {
      feed(() => storeCtl.close());
      if (!(await put)) return;
      const meta: Sidecar = { sha256: hash.digest('hex'), bytes, contentType };
      try {
        await this.store.put(sidecar, new TextEncoder().encode(JSON.stringify(meta)), {
          contentType: 'application/json',
        });
      } catch (error) {
        this.#unavailable(error, fields);
      }
    };
    const fail = (reason: unknown) => {
      abort.abort(reason);
      try {
        storeCtl.error(reason);
      } catch {
        // already closed
      }
    };
    // The last chunk is held back until the entry is committed: a client that has every byte (its
    // Content-Length) and asks again must find the entry, not race the store's final write.
    let held: Uint8Array | undefined;
    return new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          // Loops until it can enqueue: a pull that enqueues nothing is not called again.
          for (;;) {
            let next: ReadableStreamReadResult<Uint8Array>;
            try {
              next = await reader.read();
            } catch (error) {
              fail(error);
              c.error(error);
              return;
            }
            if (next.done) {
              await finish();
              if (held) c.enqueue(held);
              c.close();
              return;
            }
            const chunk = next.value;
            hash.update(chunk);
            bytes += chunk.length;
            if (!storeFailed) {
              feed(() => storeCtl.enqueue(chunk));
              // Backpressure from the store: wait until it has taken enough to want more.
              while (!storeFailed && (storeCtl.desiredSize ?? 1) <= 0) {
                await new Promise<void>((resolve) => {
                  wake = resolve;
                });
              }
            }
            const previous = held;
            held = chunk;
            if (previous) {
              c.enqueue(previous);
              return;
            }
          }
        },
        cancel(reason) {
          fail(reason ?? new Error('client went away'));
          reader.cancel(reason).catch(() => {});
        },
      },
      { highWaterMark: 0 },
    );
  }

  async #corrupt(etag: string, why: string, fields: Record<string, unknown>): Promise<CacheLookup> {
    this.#log('warn', 'cached response is corrupted; regenerating', { ...fields, etag, why });
    const { body, sidecar } = keys(etag);
    try {
      await this.store.delete(sidecar);
      await this.store.delete(body);
    } catch (error) {
      this.#unavailable(error, fields);
    }
    return { kind: 'miss' };
  }

  #unavailable(error: unknown, fields: Record<string, unknown>): void {
    this.#downUntil = this.#now() + this.#retryAfterMs;
    this.#log('warn', 'response cache store unavailable; generating without it', {
      ...fields,
      store: this.store.url,
      error: error instanceof Error ? error.message : String(error),
      retryInMs: this.#retryAfterMs,
    });
  }

  /** The second read of a large entry, checked again as it is served (it could change in between). */
  #verifying(etag: string, source: ReadableStream<Uint8Array>, meta: Sidecar): ReadableStream<Uint8Array> {
    const reader = source.getReader();
    const hash = createHash('sha256');
    let bytes = 0;
    const corrupt = (c: ReadableStreamDefaultController<Uint8Array>) => {
      const { body, sidecar } = keys(etag);
      this.store
        .delete(sidecar)
        .then(() => this.store.delete(body))
        .catch(() => {});
      c.error(new Error(`cached response ${etag} changed while it was served`));
    };
    return new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          const next = await reader.read();
          if (next.done) {
            if (bytes !== meta.bytes || hash.digest('hex') !== meta.sha256) corrupt(c);
            else c.close();
            return;
          }
          hash.update(next.value);
          bytes += next.value.length;
          if (bytes > meta.bytes) return corrupt(c);
          c.enqueue(next.value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }
}

function keys(etag: string): { body: string; sidecar: string } {
  const hex = etag.replaceAll('"', '');
  return { body: `cache/${hex}`, sidecar: `cache/${hex}.sha256` };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function oneChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      if (bytes.length > 0) c.enqueue(bytes);
      c.close();
    },
  });
}
