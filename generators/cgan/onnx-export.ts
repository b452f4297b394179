import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { initBackend } from '../../runtime/backend/index.js';
import { digestOf } from '../../runtime/digest.js';
import { requirePython } from '../../runtime/python.js';
import { normalRows, Purpose } from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import { openOnnx } from '../imported/onnx.js';
import type { ImportedIo } from '../manifest.js';
import { readManifest } from '../manifest.js';
import type { CganWithTwin, OnnxTwin, TwinCheck } from '../twin.js';
import type { CganConfig } from './config.js';
import { type LoadedCgan, loadCgan } from './load.js';
import { generate } from './model.js';

/**
 * The bound on |TF.js − ONNX Runtime| over the tanh outputs (in [−1, 1]) a twin must stay under. Both
 * compute the same float32 function; they differ only in the order of additions inside MatMul and
 * ConvTranspose (sums of ≤ 4·4·2·gWidth terms) and in fused kernels, which moves each output by a few
 * float32 ulps times the terms' magnitudes, so it grows with the latent's scale σ: measured on the zoo
 * cGAN 8.3e-7 at σ² ≤ 1, 4.6e-6 at σ² = 50, 1.8e-5 at σ² = 1000 (the range's top: 5× under). One uint8 level is
 * 2/255 ≈ 7.8e-3 here, so 1e-4 (1/78 of a level) lets a twin change a pixel by at most one level, and
 * only where the value sits within 1e-4 of a rounding boundary, while any real difference — a layer
 * missing, a transposed filter, other padding, other batch-norm statistics — moves outputs by ≥ 1e-2.
 */
export const TWIN_TOLERANCE = 1e-4;

/** Rows compared at each σ² of the check (every class in turn). */
const CHECK_ROWS = 256;

// The PyTorch rebuild of model.ts lives with the benchmark peer (bench/peer/generate.py), which must compute
// the same function anyway: one copy of the network in Python, exported by PyTorch's own ONNX exporter.
const EXPORTER = fileURLToPath(new URL('../../bench/peer/export_cgan_onnx.py', import.meta.url));

/** How the exporter's file is fed and read (its input and output names; NCHW tanh output). */
const TWIN_IO = (latentDim: number): ImportedIo => ({
  latent: { name: 'z', shape: [latentDim] },
  class: { name: 'y', encoding: 'one-hot' },
  constants: {},
  output: { name: 'image', layout: 'NCHW', range: [-1, 1] },
});

/**
 * Checks that `bytes` (an ONNX file) computes the cGAN `gen`'s function: the same latents (goe's RNG,
 * seed 0) and one-hot labels (each class in turn) through TF.js (`model.ts` `generate`, inference batch
 * norm) and ONNX Runtime, {@link CHECK_ROWS} rows at σ² = 0, 1, the default and the range's top.
 * Needs the TF.js backend initialised.
 * @throws {Error} when the file's inputs or output are not `z`, `y`, `image` or its output shape differs
 */
