import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCgan, sampleImages } from '../generators/cgan/index.js';
import { generatorRef, RowPool } from '../generators/pool/index.js';
import { resolveModelDir } from '../generators/registry.js';
import { type GeneratorRuntime, runtimeLabel, twinProblem } from '../generators/twin.js';
import { initBackend } from '../runtime/backend/index.js';
import { workerCount } from '../runtime/pool/index.js';
import { findPython } from '../runtime/python.js';

/** One line of `goe bench generate --json`. */
export interface GenerateResult {
  name: 'generate';
  model: string;
  backend: string;
  batch: number;
  sigma2: number;
  /** Compute workers of the pool (`GOE_WORKERS`, default one per core). */
  workers: number;
  /** The worker pool's rate with `workers` workers: what `goe serve` and `goe sample` get. */
  imagesPerSec: number;
  /** The same pool with one worker, and the pool's speed-up over it. */
  singleWorker: { imagesPerSec: number; speedup: number };
  /** The sampler on the calling thread, no pool (the rate before the pool existed). */
  inThread: { imagesPerSec: number };
  peer: { name: string; version: string; threads: number; imagesPerSec: number } | null;
  /** `imagesPerSec` / the peer's. */
  ratio?: number;
  /**
   * The same pool serving the model's ONNX twin on ONNX Runtime (`GOE_RUNTIME=onnx`), N workers and 1
   * worker, each worker's session at cores ÷ workers threads; null when the model has no usable twin.
   */
  onnx: {
    runtime: string;
    workers: number;
    threadsPerWorker: number;
    imagesPerSec: number;
    singleWorker: { threads: number; imagesPerSec: number; speedup: number };
    /**
     * One worker on one thread: what each of the N workers runs on, so `speedup` = N workers / this is
     * the scaling over cores at the same per-worker setting (`singleWorker` already uses every core).
     */
    oneCore: { imagesPerSec: number; speedup: number };
    /** `imagesPerSec` / the TF.js pool's with the same workers, and / the peer's. */
    vsTfjs: number;
    ratio?: number;
  } | null;
  /** Why `onnx` is null. */
  onnxMissing?: string;
  /** `os.loadavg()` (1, 5, 15 min) when the run started and ended: other work on the machine skews rates. */
  load: { start: number[]; end: number[] };
}

/** Times in-process sampling (RNG, generator forward, uint8 rows) of a zoo generator on the active backend. */
export async function timeGeneration(
  model: string,
  batch: number,
  sigma2: number,
  seconds: number,
): Promise<number> {
  const gen = await loadCgan(resolveModelDir(model));
  try {
    const run = async (count: number, seed: number) => {
      for await (const _ of sampleImages(gen.vars, gen.config, { sigma2, seed, count, batchSize: batch })) {
        // drain
      }
    };
    await run(2 * batch, 1); // warm-up
    let images = 0;
    const t0 = performance.now();
    let elapsed = 0;
    for (let seed = 2; elapsed < seconds || images < 3 * batch; seed++) {
      await run(batch, seed);
      images += batch;
      elapsed = (performance.now() - t0) / 1000;
    }
    return images / elapsed;
  } finally {
    gen.dispose();
  }
}

/**
 * Images/s of the compute worker pool (RowPool) with `workers` workers: one request after another, each
 * `4 × workers` batches, cut, computed and re-ordered as `goe serve` does, for at least `seconds`.
 */
export async function timePool(
  model: string,
  batch: number,
  sigma2: number,
  seconds: number,
  workers: number,
  runtime: GeneratorRuntime = 'tfjs',
  onnxThreads?: number,
): Promise<number> {
  const dir = resolveModelDir(model);
  const gen = await loadCgan(dir);
  const ref = generatorRef(dir, gen.manifest, runtime);
  const classes = Array.from({ length: gen.config.numClasses }, (_, i) => i);
  gen.dispose();
  const pool = new RowPool({ workers, batchSize: batch, onnxThreads });
  try {
    await pool.warm();
    const perRequest = 4 * Math.max(1, workers) * batch;
    const run = async (count: number, seed: number) => {
      const params = { modality: 'image', sigma2, classes, seed, dtype: 'uint8' } as const;
      for await (const _ of pool.rows(ref, params, 0, count)) {
        // drain
      }
    };
    await run(perRequest, 1); // warm-up: every worker loads the generator
    let images = 0;
    const t0 = performance.now();
    let elapsed = 0;
    for (let seed = 2; elapsed < seconds; seed++) {
      await run(perRequest, seed);
      images += perRequest;
      elapsed = (performance.now() - t0) / 1000;
    }
    return images / elapsed;
  } finally {
    await pool.close();
  }
}

