import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComputePool, openComputePool, WorkerCrashError, workerCount } from './index.js';

const module = new URL('./test-tasks.ts', import.meta.url);
const load = () => import('./test-tasks.js');

describe('workerCount (GOE_WORKERS)', () => {
  it('defaults to one worker per core and reads a whole number, 0 meaning in-thread', () => {
    expect(workerCount({})).toBe(availableParallelism());
    expect(workerCount({ GOE_WORKERS: ' 3 ' })).toBe(3);
    expect(workerCount({ GOE_WORKERS: '0' })).toBe(0);
  });

  it.each(['two', '-1', '1.5', '1e9'])('refuses GOE_WORKERS=%s with a message naming it', (v) => {
    expect(() => workerCount({ GOE_WORKERS: v })).toThrow(/^GOE_WORKERS must be .*got "/);
  });
});

describe('a pool of 2 worker threads', () => {
  let pool: ComputePool;
  const faults: Error[] = [];

  beforeAll(async () => {
    pool = await openComputePool({ module, load, workers: 2, onError: (e) => faults.push(e) });
  });
  afterAll(() => pool.close());

  it('runs tasks off the calling thread, on both workers', async () => {
    const threads = new Set<number>();
    // Enough overlapping tasks that both workers take some.
    for (let round = 0; round < 5 && threads.size < 2; round++) {
      for (const t of await Promise.all(Array.from({ length: 8 }, () => pool.run<number>('thread', null)))) {
        threads.add(t);
      }
    }
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
  });

  it('hands typed arrays back intact', async () => {
    const r = await pool.run<{ data: Uint8Array; n: number }>('bytes', { n: 1000, first: 7 });
    expect(r.data).toBeInstanceOf(Uint8Array);
    expect(r.data.length).toBe(1000);
    expect(r.data[0]).toBe(7);
    expect(r.data[999]).toBe((7 + 999) & 255);
  });

  it("rejects with the task's own error, and the worker stays", async () => {
    await expect(pool.run('fail', { why: 'x' })).rejects.toThrow('bad task: x');
    await expect(pool.run('nope', null)).rejects.toThrow(/no task "nope"/);
    expect(await pool.run('bytes', { n: 1, first: 1 })).toMatchObject({ n: 1 });
  });

  it('turns a worker that dies into WorkerCrashError and replaces it', async () => {
    await expect(pool.run('die', null)).rejects.toBeInstanceOf(WorkerCrashError);
    // Two workers again: the replacement runs tasks beside the survivor.
    const threads = new Set<number>();
    for (let round = 0; round < 10 && threads.size < 2; round++) {
      for (const t of await Promise.all(Array.from({ length: 8 }, () => pool.run<number>('thread', null)))) {
        threads.add(t);
      }
    }
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
    expect(faults).toEqual([]);
  });
});

describe('a pool of 0 workers', () => {
  it('runs every task on the calling thread (the Lambda bundle has no worker entry)', async () => {
    const pool = await openComputePool({ module: new URL('file:///nowhere.ts'), load, workers: 0 });
    expect(await pool.run<number>('thread', null)).toBe(threadId);
    await expect(pool.run('fail', { why: 'y' })).rejects.toThrow(RangeError);
    await pool.close();
  });
});
