import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeneratorPool } from '../api/generators.js';
import { zooDir } from '../generators/registry.js';
import { initBackend } from '../runtime/backend/index.js';
import { workerCount } from '../runtime/pool/index.js';

/** `goe bench serve --json`. */
export interface ServeBenchResult {
  name: 'serve';
  model: string;
  /** Always the zoo's generator (a missing one is an error). */
  generator: 'zoo';
  backend: string;
  /** What computes the rows on the server (`/healthz` runtimes): the TF.js backend or `onnxruntime:cpu`. */
  runtime: string;
  /** The server's compute workers (`GOE_WORKERS`, default one per core). */
  workers: number;
  /** Rows per throughput run. */
  count: number;
  inProcess: { imagesPerSec: number };
  http: Record<'npy' | 'ndjson', { imagesPerSec: number; ratio: number; bytes: number }>;
  /** count = 256 requests (npy, a new seed each, no cache) at each concurrency. */
  latency: { concurrency: number; requests: number; p50Ms: number; p99Ms: number; meanMs: number }[];
  /** `GET /healthz`, one probe after another, while `streams` uncached streams of `rows` rows each run. */
  healthz: { streams: number; rows: number; probes: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Streaming `memoryCount` rows through one request; the server's peak resident memory. */
  memory?: {
    count: number;
    bytes: number;
    seconds: number;
    imagesPerSec: number;
    /** The server process's peak RSS (VmHWM): its compute worker threads share it, so all workers together. */
    serverPeakRssMiB: number;
    /** Server RSS (MiB) at the end of each tenth of the stream: flat once warm unless something grows. */
    rssSeriesMiB: number[];
    /** What computed the rows (`/healthz` runtimes), and each worker's TF.js tensors before and after. */
    runtime: string;
    workerTensors: { before: Record<string, number | null>; after: Record<string, number | null> };
  };
}

/** Options of {@link benchServe}. */
export interface ServeBenchOptions {
  model?: string;
  count?: number;
  requests?: number;
  concurrency?: number[];
  memory?: boolean;
  memoryCount?: number;
  /** Uncached streams that run while /healthz is probed (default 8). */
  healthzStreams?: number;
  onProgress?: (message: string) => void;
}

const bin = fileURLToPath(new URL('../bin/goe.mjs', import.meta.url));

/**
 * Outliers/s of `goe serve` over loopback HTTP (npy and ndjson) beside the same generator in process,
 * and request latency at several concurrencies. The server is a separate process, as in production, so
 * the client's reading does not share its thread; both sides use the same TF.js backend.
 */
export async function benchServe(options: ServeBenchOptions = {}): Promise<ServeBenchResult> {
  const model = options.model ?? 'fashion-mnist-cgan';
  const count = options.count ?? 20_000;
  const requests = options.requests ?? 64;
  const levels = options.concurrency ?? [1, 8, 32];
  const progress = options.onProgress ?? (() => {});
  const backend = (await initBackend()).choice;

  const zoo = zooDir();
  const generator: ServeBenchResult['generator'] = 'zoo';
  if (!existsSync(join(zoo, model, 'manifest.json'))) throw new Error(`no generator ${model} in ${zoo}`);
  let server: { url: string; child: ChildProcess } | undefined;
  try {
    progress(`in process: ${count} rows`);
    const inProcess = await inProcessRate(zoo, model, count, backend);
    server = await spawnServer(zoo, backend);
    const get = (q: string) => fetch(`${server!.url}/outliers?model=${model}&${q}`);
    // Warm-up: every worker loads the generator (two batches per worker, in flight together).
    await drain(await get(`count=${512 * Math.max(1, workerCount())}&seed=1&format=npy`));
    const served = (await (await fetch(`${server.url}/healthz`)).json()) as {
      runtimes?: Record<string, string>;
    };
    const runtime = served.runtimes?.[model] ?? backend;
    const http = {} as ServeBenchResult['http'];
    for (const format of ['npy', 'ndjson'] as const) {
      progress(`http ${format}: ${count} rows`);
      const t0 = performance.now();
      const bytes = await drain(await get(`count=${count}&seed=2&format=${format}`));
      const imagesPerSec = count / ((performance.now() - t0) / 1000);
      http[format] = { imagesPerSec, ratio: imagesPerSec / inProcess, bytes };
    }
    const latency: ServeBenchResult['latency'] = [];
    let seed = 1000;
    for (const concurrency of levels) {
      progress(`latency: ${requests} requests of 256 rows at concurrency ${concurrency}`);
      const times: number[] = [];
      let issued = 0;
      const worker = async () => {
        while (issued < requests) {
          issued += 1;
          const t0 = performance.now();
          await drain(await get(`count=256&seed=${seed++}&format=npy`));
          times.push(performance.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      times.sort((a, b) => a - b);
      latency.push({
        concurrency,
        requests: times.length,
        p50Ms: percentile(times, 0.5),
        p99Ms: percentile(times, 0.99),
        meanMs: times.reduce((s, t) => s + t, 0) / times.length,
      });
    }
    const streams = options.healthzStreams ?? 8;
    const rows = 2000;
    progress(`healthz: probes while ${streams} uncached streams of ${rows} rows run`);
    const healthz = {
      streams,
      rows,
      ...(await probeWhile(server.url, streams, () => get(`count=${rows}&format=npy`))),
    };
    let memory: ServeBenchResult['memory'];
    if (options.memory) {
      const n = options.memoryCount ?? 1_000_000;
      progress(`memory: streaming ${n} rows through one request`);
      const health = async () =>
        (await (await fetch(`${server!.url}/healthz`)).json()) as {
          runtimes?: Record<string, string>;
          workerTensors?: Record<string, number | null>;
        };
      const before = await health();
      const samples: { t: number; rss: number }[] = [];
      const pid = server.child.pid!;
      const sampler = setInterval(() => {
        rssMiB(pid).then(
          (rss) => samples.push({ t: performance.now(), rss }),
          () => {},
        );
      }, 500);
      const t0 = performance.now();
      const bytes = await drain(await get(`count=${n}&seed=3&format=npy`));
      const t1 = performance.now();
      clearInterval(sampler);
      const seconds = (t1 - t0) / 1000;
      const after = await health();
      memory = {
        count: n,
        bytes,
        seconds,
        imagesPerSec: n / seconds,
        serverPeakRssMiB: await peakRssMiB(pid),
        rssSeriesMiB: Array.from({ length: 10 }, (_, i) =>
          Math.round(samples.filter((s) => s.t <= t0 + ((i + 1) * (t1 - t0)) / 10).at(-1)?.rss ?? Number.NaN),
        ),
        runtime: after.runtimes?.[model] ?? backend,
        workerTensors: { before: before.workerTensors ?? {}, after: after.workerTensors ?? {} },
      };
    }
    return {
      name: 'serve',
      model,
      generator,
      backend,
      runtime,
      workers: workerCount(),
      count,
      inProcess: { imagesPerSec: inProcess },
      http,
      latency,
      healthz,
      memory,
    };
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
  }
}

/**
 * Latencies of `GET /healthz`, probed one after another while `streams` requests made by `open` (no seed:
 * generated, never cached) are read as fast as they come. Probes that end after the last stream are
 * dropped: they measure an idle server.
 */
async function probeWhile(
  url: string,
  streams: number,
  open: () => Promise<Response>,
): Promise<{ probes: number; p50Ms: number; p99Ms: number; maxMs: number }> {
  let running = streams;
  const all = Array.from({ length: streams }, async () => {
    try {
      await drain(await open());
    } finally {
      running -= 1;
    }
  });
  const times: number[] = [];
  // Let every stream get going first.
  await new Promise((resolve) => setTimeout(resolve, 200));
  while (running > 0) {
    const t0 = performance.now();
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    if (running > 0) times.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(all);
  times.sort((a, b) => a - b);
  if (times.length === 0) return { probes: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  return {
    probes: times.length,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    maxMs: times[times.length - 1],
  };
}

/** Rows/s of the generator pool the server uses (its compute workers), without HTTP or encoding. */
async function inProcessRate(zoo: string, model: string, count: number, backend: string): Promise<number> {
  const pool = new GeneratorPool({ zoo, backend: async () => backend });
  const params = { sigma2: 50, classes: [...Array(10).keys()], start: 0, dtype: 'uint8' as const };
  try {
    await pool.rows.warm();
    const warmUp = 512 * Math.max(1, pool.rows.workers);
    for await (const _ of pool.sampleImages(model, { ...params, seed: 1, count: warmUp })) {
      // warm-up: every worker loads the generator
    }
    const t0 = performance.now();
    for await (const _ of pool.sampleImages(model, { ...params, seed: 2, count })) {
      // drain
    }
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await pool.close();
  }
}

async function spawnServer(zoo: string, backend: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--store', 'none'], {
    env: {
      ...process.env,
      GOE_ZOO: zoo,
      GOE_BACKEND: backend,
      GOE_LOG: 'silent',
      GOE_RATE_LIMIT: '1000000',
      GOE_RATE_BURST: '1000000',
      GOE_MAX_CONCURRENCY: '10000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`goe serve exited with code ${code}`)));
  });
  return { url, child };
}

async function drain(res: Response): Promise<number> {
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return bytes;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** The process's peak resident set (Linux `VmHWM`). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]) / 1024;
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}
