import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { onnxRuntimeInstalled } from '../generators/imported/onnx.js';
import { type BackendChoice, backendChoices, initBackend } from '../runtime/backend/index.js';
import { ShardPool, SharedParams, shareBytes } from '../runtime/pool/index.js';
import { findPython } from '../runtime/python.js';
import * as tf from '../runtime/tf.js';
import { openOnnxGradients } from '../trainer/onnx/gradients.js';
import { type BenchArch, benchCnn } from './reference-cnn.js';

/** One line of `goe bench train-step --json` (the schema). */
export interface TrainStepResult {
  name: 'train-step';
  backend: BackendChoice;
  samplesPerSec: number;
  steps: number;
  seconds: number;
  batch: number;
  /** The timed backbone. */
  arch: BenchArch;
  peer: PeerResult | null;
  /** samplesPerSec / peer.samplesPerSec; absent without a peer. */
  ratio?: number;
  /** Data-parallel steps over compute workers (wasm only; `--workers`). */
  parallel?: ParallelStepResult;
  /** The same steps on ONNX Runtime (trainer/onnx: what `goe train` runs; on the wasm line). */
  onnx?: OnnxStepResult;
}

/** `goe bench train-step`'s ONNX Runtime line: the trainer's own step, timed per phase. */
export interface OnnxStepResult {
  samplesPerSec: number;
  steps: number;
  seconds: number;
  /** samplesPerSec / the in-thread wasm rate of the same run. */
  speedup: number;
  /** samplesPerSec / peer.samplesPerSec; absent without a peer. */
  ratio?: number;
  /**
   * ms per step: the cross-entropy step graph (weights, batch and labels in; loss and gradients out; trainer/onnx
   * `crossEntropyGradients`) and the optimizer update on TF.js.
   */
  msPerStep: { total: number; graph: number; update: number };
}

/** `goe bench train-step --workers N`: the same steps, each batch split over N worker threads. */
export interface ParallelStepResult {
  workers: number;
  samplesPerSec: number;
  steps: number;
  seconds: number;
  /** samplesPerSec / the in-thread wasm rate of the same run. */
  speedup: number;
  /** samplesPerSec / peer.samplesPerSec; absent without a peer. */
  ratio?: number;
  /** Where a step's wall time goes, ms per step (see {@link timeParallelTrainSteps}). */
  msPerStep: ParallelStepTimes;
}

/** Per-step times of a data-parallel step, ms. */
export interface ParallelStepTimes {
  total: number;
  /** Copying the weights into shared memory. */
  publish: number;
  /** From sending the shard tasks to the last result, of which `worker` is the slowest shard's own compute. */
  shards: number;
  worker: number;
  /** Averaging the gradient slots and the optimizer update. */
  update: number;
}

export interface PeerResult {
  name: string;
  version: string;
  threads: number;
  samplesPerSec: number;
}

export interface TrainStepOptions {
  backends?: BackendChoice[];
  batch?: number;
  /** The timed backbone (default small-cnn: the baseline measurement was of it). */
  arch?: BenchArch;
  /** Timed seconds per backend after warm-up (at least 2 timed steps either way). */
  seconds?: number;
  warmup?: number;
  /** Compute workers for the data-parallel rate (default: one per core; 0 = skip it). */
  workers?: number;
  /** Called with a line of progress for people watching a terminal. */
  onProgress?: (message: string) => void;
}

/** Times training steps of the reference CNN on one backend (the backend must already be active). */
export function timeTrainSteps(
  batch: number,
  seconds: number,
  warmup: number,
  arch: BenchArch = 'small-cnn',
): { steps: number; seconds: number } {
  const model = benchCnn(arch);
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const step = () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    );
    // Reading the loss forces the step to finish on asynchronous backends and is what a loop does anyway.
    loss?.dataSync();
    loss?.dispose();
  };
  try {
    for (let i = 0; i < warmup; i++) step();
    let steps = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      step();
      steps++;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < seconds || steps < 2);
    return { steps, seconds: elapsed };
  } finally {
    x.dispose();
    y.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Times data-parallel training steps of the reference CNN: the batch of {@link timeTrainSteps} split into
 * `workers` equal shards, each shard's gradients computed by a compute worker (runtime/pool's mechanism:
 * weights and gradient slots in shared memory), averaged in a fixed order, one SGD update here. The batch
 * must divide by `workers`. Also reports where a step's wall time goes.
 */
