import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  emptyCache,
  type LmConfig,
  type LoadedLm,
  lmLogits,
  lmStep,
  loadLm,
  sampleTexts,
} from '../generators/lm/index.js';
import { type LmOnnxStepper, openLmStepper } from '../generators/lm/onnx-step.js';
import { generatorRef, RowPool } from '../generators/pool/index.js';
import { resolveModelDir } from '../generators/registry.js';
import { chooseRuntime, type GeneratorRuntime } from '../generators/twin.js';
import { initBackend, KernelProfiler } from '../runtime/backend/index.js';
import { workerCount } from '../runtime/pool/index.js';
import { findPython } from '../runtime/python.js';
import * as tf from '../runtime/tf.js';

/** Largest |goe − PyTorch| a next-token logit may show before the bench refuses to compare speeds. */
export const LOGIT_TOLERANCE = 1e-3;

/** What the PyTorch peer reports for its timed run. */
export interface LmPeerTiming {
  name: string;
  version: string;
  python: string;
  threads: number;
  tokensPerSec: number;
  tokens: number;
  seconds: number;
}

/** How closely the peer computes goe's function: next-token logits after fixed prefixes, both ways. */
export interface LmLogitCheck {
  prefixes: number;
  positions: number[];
  /** max |goe − peer| over every checked logit, with the key/value cache (token by token) and without it. */
  maxAbsDiff: { cached: number; full: number };
  tolerance: number;
}

/** Where sampling time goes, from one profiled run (`--profile`). */
export interface LmSampleProfile {
  msPerStep: number;
  /** Wall time outside TF.js kernels: the JavaScript draws (softmax + inverse CDF) and op dispatch. */
  outsideKernelsMsPerStep: number;
  kernels: { kernel: string; callsPerStep: number; selfMsPerStep: number }[];
}

/** The result of `goe bench generate --model <language model> --json`. */
export interface GenerateLmResult {
  name: 'generate';
  modality: 'text';
  model: string;
  backend: string;
  batch: number;
  /** Samples per timed run; each is `length` tokens. */
  count: number;
  length: number;
  temperature: number;
  /** What computed the logits (`GOE_RUNTIME`: ONNX Runtime whenever installed, generators/lm/onnx-step.ts). */
  runtime: GeneratorRuntime;
  /** In-thread on `runtime`. */
  tokens: number;
  seconds: number;
  tokensPerSec: number;
  /** In-thread on TF.js (the same sampler, TF.js computing the logits), for comparison. */
  tfjsTokensPerSec: number;
  /**
   * The compute worker pool (on `runtime`) (rows split across `workers` workers, as `goe serve` and `goe sample` run):
   * its tokens/s, with one worker, and the peer ratio of the pool rate.
   */
  pool: {
    workers: number;
    tokensPerSec: number;
    singleWorkerTokensPerSec: number;
    speedup: number;
    ratio?: number;
  };
  /** The fastest of `peers`: the ratios are against it. */
  peer: LmPeerTiming | null;
  /** Every PyTorch configuration timed (1 thread and one per core, or `--threads`). */
  peers: LmPeerTiming[];
  ratio?: number;
  check: LmLogitCheck | null;
  machine: {
    cpuModel: string;
    cpus: number;
    memGiB: number;
    platform: string;
    arch: string;
    loadAvg1: number;
  };
  versions: { node: string; tfjs: string; backendPackage: string; backendVersion: string };
  profile?: LmSampleProfile;
}

/** The PyTorch peer and goe disagree on the model's logits: their speeds measure different functions. */
export class LmPeerMismatchError extends Error {
  override readonly name = 'LmPeerMismatchError';
  constructor(
    readonly model: string,
    readonly check: LmLogitCheck,
  ) {
    super(
      `the PyTorch peer does not compute ${model}'s function: max |Δlogit| = ` +
        `${check.maxAbsDiff.cached.toExponential(2)} with the cache, ${check.maxAbsDiff.full.toExponential(2)} ` +
        `without (tolerance ${check.tolerance}); fix bench/peer/lm_generate.py before comparing speeds`,
    );
  }
}

const PEER_SCRIPT = fileURLToPath(new URL('./peer/lm_generate.py', import.meta.url));

