import type { ByteStream } from './byte-stream.js';

/** What `put` accepts: bytes in memory, or a stream read once, front to back. */
export type PutBody = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Options of `Store.put`. */
export interface PutOptions {
  /** Aborting rejects the put with `signal.reason` and leaves no object behind. */
  signal?: AbortSignal;
  /** Defaults to `application/octet-stream`. */
  contentType?: string;
  /** Small string pairs stored with the object; keys are lower-cased (as S3 does). */
  metadata?: Record<string, string>;
}

/** Options of `Store.stream`. */
export interface StreamOptions {
  /** Aborting errors the stream with `signal.reason` and releases the source. */
  signal?: AbortSignal;
}

/** What `Store.head` reports about an object without reading it. */
export interface ObjectInfo {
  bytes: number;
  contentType: string;
  metadata: Record<string, string>;
}

/**
 * A flat map from keys (`a/b/c.npy`, see `assertKey`) to immutable byte objects: a local
 * directory (`FileStore`) or an S3 bucket prefix (`S3Store`), behaving the same.
 *
 * Every method rejects with a `StoreError` subclass only — `StoreKeyError`,
 * `StoreNotFoundError`, `StoreUnavailableError` — except that an aborted or failing `put`
 * rejects with the signal's reason or the body's own error.
 */
export interface Store {
  /** Where the store lives: `file:///abs/dir` or `s3://bucket/prefix`. */
  readonly url: string;
  /** Reads a whole object into memory. @throws {StoreNotFoundError} */
  get(key: string): Promise<Uint8Array>;
  /**
   * Writes an object, replacing any object at `key`; readers see the old or the new object,
   * never a partial one. Streams are consumed with backpressure, and closed on failure.
   */
  put(key: string, body: PutBody, options?: PutOptions): Promise<{ bytes: number }>;
  /** Opens an object for incremental reading. @throws {StoreNotFoundError} before any byte. */
  stream(key: string, options?: StreamOptions): Promise<ByteStream>;
  /** Whether an object exists; an unreachable store rejects rather than answering false. */
  exists(key: string): Promise<boolean>;
  /** Size, content type and metadata. @throws {StoreNotFoundError} */
  head(key: string): Promise<ObjectInfo>;
  /** Removes an object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections; the store must not be used afterwards. */
  close(): Promise<void>;
}

/** Content type given to objects put without one. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
