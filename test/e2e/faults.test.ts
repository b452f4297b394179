import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeNpy } from '../../runtime/codecs/index.js';
import { FileStore, openStore } from '../../runtime/store/index.js';
import * as tf from '../../runtime/tf.js';
import { apiTestZoo, type LogLine, MODEL } from '../helpers/api.js';
import { type S3rverHandle, startS3rver } from '../helpers/s3rver.js';

/**
 * Faults a real deployment meets, with the real components: the S3-protocol server (s3rver) dying
 * mid-stream, clients abandoning streams at random points, and a full disk under the file store.
 * The promise each time: the client's response completes from the generator, the cache holds no
 * partial object, the fault is a warning in the log, and nothing leaks.
 */

let zoo: string;
let work: string;
const backend = async () => (await initBackend()).choice;

beforeAll(async () => {
  zoo = await apiTestZoo();
  work = await mkdtemp(join(tmpdir(), 'goe-faults-'));
});
afterAll(async () => {
  await rm(zoo, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

function capture(): {
  logs: LogLine[];
  log: (level: LogLine['level'], msg: string, fields?: Record<string, unknown>) => void;
} {
  const logs: LogLine[] = [];
  return { logs, log: (level, msg, fields = {}) => logs.push({ level, msg, fields }) };
}

const npyPost = (body: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/x-npy' },
  body: JSON.stringify({ model: MODEL, sigma2: 20, ...body }),
});

/** Every file below `dir`, relative. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
      else out.push(join(rel, e.name));
    }
  };
  walk(dir, '');
  return out;
}

describe('the S3 store dies mid-stream', () => {
  let s3: S3rverHandle;
  let server: RunningServer;
  const { logs, log } = capture();

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: ['goe'] });
    const store = openStore('s3://goe/faults', {
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
    });
    server = await startServer({ zoo, store, port: 0, log, backend });
  });
  afterAll(async () => {
    await server.close();
    await s3.stop();
    await rm(s3.dir, { recursive: true, force: true });
  });

  it('completes the response from the generator, stores no partial object, then warns and serves', async () => {
    // ~5 MB: several multipart parts, so the upload is under way when the store goes.
    const request = { count: 6_000, seed: 41 };
    const res = await fetch(`${server.url}/outliers`, npyPost(request));
    expect(res.status).toBe(200);
    expect(res.headers.get('goe-cache')).toBe('miss');
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let got = 0;
    while (got < 256 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
    }
    await s3.stop({ keepDir: true });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const body = Buffer.concat(chunks);
    expect(body.length).toBe(Number(res.headers.get('content-length')));
    const npy = decodeNpy(body);
    expect(npy.shape).toEqual([6_000, 28, 28, 1]);

    // Nothing under the response's key: s3rver keeps objects as files named after their keys.
    const etag = res.headers.get('etag')!.replaceAll('"', '');
    expect(filesUnder(s3.dir).filter((f) => f.includes(etag) && !f.includes('uploads'))).toEqual([]);

    // Later requests: one warning, then served (bypassing the store) with the same bytes.
    const again = await fetch(`${server.url}/outliers`, npyPost(request));
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(body)).toBe(true);
    const other = await fetch(`${server.url}/outliers`, npyPost({ count: 10, seed: 42 }));
    expect(other.status).toBe(200);
    expect(other.headers.get('goe-cache')).toBe('bypass');
    expect(logs.some((l) => l.level === 'warn' && /store/.test(l.msg))).toBe(true);
    expect(logs.some((l) => l.level === 'error')).toBe(false);
  }, 120_000);
});

describe('1,000 streams abandoned at random points', () => {
  it('leaks no tensors and no file handles', async () => {
    const store = new FileStore(join(work, 'abort-store'));
    const server = await startServer({
      zoo,
      store,
      port: 0,
      log: () => undefined,
      backend,
      limits: { ratePerSecond: 1e9, burst: 1e9, concurrency: 1_000 },
    });
    const fds = () => readdirSync('/proc/self/fd').length;
    // What each open descriptor is (a file path, socket:[…], pipe:[…]), for the message when one is left.
    const fdTargets = () =>
      readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '(closed while listing)';
        }
      });
    try {
      // Warm up: the generator loads its weights (tensors that stay) and the first sockets open.
      await (await fetch(`${server.url}/outliers`, npyPost({ count: 4, seed: 1 }))).arrayBuffer();
      await new Promise((r) => setTimeout(r, 200));
      const tensorsBefore = tf.memory().numTensors;
      const fdsBefore = fds();
      const targetsBefore = fdTargets();
      let rng = 12345;
      const random = (n: number) => {
        rng = (rng * 1103515245 + 12345) % 2 ** 31;
        return rng % n;
      };
      const one = async (i: number) => {
        const controller = new AbortController();
        const when = random(4); // 0: before the answer, 1: after headers, 2–3: after some chunks
        if (when === 0) setTimeout(() => controller.abort(), random(20));
        try {
          // Fixed seeds for half: those streams also tee into the file store, which must clean up.
          const res = await fetch(`${server.url}/outliers`, {
            ...npyPost({ count: 512, seed: i % 2 === 0 ? 1_000 + i : undefined }),
            signal: controller.signal,
          });
          const reader = res.body!.getReader();
          for (let k = when === 1 ? 0 : random(6); k > 0; k--) if ((await reader.read()).done) break;
          controller.abort();
          await reader.cancel().catch(() => undefined);
        } catch (err) {
          if (!controller.signal.aborted) throw err;
        }
      };
      for (let i = 0; i < 1_000; i += 25) await Promise.all(Array.from({ length: 25 }, (_, k) => one(i + k)));
      // The server stops each stream within one batch, and idle keep-alive sockets close after the
      // client's 4 s and the server's 5 s timeouts; on a loaded machine give both a generous while.
      let settled = false;
      for (let t = 0; t < 150 && !settled; t++) {
        await new Promise((r) => setTimeout(r, 200));
        settled = tf.memory().numTensors === tensorsBefore && fds() <= fdsBefore;
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const left = fdTargets().filter((t) => !targetsBefore.includes(t));
      expect(fds(), `descriptors left open: ${left.join(', ')}`).toBeLessThanOrEqual(fdsBefore);
      // No temp file of an abandoned tee is left in the store.
      expect(filesUnder(store.root).filter((f) => /\.goe-tmp-/.test(f))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 300_000);
});

describe('a full disk under the file store', () => {
  // A real full disk: a 64 KiB tmpfs, so writes fail with ENOSPC from the kernel, not from a mock.
  // Mounting needs root (CAP_SYS_ADMIN), as the README's test command and CI run; without it this fails.
  const mnt = join(tmpdir(), `goe-full-${process.pid}`);
  let mounted = false;
  beforeAll(() => {
    mkdirSync(mnt, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('answers every request in full, with a warning, and leaves no partial file', async () => {
    const { logs, log } = capture();
    const store = new FileStore(join(mnt, 'store'));
    const server = await startServer({ zoo, store, port: 0, log, backend });
    try {
      // 200 rows ≈ 157 KB: more than the disk holds.
      for (const seed of [7, 7, 8]) {
        const res = await fetch(`${server.url}/outliers`, npyPost({ count: 200, seed }));
        expect(res.status).toBe(200);
        const body = new Uint8Array(await res.arrayBuffer());
        expect(body.length).toBe(Number(res.headers.get('content-length')));
        expect(decodeNpy(body).shape).toEqual([200, 28, 28, 1]);
      }
      expect(logs.some((l) => l.level === 'warn' && /store|cache/.test(l.msg))).toBe(true);
      expect(logs.some((l) => l.level === 'error')).toBe(false);
      // Nothing half-written stays behind (the disk is free again for what fits).
      expect((await readdir(mnt, { recursive: true })).filter((f) => String(f).includes('tmp'))).toEqual([]);
      // A body that fits is still cached once the store recovers from its back-off.
      const small = await fetch(`${server.url}/outliers`, npyPost({ count: 4, seed: 9 }));
      expect(small.status).toBe(200);
      await small.arrayBuffer();
    } finally {
      await server.close();
    }
  }, 120_000);
});
