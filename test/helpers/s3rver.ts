import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** One HTTP request as s3rver received it (method and raw path + query). */
export interface RecordedRequest {
  method: string;
  url: string;
}

/** A running s3rver on loopback, with what a client needs to reach it. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`; use with `forcePathStyle`. */
  endpoint: string;
  /** The temp directory s3rver stores buckets in (removed by `stop()`). */
  dir: string;
  /** s3rver's built-in account; it checks SigV4 signatures against it. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /**
   * Every request received, in arrival order — lets a test check what a client sent
   * for operations s3rver does not implement (e.g. AbortMultipartUpload).
   */
  requests: RecordedRequest[];
  /**
   * Closes the server (dropping keep-alive sockets) and deletes `dir`, unless `keepDir` (to look at what
   * was stored; the caller removes it). Idempotent.
   */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 with an OS-assigned port and a fresh temp directory, with
 * `buckets` already created.
 */
export async function startS3rver({ buckets }: { buckets: string[] }): Promise<S3rverHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'goe-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    // Path-style only: virtual-host parsing would read the IP as a bucket name.
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  let address: Awaited<ReturnType<S3rver['run']>>;
  try {
    address = await server.run();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const httpServer = server.httpServer!;
  const requests: RecordedRequest[] = [];
  const open = new Set<Promise<void>>();
  httpServer.on('request', (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const closed: Promise<void> = once(res, 'close').then(
      () => {
        open.delete(closed);
      },
      () => {
        open.delete(closed);
      },
    );
    open.add(closed);
  });

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    dir,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    region: 'us-east-1',
    requests,
    stop({ keepDir = false } = {}) {
      stopped ??= (async () => {
        // Why: close() waits for every socket to end, and SDK clients keep sockets alive.
        httpServer.closeAllConnections();
        // Why: s3rver closes its logger on the server's 'close' event, and a response that
        // closes later still logs — winston then warns "Attempt to write logs with no
        // transports". Let every response finish first.
        await Promise.all(open);
        await server.close();
        if (!keepDir) await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
