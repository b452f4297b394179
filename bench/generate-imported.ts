import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageGenerator } from '../generators/generator.js';
import { ortProviders } from '../generators/imported/index.js';
import { loadGenerator } from '../generators/load.js';
import type { ImportedImageManifest } from '../generators/manifest.js';
import { resolveModelDir } from '../generators/registry.js';
import { initBackend } from '../runtime/backend/index.js';
import { findPython } from '../runtime/python.js';
import { normalRows, Purpose } from '../runtime/rng/index.js';

/** One line of `goe bench generate --model ID --json` for an imported generator. */
export interface ImportedGenerateResult {
  name: 'generate';
  model: string;
  /** What ran goe's side: `onnxruntime (cpu)` or the TF.js backend. */
  runtime: string;
  batch: number;
  sigma2: number;
  imagesPerSec: number;
  peer: { name: string; version: string; threads: number; imagesPerSec: number } | null;
  ratio?: number;
  /** Largest |goe − peer| over 8 rows at σ² = 1 (pixels in [0, 1]): both sides compute the same function. */
  maxAbsDiff?: number;
}

async function timeRows(g: ImageGenerator, batch: number, sigma2: number, seconds: number): Promise<number> {
  const run = async (seed: number) => {
    for await (const _ of g.generate({
      sigma2,
      seed,
      start: 0,
      count: batch,
      dtype: 'uint8',
      batchSize: batch,
    })) {
      // drain
    }
  };
  await run(1);
  await run(2); // warm-up
  let images = 0;
  const t0 = performance.now();
  let elapsed = 0;
  for (let seed = 3; elapsed < seconds || images < 3 * batch; seed++) {
    await run(seed);
    images += batch;
    elapsed = (performance.now() - t0) / 1000;
  }
  return images / elapsed;
}

/**
 * `goe bench generate --model ID` for an imported generator: rows/s in process (counter RNG, ONNX Runtime
 * or TF.js forward, uint8 rows), beside the same network and weights in PyTorch, built by `peerModule`
 * (a Python file with `build(weights) -> nn.Module`) from `peerWeights`. The peer is first checked to
 * compute the same function on goe's latents. One run each side, `seconds` long.
 */
export async function benchGenerateImported(opts: {
  model: string;
  batch?: number;
  sigma2?: number;
  seconds?: number;
  peerModule?: string;
  peerWeights?: string;
}): Promise<{ result: ImportedGenerateResult; peerError?: string }> {
  const batch = opts.batch ?? 256;
  const sigma2 = opts.sigma2 ?? 50;
  const seconds = opts.seconds ?? 5;
  const dir = resolveModelDir(opts.model);
  let g = await loadGenerator(dir);
  if (g.modality !== 'image' || g.manifest.kind !== 'imported') {
    await g.dispose();
    throw new Error(`${opts.model} is not an imported image generator`);
  }
  const manifest = g.manifest as ImportedImageManifest;
  let runtime = `onnxruntime (${ortProviders().join(', ')})`;
  if (manifest.format === 'tfjs') {
    await g.dispose();
    runtime = `tfjs (${(await initBackend()).choice})`;
    g = await loadGenerator(dir);
  }
  const image = g as ImageGenerator;
  let imagesPerSec: number;
  let rows: Float32Array;
  try {
    imagesPerSec = await timeRows(image, batch, sigma2, seconds);
    rows = new Float32Array(0);
    for await (const b of image.generate({ sigma2: 1, seed: 0, start: 0, count: 8, dtype: 'float32' })) {
      rows = b.data as Float32Array;
    }
  } finally {
    await image.dispose();
  }
  const result: ImportedGenerateResult = {
    name: 'generate',
    model: manifest.id,
    runtime,
    batch,
    sigma2,
    imagesPerSec,
    peer: null,
  };
  const peerError = runPeer(manifest, opts, rows, result);
  return { result, ...(peerError ? { peerError } : {}) };
}

function runPeer(
  manifest: ImportedImageManifest,
  opts: { peerModule?: string; peerWeights?: string; seconds?: number },
  rows: Float32Array,
  result: ImportedGenerateResult,
): string | undefined {
  if (!opts.peerModule || !opts.peerWeights) {
    return 'no PyTorch peer: give --peer-module FILE.py (build(weights) -> nn.Module) and --peer-weights FILE';
  }
  if (
    manifest.io.class ||
    Object.keys(manifest.io.constants).length > 0 ||
    manifest.io.output.layout === 'NCHW'
  ) {
    return 'the PyTorch peer runs unconditional models with a flat or NHWC output only';
  }
  const python = findPython(['torch']);
  if (!python) return 'PyTorch not found (apt-get install python3-torch, or set GOE_PYTHON)';
  const script = fileURLToPath(new URL('./peer/imported_generate.py', import.meta.url));
  const common = [
    script,
    '--module',
    resolve(opts.peerModule),
    '--weights',
    resolve(opts.peerWeights),
    '--latent-shape',
    manifest.io.latent.shape.join(','),
    `--range=${manifest.io.output.range.join(',')}`,
    '--threads',
    String(cpus().length),
  ];
  // The same function first: the peer's output on goe's own latents.
  const zFile = join(tmpdir(), `goe-bench-z-${process.pid}.json`);
  const z = normalRows(0, 0, 8, manifest.latentDim, 1, Purpose.LATENT);
  writeFileSync(zFile, JSON.stringify({ z: [...z], n: 8 }));
  try {
    return checkThenTime();
  } finally {
    rmSync(zFile, { force: true });
  }

  function checkThenTime(): string | undefined {
    const check = spawnSync(python as string, [...common, '--check', zFile], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (check.status !== 0) return `peer failed: ${(check.stderr || '').trim().slice(-300)}`;
    const out = (JSON.parse(check.stdout) as { out: number[] }).out;
    const [lo, hi] = manifest.io.output.range;
    let maxAbsDiff = 0;
    out.forEach((x, k) => {
      const u = Math.min(Math.max((x - lo) / (hi - lo), 0), 1);
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(u - rows[k]));
    });
    result.maxAbsDiff = maxAbsDiff;
    if (!(maxAbsDiff < 1e-3)) return `the peer computes a different function (max |Δ| ${maxAbsDiff})`;
    const timed = spawnSync(
      python as string,
      [
        ...common,
        '--batch',
        String(result.batch),
        '--sigma2',
        String(result.sigma2),
        '--seconds',
        String(opts.seconds ?? 5),
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (timed.status !== 0) return `peer failed: ${(timed.stderr || '').trim().slice(-300)}`;
    result.peer = JSON.parse(timed.stdout);
    if (result.peer) result.ratio = result.imagesPerSec / result.peer.imagesPerSec;
    return undefined;
  }
}
