import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { goeEnv } from '../../runtime/config.js';
import type { JobTask } from './tasks.js';

/** One step of a reproduction: a trainer task, the file that marks it done, and what it waits for. */
export interface Job {
  id: string;
  task: JobTask;
  /** The job is done when this file exists (skipped on a rerun: reproductions resume). */
  output: string;
  after?: string[];
}

export interface JobEvents {
  onStart?: (job: Job) => void;
  onDone?: (job: Job, seconds: number, skipped: boolean) => void;
}

/** The job entry, and tsx's loader so the process runs the TypeScript sources as the CLI does. */
const entry = fileURLToPath(new URL('./job-process.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A one-line description of a task for error messages. */
function describe(task: JobTask): string {
  return `${task.kind} ${JSON.stringify('options' in task ? task.options : task)}`;
}

// A child process per job, not a worker thread: TF.js keeps one backend (and the wasm backend one
// thread) per process, so one process per core is how a reproduction uses the whole machine.
function runOne(job: Job, logDir: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const logFile = join(logDir, `${job.id}.log`);
    const log = createWriteStream(logFile);
    const cpuFile = join(logDir, `${job.id}.cpu`);
    const child = spawn(process.execPath, ['--import', tsx, entry, JSON.stringify(job.task), cpuFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOE_LOG: goeEnv('GOE_LOG') ?? 'warn' },
      signal,
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', reject);
    child.on('close', async (code) => {
      await new Promise((r) => log.end(r));
      if (code !== 0) {
        reject(new Error(`job ${job.id} failed (exit ${code}): ${describe(job.task)}; see ${logFile}`));
        return;
      }
      resolve();
    });
  });
}

/**
 * Runs jobs, each in its own process (trainer functions, not the CLI), `concurrency` at a time, each
 * after the jobs it names. A job whose output exists is skipped, so a rerun resumes.
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

/** What a reproduction tells {@link runPlan}: where its runs go, how many jobs at a time, whom to tell. */
export interface PlanOptions {
  runsDir: string;
  concurrency: number;
  signal?: AbortSignal;
  /** After each job: how many are done of how many, the job, its seconds, whether it was done before. */
  onJob?: (done: number, total: number, job: Job, seconds: number, skipped: boolean) => void;
  onStage?: (message: string) => void;
}

/** Where the job processes of a reproduction whose runs are in `runsDir` log (and record their CPU time). */
export function planLogDir(runsDir: string): string {
  return join(runsDir, 'logs');
}

/**
 * Runs a reproduction's jobs with {@link runJobs}, logs in {@link planLogDir}: says first how many (after
 * `stage`, when given), then reports each one done through `o.onJob`.
 */
export async function runPlan(jobs: readonly Job[], o: PlanOptions, stage?: string): Promise<void> {
  let done = 0;
  const what = `${jobs.length} jobs, ${o.concurrency} at a time, runs in ${o.runsDir}`;
  o.onStage?.(stage ? `${stage}: ${what}` : what);
  await runJobs(jobs, {
    concurrency: o.concurrency,
    logDir: planLogDir(o.runsDir),
    signal: o.signal,
    onDone: (job, seconds, skipped) => o.onJob?.(++done, jobs.length, job, seconds, skipped),
  });
}

/**
 * CPU seconds (user + system) the job processes logging to `logDir` have used, every run of each job
 * counted (an interrupted and resumed job adds both); see job-process.ts.
 */
export function jobCpuSeconds(logDir: string): number {
  if (!existsSync(logDir)) return 0;
  let total = 0;
  for (const f of readdirSync(logDir)) {
    if (!f.endsWith('.cpu')) continue;
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) total += Number(line) || 0;
  }
  return total;
}
