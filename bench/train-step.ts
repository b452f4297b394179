import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BackendChoice, backendChoices, initBackend } from '../runtime/backend/index.js';
import { findPython } from '../runtime/python.js';
import * as tf from '../runtime/tf.js';
import { referenceCnn } from './reference-cnn.js';

/** One line of `goe bench train-step --json` (the schema). */
export interface TrainStepResult {
  name: 'train-step';
  backend: BackendChoice;
  samplesPerSec: number;
  steps: number;
  seconds: number;
  batch: number;
  peer: PeerResult | null;
  /** samplesPerSec / peer.samplesPerSec; absent without a peer. */
  ratio?: number;
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
  /** Timed seconds per backend after warm-up (at least 2 timed steps either way). */
  seconds?: number;
  warmup?: number;
  /** Called with a line of progress for people watching a terminal. */
  onProgress?: (message: string) => void;
}

/** Times training steps of the reference CNN on one backend (the backend must already be active). */
export function timeTrainSteps(
  batch: number,
  seconds: number,
  warmup: number,
): { steps: number; seconds: number } {
  const model = referenceCnn();
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

/** Runs the PyTorch peer on the same machine, or says why it could not. */
export function runTrainStepPeer(batch: number, seconds: number): PeerResult | { error: string } {
  const python = findPython(['torch']);
  if (!python) return { error: 'PyTorch not found (apt-get install python3-torch, or set GOE_PYTHON)' };
  const script = fileURLToPath(new URL('./peer/train_step.py', import.meta.url));
  const r = spawnSync(
    python,
    [script, '--batch', String(batch), '--seconds', String(seconds), '--threads', String(cpus().length)],
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
    timings.push({ backend, ...timeTrainSteps(batch, budget, warmup) });
  }
  progress('timing the PyTorch peer');
  const peer = runTrainStepPeer(batch, seconds);
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
      peer: peerOk,
      ...(peerOk ? { ratio: samplesPerSec / peerOk.samplesPerSec } : {}),
    };
  });
  return { results, skipped, ...('error' in peer ? { peerError: peer.error } : {}) };
}