export async function timeParallelTrainSteps(
  batch: number,
  seconds: number,
  warmup: number,
  workers: number,
  arch: BenchArch = 'small-cnn',
): Promise<{ steps: number; seconds: number; msPerStep: ParallelStepTimes }> {
  if (batch % workers !== 0) throw new Error(`--workers ${workers} must divide --batch ${batch}`);
  await initBackend('wasm');
  const model = benchCnn(arch);
  const optimizer = tf.train.sgd(0.01);
  const [xData, yData] = tf.tidy(() => [
    tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 1).dataSync(),
    tf
      .oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10)
      .toFloat()
      .dataSync(),
  ]);
  const x = shareBytes(xData);
  const y = shareBytes(yData);
  const params = new SharedParams(
    model.trainableWeights.map((w) => w.read() as tf.Variable),
    workers,
  );
  const pool = await ShardPool.open({
    module: new URL('./train-step-worker.ts', import.meta.url),
    load: () => import('./train-step-worker.js'),
    workers,
  });
  const per = batch / workers;
  const times = { publish: 0, shards: 0, worker: 0, update: 0 };
  const step = async () => {
    const t0 = performance.now();
    params.publish();
    const t1 = performance.now();
    const shards = await pool.shards<{ loss: number; ms: number }>('step', (k) => ({
      x,
      y,
      batch,
      from: k * per,
      to: (k + 1) * per,
      weights: params.weights,
      grads: params.grads,
      arch,
    }));
    const t2 = performance.now();
    const grads = params.mean();
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
    const t3 = performance.now();
    times.publish += t1 - t0;
    times.shards += t2 - t1;
    times.worker += Math.max(...shards.map((s) => s.ms));
    times.update += t3 - t2;
  };
  try {
    const { steps, seconds: elapsed } = await timedSteps(step, seconds, warmup, () => {
      for (const k of Object.keys(times) as (keyof typeof times)[]) times[k] = 0;
    });
    const ms = (t: number) => t / steps;
    return {
      steps,
      seconds: elapsed,
      msPerStep: {
        total: (elapsed * 1000) / steps,
        publish: ms(times.publish),
        shards: ms(times.shards),
        worker: ms(times.worker),
        update: ms(times.update),
      },
    };
  } finally {
    await pool.close();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Times training steps of {@link timeTrainSteps}'s model, batch and loss on ONNX Runtime, as `goe train` runs
 * them (trainer/onnx/gradients.ts; the wasm backend for the loss and the update).
 */
export async function timeOnnxTrainSteps(
  batch: number,
  seconds: number,
  warmup: number,
  arch: BenchArch = 'small-cnn',
): Promise<{ steps: number; seconds: number; msPerStep: OnnxStepResult['msPerStep'] }> {
  await initBackend('wasm');
  const model = benchCnn(arch);
  const engine = await openOnnxGradients(model, `bench ${arch}`);
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([batch], 0, 10, 'int32', 2).dataSync() as Int32Array;
  let update = 0;
  const step = async () => {
    // Softmax cross-entropy as `goe train` computes it on ONNX Runtime: one graph (trainer/fit.ts).
    const { grads } = await engine.crossEntropyGradients(x, labels);
    const t = performance.now();
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
    update += performance.now() - t;
  };
  try {
    let before = { ...engine.ms };
    const { steps, seconds: elapsed } = await timedSteps(step, seconds, warmup, () => {
      before = { ...engine.ms };
      update = 0;
    });
    const per = (k: keyof typeof before) => (engine.ms[k] - before[k]) / steps;
    return {
      steps,
      seconds: elapsed,
      msPerStep: {
        total: (elapsed * 1000) / steps,
        graph: per('crossEntropy'),
        update: update / steps,
      },
    };
  } finally {
    x.dispose();
    optimizer.dispose();
    await engine.dispose();
    model.dispose();
  }
}

/**
 * Runs `step` `warmup` times, calls `onTimed` (to zero its own counters), then runs it for at least `seconds`
 * and 2 steps; returns the timed steps and seconds.
 */
async function timedSteps(
  step: () => Promise<void>,
  seconds: number,
  warmup: number,
  onTimed: () => void,
): Promise<{ steps: number; seconds: number }> {
  for (let i = 0; i < warmup; i++) await step();
  onTimed();
  let steps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    await step();
    steps++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds || steps < 2);
  return { steps, seconds: elapsed };
}

