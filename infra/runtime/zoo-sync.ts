import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

type Env = Record<string, string | undefined>;

/** Where a zoo lives in S3: `s3://bucket/zoo` → `{ bucket, prefix: 'zoo/' }`. */
export interface ZooLocation {
  bucket: string;
  /** Key prefix with a trailing `/`, or empty for the bucket root. */
  prefix: string;
}

/** Parses `s3://bucket[/prefix]`; anything else is an error naming the value. */
export function parseZooUrl(url: string): ZooLocation {
  const match = /^s3:\/\/([^/?#]+)(?:\/([^?#]*))?$/.exec(url.trim());
  if (!match) throw new Error(`GOE_ZOO_S3 must look like s3://bucket/prefix, got "${url}"`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: prefix === '' ? '' : `${prefix}/` };
}

/** What {@link syncZoo} copied. */
export interface ZooSyncResult {
  files: number;
  bytes: number;
}

/** Options of {@link syncZoo}. */
export interface ZooSyncOptions {
  /** A client to use (tests); default one built from the environment, see {@link s3ClientFromEnv}. */
  client?: S3Client;
  env?: Env;
  /** Downloads in flight at once (default 4). */
  concurrency?: number;
}

/**
 * An S3 client for the compute's own role: the SDK's default credential chain and `AWS_REGION`;
 * `GOE_S3_ENDPOINT` points it at an S3-compatible server (tests, MinIO), with path-style URLs.
 */
export function s3ClientFromEnv(env: Env = process.env): S3Client {
  const endpoint = env.GOE_S3_ENDPOINT || undefined;
  return new S3Client({
    endpoint,
    forcePathStyle: endpoint !== undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined),
    // Why: s3rver and older S3-compatible servers reject the SDK's default CRC32 trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Copies every object under the zoo prefix into `target` (`zoo/fashion-mnist-cgan/manifest.json` →
 * `target/fashion-mnist-cgan/manifest.json`). The API reads its generators from a directory (`GOE_ZOO`),
 * and in AWS the bucket's `zoo/` is their source of truth, so Lambda and the containers copy it once at
 * start-up. Each file is written under a temporary name and renamed, so a crash never leaves a half file.
 *
 * @throws when a key would land outside `target` (`..` segments), or on any S3 error.
 */
export async function syncZoo(
  url: string,
  target: string,
  options: ZooSyncOptions = {},
): Promise<ZooSyncResult> {
  const { bucket, prefix } = parseZooUrl(url);
  const client = options.client ?? s3ClientFromEnv(options.env);
  const root = resolve(target);
  try {
    const keys: { key: string; path: string }[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || key.endsWith('/')) continue; // "folder" placeholders some consoles create
        keys.push({ key, path: zooFilePath(root, key.slice(prefix.length)) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);

    let bytes = 0;
    const queue = [...keys];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        // Not `bytes += await …`: that reads `bytes` before the await and loses the other workers' sums.
        const n = await download(client, bucket, next.key, next.path);
        bytes += n;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
    return { files: keys.length, bytes };
  } finally {
    if (!options.client) client.destroy();
  }
}

/** Where the object `relative` (key minus the zoo prefix) goes under `root`; never outside it. */
export function zooFilePath(root: string, relative: string): string {
  const path = resolve(root, ...relative.split('/'));
  if (!path.startsWith(root + sep)) throw new Error(`zoo key "${relative}" would be written outside ${root}`);
  return path;
}

async function download(client: S3Client, bucket: string, key: string, path: string): Promise<number> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(object.Body instanceof Readable)) throw new Error(`s3://${bucket}/${key}: no body stream`);
  await mkdir(dirname(path), { recursive: true });
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  await pipeline(object.Body, createWriteStream(partial));
  await rename(partial, path);
  return (await stat(path)).size;
}
