/**
 * Soak: a real `goe serve` process on loopback under `concurrency` clients for `seconds`, bounded in count
 * (small requests) and time. A mix of what users send: fixed-seed bodies (cache hits after the first),
 * fresh seeds, every image format, model listings, bad requests, and streams the client abandons midway.
 * Reports responses by status, server RSS over time (the process's: its compute worker threads included)
 * and the live TF.js tensors of the serving thread and of each compute worker (`/healthz` `tensors`,
 * `workerTensors`; null for a worker that never started TF.js: ONNX Runtime sessions hold no tensors).
 * Holds when: no response ≥ 500 and no failed connection, RSS after warm-up drifts < 10 %, and every
 * tensor count at the end equals the one after warm-up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of {@link soak}. */
export interface SoakOptions {
  seconds: number;
  concurrency: number;
  /** Zoo folder of the server (default: its own default, `GOE_ZOO` or `zoo/`). */
  zoo?: string;
  /** Image generator to request. */
  model: string;
  /** Rows per request (small: the soak is about the service, not throughput). */
  count?: number;
  onProgress?: (line: string) => void;
}

/** What a soak saw. */
export interface SoakReport {
  seconds: number;
  concurrency: number;
  requests: number;
  byStatus: Record<string, number>;
  /** Responses ≥ 500 plus requests that failed without a response (reset connections, broken bodies). */
  failures: number;
  failureSamples: string[];
  /** Requests sent again after a reset of a reused keep-alive socket before any answer (then answered). */
  resets: number;
  /** Streams the client abandoned on purpose after the first chunk. */
  abandoned: number;
  rssMiB: { afterWarmup: number; end: number; peak: number; driftPct: number };
  /** Server RSS (MiB) at the end of each tenth of the run, warm-up included, to show where it levels off. */
  rssSeriesMiB: number[];
  tensors: { afterWarmup: number; end: number };
  /** Each compute worker's tensors (by thread id) after warm-up and at the end. */
  workerTensors: { afterWarmup: Record<string, number | null>; end: Record<string, number | null> };
  /** True when failures = 0, |drift| < 10 % and the tensor count held. */
  holds: boolean;
}

const bin = fileURLToPath(new URL('../bin/goe.mjs', import.meta.url));

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function startServe(
  zoo: string | undefined,
  store: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--store', `file://${store}`], {
    env: {
      ...process.env,
      ...(zoo ? { GOE_ZOO: zoo } : {}),
      GOE_LOG: 'silent',
      // The soak is many clients on one address: the per-client limits would answer 429 to most of it.
      GOE_RATE_LIMIT: '1000000',
      GOE_RATE_BURST: '1000000',
      GOE_MAX_CONCURRENCY: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) =>
      reject(new Error(`goe serve exited (${code}) before listening: ${err.slice(-500)}`)),
    );
  });
  return { child, url };
}

async function tensorsOf(url: string): Promise<{ main: number; workers: Record<string, number | null> }> {
  const h = (await (await fetch(`${url}/healthz`)).json()) as {
    tensors?: number;
    workerTensors?: Record<string, number | null>;
  };
  if (typeof h.tensors !== 'number') throw new Error('/healthz reports no tensor count');
  return { main: h.tensors, workers: h.workerTensors ?? {} };
}