/** Runs the PyTorch peer on the same machine, or says why it could not. */
export function runTrainStepPeer(
  batch: number,
  seconds: number,
  arch: BenchArch = 'small-cnn',
): PeerResult | { error: string } {
  const python = findPython(['torch']);
  if (!python) return { error: 'PyTorch not found (apt-get install python3-torch, or set GOE_PYTHON)' };
  const script = fileURLToPath(new URL('./peer/train_step.py', import.meta.url));
  const r = spawnSync(
    python,
    [
      script,
      '--batch',
      String(batch),
      '--seconds',
      String(seconds),
      '--threads',
      String(cpus().length),
      '--arch',
      arch,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0)
    return { error: `peer failed: ${(r.stderr || r.error?.message || '').trim().slice(-500)}` };
  return JSON.parse(r.stdout) as PeerResult;
}

/** `goe bench train-step`: every available backend beside the PyTorch peer. */
export async function benchTrainStep(opts: TrainStepOptions = {}): Promise<{
  results: TrainStepResult[];
  skipped: { backend: string; reason: string }[];
  peerError?: string;
}> {
  const batch = opts.batch ?? 128;
  const seconds = opts.seconds ?? 5;
  const arch = opts.arch ?? 'small-cnn';
  const progress = opts.onProgress ?? (() => {});
  const skipped: { backend: string; reason: string }[] = [];
  const timings: { backend: BackendChoice; steps: number; seconds: number }[] = [];
  for (const backend of opts.backends ?? [...backendChoices]) {
    try {
      await initBackend(backend);
    } catch (err) {
      skipped.push({ backend, reason: (err as Error).message });
      continue;
    }
    // The pure-JS cpu backend takes ~10 s a step; one warm-up step is enough for it.
    const warmup = opts.warmup ?? (backend === 'cpu' ? 1 : 3);
    const budget = backend === 'cpu' ? Math.min(seconds, 1) : seconds;
    progress(`timing ${backend} (batch ${batch}, ${warmup} warm-up steps, ≥${budget}s)`);
    timings.push({ backend, ...timeTrainSteps(batch, budget, warmup, arch) });
  }
  const workers = opts.workers ?? availableParallelism();
  let parallel: Awaited<ReturnType<typeof timeParallelTrainSteps>> | undefined;
  if (workers > 0 && timings.some((t) => t.backend === 'wasm')) {
    progress(`timing wasm data-parallel over ${workers} workers (batch ${batch}, ≥${seconds}s)`);
    parallel = await timeParallelTrainSteps(batch, seconds, opts.warmup ?? 3, workers, arch);
  }
  let onnx: Awaited<ReturnType<typeof timeOnnxTrainSteps>> | undefined;
  if (onnxRuntimeInstalled() && timings.some((t) => t.backend === 'wasm')) {
    progress(`timing ONNX Runtime (batch ${batch}, ≥${seconds}s)`);
    onnx = await timeOnnxTrainSteps(batch, seconds, opts.warmup ?? 3, arch);
  }
  progress('timing the PyTorch peer');
  const peer = runTrainStepPeer(batch, seconds, arch);
  const peerOk = 'samplesPerSec' in peer ? peer : null;
  const results = timings.map((t): TrainStepResult => {
    const samplesPerSec = (t.steps * batch) / t.seconds;
    return {
      name: 'train-step',
      backend: t.backend,
      samplesPerSec,
      steps: t.steps,
      seconds: t.seconds,
      batch,
      arch,
      peer: peerOk,
      ...(peerOk ? { ratio: samplesPerSec / peerOk.samplesPerSec } : {}),
      ...(parallel && t.backend === 'wasm'
        ? { parallel: { workers, ...rateOf(parallel, batch, samplesPerSec, peerOk) } }
        : {}),
      ...(onnx && t.backend === 'wasm' ? { onnx: rateOf(onnx, batch, samplesPerSec, peerOk) } : {}),
    };
  });
  return { results, skipped, ...('error' in peer ? { peerError: peer.error } : {}) };
}

/** A timed run's rate beside the in-thread wasm rate and the peer, with its per-step times. */
function rateOf<T>(
  t: { steps: number; seconds: number; msPerStep: T },
  batch: number,
  inThread: number,
  peer: PeerResult | null,
) {
  const samplesPerSec = (t.steps * batch) / t.seconds;
  return {
    samplesPerSec,
    steps: t.steps,
    seconds: t.seconds,
    speedup: samplesPerSec / inThread,
    ...(peer ? { ratio: samplesPerSec / peer.samplesPerSec } : {}),
    msPerStep: t.msPerStep,
  };
}
