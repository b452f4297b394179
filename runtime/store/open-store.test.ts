import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverHandle, startS3rver } from '../../test/helpers/s3rver.js';
import { StoreUrlError } from './errors.js';
import { FileStore } from './file-store.js';
import { defaultStoreUrl, openStore } from './open-store.js';
import { S3Store } from './s3-store.js';

describe('defaultStoreUrl', () => {
  it('is GOE_STORE when set, else store/ in the user cache directory (never the working directory)', () => {
    expect(defaultStoreUrl({ GOE_CACHE_DIR: '/c' })).toBe('file:///c/store');
    expect(defaultStoreUrl({ GOE_STORE: '  ', GOE_CACHE_DIR: '/c' })).toBe('file:///c/store');
    expect(defaultStoreUrl({})).toBe(pathToFileURL(join(homedir(), '.cache', 'goe', 'store')).href);
    expect(defaultStoreUrl({ GOE_STORE: 's3://b/p' })).toBe('s3://b/p');
  });
});

describe('openStore', () => {
  it('opens file://.goe relative to the working directory', async () => {
    const store = openStore('file://.goe', { cwd: '/srv/app' });
    expect(store).toBeInstanceOf(FileStore);
    expect(store.url).toBe('file:///srv/app/.goe');
  });

  it('opens absolute file URLs, decoding them', () => {
    expect(openStore('file:///var/cache/goe%20x').url).toBe(pathToFileURL('/var/cache/goe x').href);
    expect((openStore('file:///var/cache/goe%20x') as FileStore).root).toBe('/var/cache/goe x');
    expect((openStore('file://data/goe', { cwd: '/w' }) as FileStore).root).toBe(join('/w', 'data/goe'));
  });

  it('opens the default store of the given environment when given no URL', () => {
    expect(openStore(undefined, { cwd: '/w', env: { GOE_CACHE_DIR: '/c' } }).url).toBe('file:///c/store');
    expect(openStore(undefined, { env: { GOE_STORE: 'file:///elsewhere' } }).url).toBe('file:///elsewhere');
  });

  it('opens s3://bucket/prefix as an S3 store', async () => {
    const store = openStore('s3://goe-bucket/cache/v1/', { endpoint: 'http://127.0.0.1:1', env: {} });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.url).toBe('s3://goe-bucket/cache/v1');
    await store.close();
  });

  it.each([
    ['gs://bucket/x', "unknown scheme 'gs:'"],
    ['/var/cache/goe', 'no scheme'],
    ['.goe', 'no scheme'],
    ['file://', 'no path'],
    ['s3://', 'no bucket'],
    ['s3:///prefix', 'no bucket'],
    ['s3://Bad_Bucket/p', 'invalid bucket name'],
    ['s3://bucket/a//b', 'invalid prefix: empty segment'],
    ['s3://bucket/p?region=x', 'query and fragment'],
  ])('rejects %j with StoreUrlError (%s)', (url, reason) => {
    const error = (() => {
      try {
        openStore(url, { env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StoreUrlError);
    expect((error as Error).message).toContain(reason);
  });

  describe('with the environment', () => {
    let server: S3rverHandle;
    beforeAll(async () => {
      server = await startS3rver({ buckets: ['from-env'] });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('takes the endpoint from GOE_S3_ENDPOINT and credentials and region from AWS_*', async () => {
      const store = openStore('s3://from-env/p', {
        env: {
          GOE_S3_ENDPOINT: server.endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        },
      });
      try {
        await store.put('k', new Uint8Array([7]));
        expect(await store.get('k')).toEqual(new Uint8Array([7]));
        expect(server.requests.some((r) => r.url.startsWith('/from-env/p/k'))).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
});
