import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { repoRoot } from '../datasets/locate.js';

/** One step of a reproduction: a `goe` command line, where its stdout goes, and what it waits for. */
export interface Job {
  id: string;
  /** Arguments after `goe`. */
  args: string[];
  /** The job is done when this file exists (skipped on a rerun: reproductions resume). */
  output: string;
  /** Write the command's stdout here (e.g. `goe eval --json`), atomically. */
  stdoutTo?: string;
  after?: string[];
}

export interface JobEvents {
  onStart?: (job: Job) => void;
  onDone?: (job: Job, seconds: number, skipped: boolean) => void;
}

const bin = join(repoRoot, 'bin', 'goe.mjs');

function runOne(job: Job, logDir: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(join(logDir, `${job.id}.log`));
    const stdoutTmp = job.stdoutTo ? `${job.stdoutTo}.tmp-${process.pid}` : undefined;
    const out = stdoutTmp ? createWriteStream(stdoutTmp) : log;
    const child = spawn(process.execPath, [bin, ...job.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOE_LOG: process.env.GOE_LOG ?? 'warn' },
      signal,
    });
    child.stdout.pipe(out);
    child.stderr.pipe(log);
    child.on('error', reject);
    child.on('close', async (code) => {
      await new Promise((r) => out.end(r));
      if (out !== log) await new Promise((r) => log.end(r));
      if (code !== 0) {
        reject(
          new Error(
            `job ${job.id} failed (exit ${code}): goe ${job.args.join(' ')}; see ${join(logDir, `${job.id}.log`)}`,
          ),
        );
        return;
      }
      if (stdoutTmp && job.stdoutTo) await rename(stdoutTmp, job.stdoutTo);
      resolve();
    });
  });
}

/**
 * Runs jobs as `goe` child processes, `concurrency` at a time, each after the jobs it names. The wasm
 * backend uses one thread, so one process per core is how a reproduction uses the whole machine.
 */
export async function runJobs(
  jobs: readonly Job[],
  {
    concurrency,
    logDir,
    signal,
    ...events
  }: JobEvents & { concurrency: number; logDir: string; signal?: AbortSignal },
): Promise<void> {
  await mkdir(logDir, { recursive: true });
  const done = new Set<string>();
  const started = new Set<string>();
  const ids = new Set(jobs.map((j) => j.id));
  for (const j of jobs)
    for (const a of j.after ?? []) if (!ids.has(a)) throw new Error(`job ${j.id} waits for unknown job ${a}`);
  let failure: Error | undefined;
  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = () => {
      if (failure || signal?.aborted) {
        if (running === 0) resolve();
        return;
      }
      for (const job of jobs) {
        if (running >= concurrency) break;
        if (started.has(job.id) || !(job.after ?? []).every((a) => done.has(a))) continue;
        started.add(job.id);
        if (existsSync(job.output)) {
          done.add(job.id);
          events.onDone?.(job, 0, true);
          continue;
        }
        running++;
        events.onStart?.(job);
        const t0 = performance.now();
        mkdir(dirname(job.output), { recursive: true })
          .then(() => runOne(job, logDir, signal))
          .then(
            () => {
              done.add(job.id);
              events.onDone?.(job, (performance.now() - t0) / 1000, false);
            },
            (err: Error) => {
              failure ??= err;
            },
          )
          .finally(() => {
            running--;
            pump();
          });
      }
      if (running === 0 && (done.size === jobs.length || started.size === jobs.length)) resolve();
      else if (
        running === 0 &&
        !jobs.some((j) => !started.has(j.id) && (j.after ?? []).every((a) => done.has(a)))
      )
        resolve();
    };
    pump();
  });
  if (failure) throw failure;
  if (signal?.aborted) throw new Error('interrupted; run the same command again to resume');
}
