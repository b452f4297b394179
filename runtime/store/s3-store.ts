import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CountedBody } from './body.js';
import { type ByteStream, toByteStream } from './byte-stream.js';
import { type StoreKeyError, StoreNotFoundError, StoreUrlError } from './errors.js';
import { assertKey } from './key.js';
import { normalizeObjectInfo } from './metadata.js';
import { fromS3Error } from './s3-errors.js';
import {
  DEFAULT_CONTENT_TYPE,
  type ObjectInfo,
  type PutBody,
  type PutOptions,
  type Store,
  type StreamOptions,
} from './store.js';

/** Static AWS credentials; without them the SDK's default chain (env, profile, IMDS) is used. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Options of `S3Store`. */
export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/`; empty for the bucket root. */
  prefix?: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:4568`, MinIO); turns on path-style URLs. */
  endpoint?: string;
  /** Defaults to the SDK's resolution, or `us-east-1` when an endpoint is given. */
  region?: string;
  credentials?: S3Credentials;
  /** Defaults to true when `endpoint` is given (bucket in the path, not the host name). */
  forcePathStyle?: boolean;
  /** Time allowed to open a TCP connection, per attempt. Default 2000 ms. */
  connectionTimeoutMs?: number;
  /**
   * Time a socket may stay idle mid-request before it is dropped. Default 60 s; it also
   * applies to an open `stream()` whose reader pauses, so keep it above reader stalls.
   */
  socketTimeoutMs?: number;
  /** Attempts per request, first included. Default 2. */
  maxAttempts?: number;
}

/** Multipart part size: above S3's 5 MiB minimum; with 2 in flight a put buffers ~24 MiB. */
const PART_BYTES = 8 << 20;
const QUEUE_SIZE = 2;

/**
 * A `Store` over an S3 bucket prefix (AWS or any S3-compatible server).
 *
 * Puts stream through lib-storage's `Upload` (multipart above 8 MiB). An aborted or failing
 * put makes the body iterator throw, so `Upload` itself aborts the multipart upload before
 * the put rejects: no object is created and no parts are kept. Timeouts and a small
 * `maxAttempts` bound how long an unreachable endpoint takes to fail (~5 s by default).
 */
export class S3Store implements Store {
  readonly url: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3StoreOptions) {
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.url = `s3://${options.bucket}${prefix ? `/${prefix}` : ''}`;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw new StoreUrlError(this.url, `invalid bucket name ${JSON.stringify(options.bucket)}`);
    }
    if (prefix) {
      try {
        assertKey(prefix);
      } catch (error) {
        throw new StoreUrlError(this.url, `invalid prefix: ${(error as StoreKeyError).reason}`);
      }
    }
    this.#bucket = options.bucket;
    this.#prefix = prefix;

    const config: S3ClientConfig = {
      region: options.region ?? (options.endpoint === undefined ? undefined : 'us-east-1'),
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      credentials: options.credentials,
      // Why: the default ("WHEN_SUPPORTED") sends aws-chunked bodies with trailing CRC32s,
      // which S3-compatible servers such as s3rver store verbatim, framing included.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: options.maxAttempts ?? 2,
      // Why: the SDK's defaults have no connection timeout, so an unreachable host hangs
      // for the OS's TCP timeout (minutes). The plain options object makes the client build
      // its own NodeHttpHandler, without importing @smithy/node-http-handler ourselves.
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 2000,
        socketTimeout: options.socketTimeoutMs ?? 60_000,
      },
    };
    this.#client = new S3Client(config);
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.#key(key);
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key }));
      if (!response.Body) return new Uint8Array(0);
      return await response.Body.transformToByteArray();
    } catch (error) {
      throw fromS3Error(error, this.url, key);
    }
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<{ bytes: number }> {
    const Key = this.#key(key);
    const { contentType, metadata } = normalizeObjectInfo(options);
    const { signal } = options;
    signal?.throwIfAborted();

    const counted = new CountedBody(body, signal);
    const source = counted.chunks;
    // A pull-based web stream: Upload reads one chunk at a time and holds at most
    // QUEUE_SIZE parts plus the one being assembled.
    const stream = toByteStream(source);
    // Why no `abortController` for Upload: on abort its done() rejects at once, while the
    // AbortMultipartUpload request is still to be sent. Failing the body instead makes
    // Upload abort the multipart upload first and reject after.
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key,
        Body: stream,
        ContentType: contentType,
        Metadata: metadata,
      },
      partSize: PART_BYTES,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // The body's own failure (or the abort reason) wins over what cleaning up reported.
      if (signal?.aborted) throw signal.reason;
      if (counted.failure) throw counted.failure.error;
      throw fromS3Error(error, this.url, key);
    } finally {
      // Why: when a request fails, Upload stops reading without closing its body; closing
      // our generator closes the caller's iterator or stream (a no-op once it finished).
      // Not awaited, in case the caller's producer is stuck mid-chunk.
      source.return(undefined).catch(() => {});
    }
    return { bytes: counted.bytes };
  }

  async stream(key: string, options: StreamOptions = {}): Promise<ByteStream> {
    const Key = this.#key(key);
    const { signal } = options;
    signal?.throwIfAborted();
    let source: AsyncIterable<Uint8Array>;
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key }), {
        abortSignal: signal,
      });
      // In Node the body is the http.IncomingMessage, an async iterable of Buffers.
      source = (response.Body ?? emptySource()) as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw fromS3Error(error, this.url, key);
    }
    return toByteStream(source, { signal, mapError: (error) => fromS3Error(error, this.url, key) });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (error) {
      if (error instanceof StoreNotFoundError) return false;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    const Key = this.#key(key);
    try {
      const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key }));
      return {
        bytes: response.ContentLength ?? 0,
        contentType: response.ContentType ?? DEFAULT_CONTENT_TYPE,
        metadata: response.Metadata ?? {},
      };
    } catch (error) {
      throw fromS3Error(error, this.url, key, { bare404IsNotFound: true });
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key }));
    } catch (error) {
      throw fromS3Error(error, this.url, key);
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  #key(key: string): string {
    assertKey(key);
    return this.#prefix ? `${this.#prefix}/${key}` : key;
  }
}

async function* emptySource(): AsyncGenerator<Uint8Array> {}
