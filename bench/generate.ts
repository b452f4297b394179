import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCgan, sampleImages } from '../generators/cgan/index.js';
import { resolveModelDir } from '../generators/registry.js';
import { initBackend } from '../runtime/backend/index.js';
import { findPython } from '../runtime/python.js';

/** One line of `goe bench generate --json`. */
export interface GenerateResult {
  name: 'generate';
  model: string;
  backend: string;
  batch: number;
  sigma2: number;
  imagesPerSec: number;
  peer: { name: string; version: string; threads: number; imagesPerSec: number } | null;
  ratio?: number;
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

/** `goe bench generate`: the zoo generator in process beside the same network in PyTorch. */
export async function benchGenerate(
  opts: { model?: string; batch?: number; sigma2?: number; seconds?: number } = {},
): Promise<{
  result: GenerateResult;
  peerError?: string;
}> {
  const model = opts.model ?? 'fashion-mnist-cgan';
  const batch = opts.batch ?? 256;
  const sigma2 = opts.sigma2 ?? 50;
  const seconds = opts.seconds ?? 5;
  const backend = await initBackend();
  const imagesPerSec = await timeGeneration(model, batch, sigma2, seconds);
  const dir = resolveModelDir(model);
  const gen = await loadCgan(dir);
  const config = gen.config;
  const weights = join(dir, gen.manifest.weights.file);
  gen.dispose();
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
      imagesPerSec,
      peer,
      ...(peer ? { ratio: imagesPerSec / peer.imagesPerSec } : {}),
    },
    ...(peerError ? { peerError } : {}),
  };
}