/** Runs the soak; see the module comment for what it checks. */
export async function soak(o: SoakOptions): Promise<SoakReport> {
  const count = o.count ?? 32;
  const store = await mkdtemp(join(tmpdir(), 'goe-soak-store-'));
  const { child, url } = await startServe(o.zoo, store);
  const pid = child.pid!;
  const byStatus: Record<string, number> = {};
  const failureSamples: string[] = [];
  let failures = 0;
  let resets = 0;
  let abandoned = 0;
  let requests = 0;
  const samples: { t: number; rss: number }[] = [];
  try {
    const t0 = Date.now();
    const end = t0 + o.seconds * 1000;
    // Warm-up is the first fifth of the run (at least 5 s): RSS grows until the heap and the wasm memory
    // have held the peak of 32 concurrent requests (wasm memory never shrinks), then it should stay level.
    const warmupEnd = t0 + Math.max(5_000, o.seconds * 200);
    const sampler = setInterval(() => samples.push({ t: Date.now(), rss: rssMiB(pid) }), 500);
    let n = 0;
    const one = async (k: number, retry = true): Promise<void> => {
      const kind = k % 10;
      const seed = kind < 4 ? k % 8 : k; // 0–3: 8 fixed seeds (cache hits after the first); else fresh
      const format = ['npy', 'ndjson', 'npz', 'safetensors'][k % 4];
      let res: Response | undefined;
      const controller = new AbortController();
      try {
        if (kind === 7) res = await fetch(`${url}/models`);
        else if (kind === 8) {
          res = await fetch(`${url}/outliers`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: o.model, count: -k, seed: 'x' }),
          });
        } else {
          res = await fetch(`${url}/outliers`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              model: o.model,
              count: kind === 9 ? count * 64 : count,
              seed,
              sigma2: 20,
              format,
            }),
            signal: controller.signal,
          });
        }
        byStatus[res!.status] = (byStatus[res!.status] ?? 0) + 1;
        if (res.status >= 500) {
          failures++;
          if (failureSamples.length < 5) failureSamples.push(`${res.status} ${await res.text()}`);
          return;
        }
        if (kind === 9 && res.body) {
          // Abandon a long stream after its first chunk, as a client that lost interest.
          const reader = res.body.getReader();
          await reader.read();
          controller.abort();
          await reader.cancel().catch(() => undefined);
          abandoned++;
          return;
        }
        await res.arrayBuffer();
      } catch (err) {
        if (controller.signal.aborted) return;
        // A reused keep-alive socket the server closed as the request went out: nothing was answered,
        // and HTTP/1.1 clients send such a request again (RFC 9112 §9.3.1; goe's requests are idempotent
        // by contract, and the SDK retries failed connections). Counted; a second failure is a failure.
        if (
          res === undefined &&
          retry &&
          /ECONNRESET|other side closed|UND_ERR_SOCKET/.test(String((err as Error).cause ?? err))
        ) {
          resets++;
          return one(k, false);
        }
        failures++;
        if (failureSamples.length < 5) failureSamples.push(String((err as Error).cause ?? err));
      }
    };
    // Load runs in two phases with a quiet moment between: warm-up (generators load, caches fill), then
    // the soak itself. Tensor counts are read only when no request is in flight, so they compare.
    const phase = (until: number) =>
      Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (Date.now() < until) {
            requests++;
            await one(n++);
          }
        }),
      );
    const progress = setInterval(() => {
      const s = samples.at(-1);
      o.onProgress?.(
        `soak: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${requests} requests, ${failures} failures, RSS ${s?.rss.toFixed(0)} MiB`,
      );
    }, 30_000);
    await phase(warmupEnd);
    // Abandoned streams stop within one batch on the server: give them that long before counting.
    await new Promise((r) => setTimeout(r, 1_000));
    const afterWarmupTensors = await tensorsOf(url);
    o.onProgress?.(
      `soak: warm after ${((Date.now() - t0) / 1000).toFixed(0)} s, ${afterWarmupTensors.main} tensors, workers ${JSON.stringify(afterWarmupTensors.workers)}`,
    );
    const mainStart = Date.now();
    await phase(end);
    clearInterval(progress);
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 1_000));
    const endTensors = await tensorsOf(url);
    samples.push({ t: Date.now(), rss: rssMiB(pid) });
    const after = samples.filter((s) => s.t >= mainStart);
    const head = after.slice(0, Math.max(3, Math.floor(after.length / 10))).map((s) => s.rss);
    const tail = after.slice(-Math.max(3, Math.floor(after.length / 10))).map((s) => s.rss);
    const rss = {
      afterWarmup: median(head),
      end: median(tail),
      peak: Math.max(...samples.map((s) => s.rss)),
      driftPct: 0,
    };
    rss.driftPct = ((rss.end - rss.afterWarmup) / rss.afterWarmup) * 100;
    const tensors = { afterWarmup: afterWarmupTensors.main, end: endTensors.main };
    const workerTensors = { afterWarmup: afterWarmupTensors.workers, end: endTensors.workers };
    // A worker replaced mid-run (a crash) has a new thread id: compare the workers seen at both times.
    const workersHeld = Object.entries(workerTensors.end).every(
      ([thread, n]) => !(thread in workerTensors.afterWarmup) || workerTensors.afterWarmup[thread] === n,
    );
    const tenth = (Date.now() - t0) / 10;
    const rssSeriesMiB = Array.from({ length: 10 }, (_, i) => {
      const upTo = samples.filter((s) => s.t <= t0 + (i + 1) * tenth);
      return Math.round(upTo.at(-1)?.rss ?? Number.NaN);
    });
    return {
      seconds: (Date.now() - t0) / 1000,
      concurrency: o.concurrency,
      requests,
      byStatus,
      failures,
      failureSamples,
      resets,
      abandoned,
      rssMiB: rss,
      rssSeriesMiB,
      tensors,
      workerTensors,
      holds:
        failures === 0 && Math.abs(rss.driftPct) < 10 && tensors.end === tensors.afterWarmup && workersHeld,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    await rm(store, { recursive: true, force: true });
  }
}
