import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, StoreNotFoundError } from './errors.js';
import { FileStore } from './file-store.js';

describe('FileStore', () => {
  let root: string;
  let store: FileStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'goe-filestore-'));
    store = new FileStore(join(root, 'cache'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names itself by the file URL of its absolute root', () => {
    expect(store.url).toBe(pathToFileURL(join(root, 'cache')).href);
    expect(store.root).toBe(join(root, 'cache'));
  });

  it('keeps an object as a plain file at <root>/<key>, creating directories', async () => {
    const body = randomBytes(100);
    await store.put('seed-1/batch.npy', body);
    expect(Buffer.compare(await readFile(join(root, 'cache', 'seed-1', 'batch.npy')), body)).toBe(0);
    expect(await readdir(join(root, 'cache', 'seed-1'))).toEqual(['batch.npy']);
  });

  it('writes metadata to a sidecar, and deletes it with the object', async () => {
    await store.put('a.png', new Uint8Array(1), { contentType: 'image/png' });
    expect((await readdir(join(root, 'cache'))).sort()).toEqual(['.goe-meta-a.png.json', 'a.png']);
    await store.put('a.png', new Uint8Array(1));
    expect(await readdir(join(root, 'cache'))).toEqual(['a.png']);
    await store.put('a.png', new Uint8Array(1), { metadata: { k: 'v' } });
    await store.delete('a.png');
    expect(await readdir(join(root, 'cache'))).toEqual([]);
  });

  it('never exposes a partial object to readers during concurrent puts of one key', async () => {
    const a = randomBytes(4 << 20);
    const b = randomBytes(4 << 20);
    await Promise.all([store.put('race.bin', a), store.put('race.bin', b)]);
    const got = Buffer.from(await store.get('race.bin'));
    expect(got.equals(a) || got.equals(b)).toBe(true);
    expect(await readdir(join(root, 'cache'))).toEqual(['race.bin']);
  });

  it('fails with a StoreError, not not-found, when a key would nest under an object', async () => {
    await store.put('a', new Uint8Array(1));
    const error = await store.put('a/b', new Uint8Array(1)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(StoreNotFoundError);
    expect((error as Error).message).toMatch(/cannot hold both an object and keys below it/);
    // Reading below an object is a plain miss.
    await expect(store.get('a/b')).rejects.toBeInstanceOf(StoreNotFoundError);
  });

  it('treats a directory of keys as no object', async () => {
    await store.put('dir/x', new Uint8Array(1));
    await expect(store.get('dir')).rejects.toBeInstanceOf(StoreNotFoundError);
    await expect(store.stream('dir')).rejects.toBeInstanceOf(StoreNotFoundError);
    await expect(store.head('dir')).rejects.toBeInstanceOf(StoreNotFoundError);
    await expect(store.delete('dir')).resolves.toBeUndefined();
    expect(await store.exists('dir/x')).toBe(true);
  });

  it('reads the files of a store written by hand (no sidecar: default content type)', async () => {
    await writeFile(join(root, 'hand.txt'), 'hi');
    const byHand = new FileStore(root);
    expect(await byHand.head('hand.txt')).toEqual({
      bytes: 2,
      contentType: 'application/octet-stream',
      metadata: {},
    });
  });
});