/** Draws `count` samples with `sampleTexts` and returns the number of tokens generated. */
async function sample(
  lm: LoadedLm,
  count: number,
  batch: number,
  temperature: number,
  seed: number,
  onnx?: LmOnnxStepper,
): Promise<number> {
  let tokens = 0;
  for await (const b of sampleTexts(
    lm.vars,
    lm.config,
    { temperature, seed, count, batchSize: batch },
    onnx,
  )) {
    tokens += b.count * b.length;
  }
  return tokens;
}

/**
 * Times `sampleTexts` (class draw, cached decoding step, float64 token draw) for `count` samples of the
 * model's length, after an untimed warm-up batch. Tokens/s counts every generated token.
 */
export async function timeLmSampling(
  lm: LoadedLm,
  o: { batch: number; count: number; temperature: number },
  onnx?: LmOnnxStepper,
): Promise<{ tokens: number; seconds: number; tokensPerSec: number }> {
  await sample(lm, Math.min(o.batch, o.count), o.batch, o.temperature, 1, onnx); // kernels compiled, operators made
  const t0 = performance.now();
  const tokens = await sample(lm, o.count, o.batch, o.temperature, 2, onnx);
  const seconds = (performance.now() - t0) / 1000;
  return { tokens, seconds, tokensPerSec: tokens / seconds };
}

/**
 * Tokens/s of `count` samples drawn through a {@link RowPool} of `workers` workers (`batch` rows per task,
 * batches spread over the workers and re-ordered), after an untimed warm-up that loads the model on each.
 */
export async function timeLmPool(
  dir: string,
  lm: LoadedLm,
  o: { batch: number; count: number; temperature: number },
  workers: number,
  runtime: GeneratorRuntime = 'tfjs',
): Promise<number> {
  const pool = new RowPool({ workers, textBatchSize: o.batch });
  const ref = generatorRef(dir, lm.manifest, runtime);
  const classes = lm.config.classTokens.map((_, i) => i);
  const run = async (count: number, seed: number) => {
    let tokens = 0;
    const params = { modality: 'text', temperature: o.temperature, classes, seed } as const;
    for await (const b of pool.rows(ref, params, 0, count))
      tokens += b.count * (b as { length: number }).length;
    return tokens;
  };
  try {
    await pool.warm();
    await run(Math.max(1, workers) * Math.min(o.batch, o.count), 1);
    const t0 = performance.now();
    const tokens = await run(o.count, 2);
    return tokens / ((performance.now() - t0) / 1000);
  } finally {
    await pool.close();
  }
}

/** Kernel-by-kernel time of one sampled batch (after warm-up) on a synchronous backend. */
async function profileLmSampling(lm: LoadedLm, batch: number, temperature: number): Promise<LmSampleProfile> {
  const profiler = new KernelProfiler(tf.getBackend()).start();
  const t0 = performance.now();
  try {
    await sample(lm, batch, batch, temperature, 3);
  } finally {
    profiler.stop();
  }
  const ms = performance.now() - t0;
  const steps = lm.config.length;
  const report = profiler.report();
  const kernelMs = report.reduce((sum, k) => sum + k.selfMs, 0);
  return {
    msPerStep: ms / steps,
    outsideKernelsMsPerStep: (ms - kernelMs) / steps,
    kernels: report.map((k) => ({
      kernel: k.kernel,
      callsPerStep: k.calls / steps,
      selfMsPerStep: k.selfMs / steps,
    })),
  };
}

/**
 * Fixed prefixes for the logit check: one per class (up to 3), each its class token and then
 * `length − 1` ordinary word ids spread over the vocabulary, so every position the sampler feeds is
 * covered.
 */
export function checkPrefixes(c: LmConfig): number[][] {
  const words = c.vocabSize - c.specials;
  return c.classTokens
    .slice(0, 3)
    .map((cls, p) => [
      cls,
      ...Array.from({ length: c.length - 1 }, (_, t) => c.specials + ((t * 7919 + p * 104729 + 13) % words)),
    ]);
}

/** Positions whose next-token logits the check compares: the first, second, middle and last. */
export function checkPositions(length: number): number[] {
  return [...new Set([0, 1, Math.floor(length / 2), length - 1].filter((t) => t >= 0 && t < length))];
}