export async function checkTwin(gen: LoadedCgan, bytes: Uint8Array, what: string): Promise<TwinCheck> {
  const c: CganConfig = gen.config;
  const { manifest } = gen;
  const io = TWIN_IO(c.latentDim);
  const session = await openOnnx(bytes, what);
  try {
    const names = session.signature.inputs.map((t) => t.name).sort();
    if (names.join(',') !== 'y,z' || !session.signature.outputs.some((t) => t.name === 'image')) {
      throw new Error(
        `${what} has inputs ${names.join(', ')} and outputs ${session.signature.outputs.map((t) => t.name).join(', ')}, not z, y → image`,
      );
    }
    const sigma2 = [...new Set([0, 1, manifest.defaultSigma2, manifest.sigma2Range[1]])];
    const n = CHECK_ROWS;
    const k = c.numClasses;
    const row = c.height * c.width * c.channels;
    let maxAbsDiff = 0;
    let uint8Differ = 0;
    for (const s2 of sigma2) {
      const z = normalRows(0, 0, n, c.latentDim, s2, Purpose.LATENT);
      const hot = new Float32Array(n * k);
      for (let i = 0; i < n; i++) hot[i * k + (i % k)] = 1;
      const ref = tf.tidy(() =>
        generate(gen.vars, c, tf.tensor2d(z, [n, c.latentDim]), tf.tensor2d(hot, [n, k]), false),
      );
      const want = (await ref.data()) as Float32Array; // NHWC
      ref.dispose();
      const out = await session.run(
        [
          { name: io.latent.name, dtype: 'float32', shape: [n, c.latentDim], data: z },
          { name: 'y', dtype: 'float32', shape: [n, k], data: hot },
        ],
        io.output.name,
      );
      const dims = [n, c.channels, c.height, c.width];
      if (out.dims.join(',') !== dims.join(','))
        throw new Error(`${what}: output image is [${out.dims.join(', ')}], expected [${dims.join(', ')}]`);
      const plane = c.height * c.width;
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < plane; p++) {
          for (let ch = 0; ch < c.channels; ch++) {
            const a = want[i * row + p * c.channels + ch];
            const b = out.data[i * row + ch * plane + p];
            const d = Math.abs(a - b);
            // NaN in either is a mismatch, not a pass.
            maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, d);
            if (Math.round((a + 1) * 127.5) !== Math.round((b + 1) * 127.5)) uint8Differ++;
          }
        }
      }
    }
    const ort = (await import('onnxruntime-node')) as { env?: { versions?: { node?: string } } };
    return {
      maxAbsDiff,
      tolerance: TWIN_TOLERANCE,
      values: sigma2.length * n * row,
      uint8Differ,
      rowsPerSigma2: n,
      sigma2,
      tfjsBackend: tf.getBackend(),
      onnxruntime: ort.env?.versions?.node ?? 'onnxruntime-node',
    };
  } finally {
    await session.dispose();
  }
}

/** What {@link exportOnnxTwin} wrote. */
export interface ExportedTwin {
  id: string;
  path: string;
  twin: OnnxTwin;
}

/**
 * `goe models export-onnx ID`: writes the ONNX twin of the goe cGAN in zoo folder `dir` — the same weights,
 * exported by PyTorch (`bench/peer/export_cgan_onnx.py`, `torch.onnx.export`, which needs no `onnx`
 * package) — checks it with {@link checkTwin}, then writes `model.onnx` and the manifest's `onnx` entry
 * (file, digest, the weights it was made from, the check's result), each atomically, the manifest last.
 * The row shape comes from the manifest's config. Nothing is written when any step fails.
 * @throws {Error} when the folder holds no cGAN, no python3 has torch (the message names the apt
 *   package), the export fails, or the twin differs from TF.js by more than {@link TWIN_TOLERANCE}
 */
export async function exportOnnxTwin(dir: string, command: string): Promise<ExportedTwin> {
  const manifest = await readManifest<CganWithTwin>(dir);
  if (manifest.kind !== 'cgan') {
    throw new Error(
      `${manifest.id} is a model of kind ${manifest.kind}: export-onnx makes ONNX twins of goe's cGANs only`,
    );
  }
  const python = requirePython(['torch']);
  const tmp = await mkdtemp(join(tmpdir(), 'goe-onnx-'));
  try {
    const out = join(tmp, 'model.onnx');
    const r = spawnSync(python, [EXPORTER, dir, out], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0];
      throw new Error(`exporting ${manifest.id} to ONNX failed: ${why}`);
    }
    const info = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
      exporter: string;
      opset: number;
    };
    const bytes = new Uint8Array(await readFile(out));
    await initBackend();
    const gen = await loadCgan(dir);
    let check: TwinCheck;
    try {
      check = await checkTwin(gen, bytes, `${manifest.id}'s ONNX export`);
    } finally {
      gen.dispose();
    }
    if (!(check.maxAbsDiff <= check.tolerance)) {
      throw new Error(
        `${manifest.id}'s ONNX export does not compute the TF.js generator's function: max |Δ| ${check.maxAbsDiff} > ${check.tolerance} (bench/peer/generate.py must rebuild generators/cgan/model.ts)`,
      );
    }
    const twin: OnnxTwin = {
      file: 'model.onnx',
      digest: digestOf(bytes),
      bytes: bytes.length,
      weightsDigest: manifest.weights.digest,
      io: TWIN_IO(manifest.latentDim),
      check,
      exporter: info.exporter,
      opset: info.opset,
      command,
      createdAt: new Date().toISOString(),
    };
    const path = join(dir, twin.file);
    await writeFileAtomic(path, bytes);
    await writeFileAtomic(
      join(dir, 'manifest.json'),
      `${JSON.stringify({ ...manifest, onnx: twin }, null, 2)}\n`,
    );
    return { id: manifest.id, path, twin };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
