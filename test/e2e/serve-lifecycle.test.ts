import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo } from '../helpers/api.js';

/**
 * How a user stops `goe serve`, with the real process trees: `npx goe serve &` then `kill $!` (which kills
 * npm's wrapper, not the server), and `--pid-file`.
 */

const repo = fileURLToPath(new URL('../..', import.meta.url));
let zoo: string;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  zoo = await apiTestZoo();
  dir = await mkdtemp(join(tmpdir(), 'goe-serve-life-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(zoo, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

/** Runs `script` in sh; resolves with the first two stdout lines that match (pid of `$!`, server URL). */
function shell(script: string): { child: ChildProcess; lines: Promise<string[]> } {
  const child = spawn('sh', ['-c', script], {
    cwd: repo,
    env: { ...process.env, GOE_ZOO: zoo, GOE_LOG: 'silent', GOE_CACHE_DIR: join(dir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const lines = new Promise<string[]>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const ls = out.split('\n').filter((l) => l.trim() !== '');
      if (ls.some((l) => l.startsWith('http://'))) resolve(ls);
    });
    child.on('exit', () => reject(new Error(`sh exited before the server started: ${out}${err}`)));
  });
  return { child, lines };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitClosed(port: number, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!(await portOpen(port))) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} still open after ${ms} ms`);
}

describe('stopping goe serve', () => {
  it('npx goe serve & … kill $! (the npm wrapper) stops the server within a few seconds', async () => {
    // `$!` is npm's pid, as in a user's shell; the server is npm's grandchild.
    const { child, lines } = shell('npx goe serve --port 0 --store none & echo "npx $!"; wait');
    const ls = await lines;
    const npxPid = Number(ls.find((l) => l.startsWith('npx '))!.slice(4));
    const port = Number(new URL(ls.find((l) => l.startsWith('http://'))!).port);
    expect(await portOpen(port)).toBe(true);
    process.kill(npxPid, 'SIGTERM');
    await waitClosed(port, 5_000);
    // The shell's `wait` returns once npm is gone, and nothing of the tree is left holding the port.
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  }, 90_000);

  it('--no-exit-with-parent keeps serving after the wrapper dies, and --pid-file names the server to kill', async () => {
    const pidFile = join(dir, 'goe.pid');
    const { lines } = shell(
      `npx goe serve --port 0 --store none --no-exit-with-parent --pid-file ${pidFile} & echo "npx $!"; wait`,
    );
    const ls = await lines;
    const npxPid = Number(ls.find((l) => l.startsWith('npx '))!.slice(4));
    const port = Number(new URL(ls.find((l) => l.startsWith('http://'))!).port);
    const serverPid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(serverPid).not.toBe(npxPid);
    process.kill(npxPid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await portOpen(port)).toBe(true);
    process.kill(serverPid, 'SIGTERM');
    await waitClosed(port, 5_000);
    for (let i = 0; i < 50 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(pidFile)).toBe(false);
  }, 90_000);
});