/** goe's logits [prefix][position][V] after `prefixes`, token by token with the cache, and all at once. */
function goeLogits(
  lm: LoadedLm,
  prefixes: number[][],
  positions: number[],
): { cached: number[][][]; full: number[][][] } {
  const n = prefixes.length;
  const T = prefixes[0].length;
  const V = lm.config.vocabSize;
  const cached: number[][][] = prefixes.map(() => []);
  let cache = emptyCache();
  for (let t = 0; t < T; t++) {
    const ids = tf.tensor1d(
      prefixes.map((p) => p[t]),
      'int32',
    );
    const step = lmStep(lm.vars, lm.config, ids, cache);
    ids.dispose();
    cache = step.cache;
    const data = step.logits.dataSync();
    step.logits.dispose();
    if (positions.includes(t))
      for (let r = 0; r < n; r++) cached[r].push(Array.from(data.subarray(r * V, (r + 1) * V)));
  }
  tf.dispose([...cache.keys, ...cache.values]);
  const all = tf.tidy(() =>
    lmLogits(lm.vars, lm.config, tf.tensor2d(prefixes.flat(), [n, T], 'int32')).dataSync(),
  );
  const full = prefixes.map((_, r) =>
    positions.map((t) => Array.from(all.subarray((r * T + t) * V, (r * T + t + 1) * V))),
  );
  return { cached, full };
}

function maxAbsDiff(a: number[][][], b: number[][][]): number {
  let worst = 0;
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return Number.POSITIVE_INFINITY;
    for (let j = 0; j < a[i].length; j++) {
      if (a[i][j].length !== b[i][j].length) return Number.POSITIVE_INFINITY;
      for (let k = 0; k < a[i][j].length; k++) {
        const d = Math.abs(a[i][j][k] - b[i][j][k]);
        if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      }
    }
  }
  return worst;
}

function runPeer(
  python: string,
  args: string[],
): { ok: true; stdout: string } | { ok: false; error: string } {
  const r = spawnSync(python, [PEER_SCRIPT, ...args], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status === 0) return { ok: true, stdout: r.stdout };
  return { ok: false, error: `peer failed: ${(r.stderr || r.error?.message || '').trim().slice(-500)}` };
}

/**
 * Compares goe's next-token logits (with and without the cache) with the PyTorch peer's on the same
 * weights. Returns the check; throws {@link LmPeerMismatchError} when they differ by more than the tolerance.
 */