/**
 * `goe bench generate`: the zoo generator on the worker pool (N workers and 1 worker) and on the calling
 * thread, beside the same network in PyTorch.
 */
export async function benchGenerate(
  opts: { model?: string; batch?: number; sigma2?: number; seconds?: number } = {},
): Promise<{
  result: GenerateResult;
  peerError?: string;
}> {
  const loadStart = loadavg();
  const model = opts.model ?? 'fashion-mnist-cgan';
  const batch = opts.batch ?? 256;
  const sigma2 = opts.sigma2 ?? 50;
  const seconds = opts.seconds ?? 5;
  const backend = await initBackend();
  const workers = Math.max(1, workerCount());
  const inThread = await timeGeneration(model, batch, sigma2, seconds);
  const single = await timePool(model, batch, sigma2, seconds, 1);
  const imagesPerSec = workers === 1 ? single : await timePool(model, batch, sigma2, seconds, workers);
  const dir = resolveModelDir(model);
  const gen = await loadCgan(dir);
  const config = gen.config;
  const weights = join(dir, gen.manifest.weights.file);
  const onnxMissing = twinProblem(dir, gen.manifest);
  gen.dispose();
  let onnx: GenerateResult['onnx'] = null;
  if (!onnxMissing) {
    const cores = availableParallelism();
    const oneWorker = await timePool(model, batch, sigma2, seconds, 1, 'onnx');
    const oneCore = await timePool(model, batch, sigma2, seconds, 1, 'onnx', 1);
    const nWorkers =
      workers === 1 ? oneWorker : await timePool(model, batch, sigma2, seconds, workers, 'onnx');
    onnx = {
      runtime: runtimeLabel('onnx', ''),
      workers,
      threadsPerWorker: Math.max(1, Math.floor(cores / workers)),
      imagesPerSec: nWorkers,
      singleWorker: { threads: cores, imagesPerSec: oneWorker, speedup: nWorkers / oneWorker },
      oneCore: { imagesPerSec: oneCore, speedup: nWorkers / oneCore },
      vsTfjs: nWorkers / imagesPerSec,
    };
  }
  let peer: GenerateResult['peer'] = null;
  let peerError: string | undefined;
  const python = findPython(['torch', 'numpy']);
  if (!python)
    peerError = 'PyTorch not found (apt-get install python3-torch python3-numpy, or set GOE_PYTHON)';
  else {
    const script = fileURLToPath(new URL('./peer/generate.py', import.meta.url));
    const r = spawnSync(
      python,
      [
        script,
        '--weights',
        weights,
        '--config',
        JSON.stringify(config),
        '--batch',
        String(batch),
        '--sigma2',
        String(sigma2),
        '--seconds',
        String(seconds),
        '--threads',
        String(cpus().length),
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (r.status === 0) peer = JSON.parse(r.stdout);
    else peerError = `peer failed: ${(r.stderr || r.error?.message || '').trim().slice(-500)}`;
  }
  return {
    result: {
      name: 'generate',
      model,
      backend: backend.choice,
      batch,
      sigma2,
      workers,
      imagesPerSec,
      singleWorker: { imagesPerSec: single, speedup: imagesPerSec / single },
      inThread: { imagesPerSec: inThread },
      peer,
      ...(peer ? { ratio: imagesPerSec / peer.imagesPerSec } : {}),
      onnx: onnx && peer ? { ...onnx, ratio: onnx.imagesPerSec / peer.imagesPerSec } : onnx,
      ...(onnxMissing ? { onnxMissing } : {}),
      load: { start: loadStart, end: loadavg() },
    },
    ...(peerError ? { peerError } : {}),
  };
}
