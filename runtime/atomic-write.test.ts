import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileAtomic, tempPathBeside, writeFileAtomic } from './atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'goe-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes text, bytes and chunk streams, creating the parent folder, and counts the bytes', async () => {
    const file = join(dir, 'a', 'b', 'out.txt');
    expect(await writeFileAtomic(file, 'héllo\n')).toEqual({ bytes: 7 });
    expect(await readFile(file, 'utf8')).toBe('héllo\n');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield new Uint8Array([i, i]);
    }
    expect(await writeFileAtomic(file, chunks())).toEqual({ bytes: 10 });
    expect([...(await readFile(file))]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['out.txt']);
  });

  it('gives every write its own temp name, so concurrent writes of one file in one process never collide', async () => {
    expect(tempPathBeside(join(dir, 'x'))).not.toBe(tempPathBeside(join(dir, 'x')));
    const file = join(dir, 'shared.bin');
    const bodies = Array.from({ length: 24 }, (_, k) => new Uint8Array(64 * 1024).fill(k));
    // Each body is written in several chunks, so the writes interleave on the event loop.
    async function* slowly(body: Uint8Array) {
      for (let at = 0; at < body.length; at += 8192) {
        await new Promise((r) => setImmediate(r));
        yield body.subarray(at, at + 8192);
      }
    }
    await Promise.all(bodies.map((b) => writeFileAtomic(file, slowly(b))));
    const final = await readFile(file);
    expect(final.length).toBe(64 * 1024);
    // Whole, and one writer's: every byte equals the first.
    expect(final.every((v) => v === final[0])).toBe(true);
    expect(await readdir(dir)).toEqual(['shared.bin']);
  });

  it('leaves no partial file when the source fails midway, and keeps the old file', async () => {
    const file = join(dir, 'out.npy');
    async function* broken() {
      yield new Uint8Array(1000);
      throw new Error('generator failed');
    }
    await expect(writeFileAtomic(file, broken())).rejects.toThrow('generator failed');
    expect(await readdir(dir)).toEqual([]);

    await writeFile(file, 'old');
    await expect(writeFileAtomic(file, broken())).rejects.toThrow('generator failed');
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['out.npy']);
  });

  it('stops on abort between chunks and removes the temp file', async () => {
    const file = join(dir, 'aborted.bin');
    const controller = new AbortController();
    async function* chunks() {
      yield new Uint8Array(10);
      controller.abort(new Error('client left'));
      yield new Uint8Array(10);
    }
    await expect(writeFileAtomic(file, chunks(), { signal: controller.signal })).rejects.toThrow(
      'client left',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('runs beforeRename after the content is written and before the target appears', async () => {
    const file = join(dir, 'body');
    let seen: string[] = [];
    await writeFileAtomic(file, 'x', {
      tempPrefix: '.goe-tmp-',
      beforeRename: async () => {
        seen = await readdir(dir);
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^\.goe-tmp-body\..+\.tmp$/);
    expect(await readdir(dir)).toEqual(['body']);
  });

  it('copies a file atomically', async () => {
    await writeFile(join(dir, 'src'), 'payload');
    await copyFileAtomic(join(dir, 'src'), join(dir, 'dst'));
    expect(await readFile(join(dir, 'dst'), 'utf8')).toBe('payload');
    expect((await readdir(dir)).sort()).toEqual(['dst', 'src']);
  });
});