export function checkLmPeer(python: string, lm: LoadedLm, weights: string, model: string): LmLogitCheck {
  const prefixes = checkPrefixes(lm.config);
  const positions = checkPositions(lm.config.length);
  const ours = goeLogits(lm, prefixes, positions);
  const dir = mkdtempSync(join(tmpdir(), 'goe-lm-check-'));
  try {
    const input = join(dir, 'prefixes.json');
    writeFileSync(input, JSON.stringify({ prefixes, positions }));
    const r = runPeer(python, [
      '--weights',
      weights,
      '--config',
      JSON.stringify(lm.config),
      '--check',
      input,
      '--threads',
      '1',
    ]);
    if (!r.ok) throw new Error(r.error);
    const peer = JSON.parse(r.stdout) as { cached: number[][][]; full: number[][][] };
    const check: LmLogitCheck = {
      prefixes: prefixes.length,
      positions,
      maxAbsDiff: { cached: maxAbsDiff(ours.cached, peer.cached), full: maxAbsDiff(ours.full, peer.full) },
      tolerance: LOGIT_TOLERANCE,
    };
    if (!(check.maxAbsDiff.cached <= LOGIT_TOLERANCE && check.maxAbsDiff.full <= LOGIT_TOLERANCE)) {
      throw new LmPeerMismatchError(model, check);
    }
    return check;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `goe bench generate --model <language model>`: tokens/s of sampling with the key/value cache in process,
 * beside the same model and weights sampled in PyTorch (its own cache, `torch.multinomial`) on this
 * machine, in its fastest configuration (1 thread or one per core). The peer's logits are checked against goe's first; a disagreement is
 * an error, not a ratio.
 */
export async function benchGenerateLm(opts: {
  model: string;
  batch?: number;
  count?: number;
  temperature?: number;
  /** PyTorch threads; default both 1 and one per core, the faster being the peer. */
  threads?: number;
  profile?: boolean;
}): Promise<{ result: GenerateLmResult; peerError?: string }> {
  const batch = opts.batch ?? 64;
  const count = opts.count ?? 256;
  const temperature = opts.temperature ?? 2;
  const loadAvg1 = loadavg()[0];
  const backend = await initBackend();
  const dir = resolveModelDir(opts.model);
  const lm = await loadLm(dir);
  try {
    const weights = join(dir, lm.manifest.weights.file);
    let peer: LmPeerTiming | null = null;
    let check: LmLogitCheck | null = null;
    let peerError: string | undefined;
    const python = findPython(['torch', 'numpy']);
    if (!python) {
      peerError = 'PyTorch not found (apt-get install python3-torch python3-numpy, or set GOE_PYTHON)';
    } else {
      // The check runs first: a peer that computes another function has no speed worth reporting.
      try {
        check = checkLmPeer(python, lm, weights, opts.model);
      } catch (err) {
        if (err instanceof LmPeerMismatchError) throw err;
        peerError = err instanceof Error ? err.message : String(err);
      }
    }
    const runtime = chooseRuntime(dir, lm.manifest);
    const onnx = runtime === 'onnx' ? await openLmStepper(lm.config, lm.vars, opts.model) : undefined;
    const o = { batch, count, temperature };
    const timing = await timeLmSampling(lm, o, onnx).finally(() => onnx?.dispose());
    const tfjsTokensPerSec = onnx ? (await timeLmSampling(lm, o)).tokensPerSec : timing.tokensPerSec;
    const workers = Math.max(1, workerCount());
    const single = await timeLmPool(dir, lm, o, 1, runtime);
    const pooled = workers === 1 ? single : await timeLmPool(dir, lm, o, workers, runtime);
    // Without --threads the peer runs at 1 thread and at one per core, and the faster is the peer: the
    // issue's target is the fastest PyTorch configuration on the machine (1 thread on this 2-core VM).
    const peers: LmPeerTiming[] = [];
    for (const threads of opts.threads ? [opts.threads] : [...new Set([1, cpus().length])]) {
      if (!python || !check) break;
      const r = runPeer(python, [
        '--weights',
        weights,
        '--config',
        JSON.stringify(lm.config),
        '--batch',
        String(batch),
        '--count',
        String(count),
        '--temperature',
        String(temperature),
        '--threads',
        String(threads),
      ]);
      if (r.ok) peers.push(JSON.parse(r.stdout) as LmPeerTiming);
      else peerError = r.error;
    }
    for (const p of peers) if (!peer || p.tokensPerSec > peer.tokensPerSec) peer = p;
    const profile = opts.profile ? await profileLmSampling(lm, batch, temperature) : undefined;
    const result: GenerateLmResult = {
      name: 'generate',
      modality: 'text',
      model: opts.model,
      backend: backend.choice,
      batch,
      count,
      length: lm.config.length,
      temperature,
      runtime,
      ...timing,
      tfjsTokensPerSec,
      pool: {
        workers,
        tokensPerSec: pooled,
        singleWorkerTokensPerSec: single,
        speedup: pooled / single,
        ...(peer ? { ratio: pooled / peer.tokensPerSec } : {}),
      },
      peer,
      peers,
      ...(peer ? { ratio: timing.tokensPerSec / peer.tokensPerSec } : {}),
      check,
      machine: {
        cpuModel: cpus()[0]?.model.trim() ?? '?',
        cpus: cpus().length,
        memGiB: Math.round(totalmem() / 2 ** 30),
        platform: process.platform,
        arch: process.arch,
        loadAvg1,
      },
      versions: {
        node: process.version,
        tfjs: tf.version_core,
        backendPackage: backend.package,
        backendVersion: backend.version,
      },
      ...(profile ? { profile } : {}),
    };
    return { result, ...(peerError ? { peerError } : {}) };
  } finally {
    lm.dispose();
  }
}
