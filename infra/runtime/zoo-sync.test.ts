import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverHandle, startS3rver } from '../../test/helpers/s3rver.js';
import { parseZooUrl, syncZoo, zooFilePath } from './zoo-sync.js';

describe('parseZooUrl', () => {
  it('splits bucket and prefix, with one trailing slash on the prefix', () => {
    expect(parseZooUrl('s3://goe-data/zoo')).toEqual({ bucket: 'goe-data', prefix: 'zoo/' });
    expect(parseZooUrl('s3://goe-data/zoo/')).toEqual({ bucket: 'goe-data', prefix: 'zoo/' });
    expect(parseZooUrl('s3://goe-data/a/b')).toEqual({ bucket: 'goe-data', prefix: 'a/b/' });
    expect(parseZooUrl('s3://goe-data')).toEqual({ bucket: 'goe-data', prefix: '' });
  });

  it('rejects anything but s3://bucket[/prefix]', () => {
    for (const bad of ['file:///zoo', 's3://', 'goe-data/zoo', 's3://b/zoo?x=1']) {
      expect(() => parseZooUrl(bad), bad).toThrow(/GOE_ZOO_S3/);
    }
  });
});

describe('zooFilePath', () => {
  it('never leaves the target folder', () => {
    expect(zooFilePath('/tmp/zoo', 'm/manifest.json')).toBe('/tmp/zoo/m/manifest.json');
    expect(() => zooFilePath('/tmp/zoo', '../etc/passwd')).toThrow(/outside/);
    expect(() => zooFilePath('/tmp/zoo', 'm/../../x')).toThrow(/outside/);
    expect(() => zooFilePath('/tmp/zoo', '')).toThrow(/outside/);
  });
});

describe('syncZoo against an S3-protocol server', () => {
  const bucket = 'goe-zoo-sync';
  let server: S3rverHandle;
  let client: S3Client;
  let target: string;

  beforeAll(async () => {
    server = await startS3rver({ buckets: [bucket] });
    client = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      credentials: server.credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const put = (Key: string, Body: string | Uint8Array) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    await put('zoo/', '');
    await put('zoo/m1/manifest.json', '{"id":"m1"}');
    await put(
      'zoo/m1/generator.safetensors',
      new Uint8Array(70_000).map((_, i) => i % 251),
    );
    await put('zoo/m2/nested/deep.bin', 'deep');
    await put('cache/abc', 'not part of the zoo');
    target = await mkdtemp(join(tmpdir(), 'goe-zoo-sync-'));
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    await rm(target, { recursive: true, force: true });
  });

  it('copies every object under the prefix, and nothing else, byte for byte', async () => {
    const result = await syncZoo(`s3://${bucket}/zoo`, target, { client, concurrency: 2 });
    expect(result).toEqual({ files: 3, bytes: 11 + 70_000 + 4 });
    expect((await readdir(target)).sort()).toEqual(['m1', 'm2']);
    expect((await readdir(join(target, 'm1'))).sort()).toEqual(['generator.safetensors', 'manifest.json']);
    expect(await readFile(join(target, 'm1', 'manifest.json'), 'utf8')).toBe('{"id":"m1"}');
    const weights = await readFile(join(target, 'm1', 'generator.safetensors'));
    expect(weights.length).toBe(70_000);
    expect(weights[300]).toBe(300 % 251);
    expect(await readFile(join(target, 'm2', 'nested', 'deep.bin'), 'utf8')).toBe('deep');
  });

  it('fails on a bucket it cannot read', async () => {
    await expect(syncZoo('s3://no-such-bucket/zoo', target, { client })).rejects.toThrow();
  });
});
