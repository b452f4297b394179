/**
 * Imported generators in process: tiny ONNX models exported by PyTorch (test/helpers/onnx-generators.ts)
 * and a TF.js LayersModel saved here, imported into a temp zoo and sampled through the one generator
 * interface. Checks the rows against PyTorch and TF.js themselves, the determinism promise, and that
 * every bad input is a one-line error that writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { normalRows, Purpose } from '../../runtime/rng/index.js';
import * as tf from '../../runtime/tf.js';
import { exportTinyGenerators, type TinyGenerators } from '../../test/helpers/onnx-generators.js';
import { findPython } from '../../test/helpers/python.js';
import type { ImageBatch } from '../cgan/sampler.js';
import type { ImageGenerateParams, ImageGenerator } from '../generator.js';
import { loadGenerator } from '../load.js';
import type { ImportedImageManifest } from '../manifest.js';
import { resolveModelDir } from '../registry.js';
import { type ImportOptions, importModel, readModelSource, removeZooEntry } from './index.js';

let fx: TinyGenerators;
let zoo: string;

beforeAll(async () => {
  await initBackend();
  fx = await exportTinyGenerators();
  zoo = await mkdtemp(join(tmpdir(), 'goe-byo-zoo-'));
}, 120_000);

async function add(path: string, o: ImportOptions, replace = false): Promise<ImportedImageManifest> {
  return importModel(await readModelSource(path), o, zoo, replace);
}

async function image(id: string): Promise<ImageGenerator> {
  const g = await loadGenerator(join(zoo, id));
  if (g.modality !== 'image') throw new Error('expected an image generator');
  return g;
}

async function rows(g: ImageGenerator, p: Partial<ImageGenerateParams>): Promise<ImageBatch[]> {
  const out: ImageBatch[] = [];
  for await (const b of g.generate({ sigma2: 1, seed: 3, start: 0, count: 10, dtype: 'float32', ...p }))
    out.push(b);
  return out;
}

const flat = (bs: ImageBatch[]) => bs.flatMap((b) => [...b.data]);

describe('ONNX generators', () => {
  it('imports an unconditional MLP with everything inferred, and σ² = 0 gives PyTorch’s G(0) in every row', async () => {
    const m = await add(fx.mlp, { id: 'mlp', license: 'MIT', source: 'test' });
    expect(m.io).toMatchObject({
      latent: { name: 'z', shape: [8] },
      output: { name: 'image', layout: 'flat', range: [-1, 1] },
    });
    expect(m.shape).toEqual([4, 4, 1]);
    expect(m.classes).toEqual([]);
    const g = await image('mlp');
    const bs = await rows(g, { sigma2: 0, count: 5 });
    expect(bs[0].classes).toEqual(Int32Array.from([-1, -1, -1, -1, -1]));
    const expected = fx.mlpAtZero.map((x) => (x + 1) / 2);
    for (let i = 0; i < 5; i++) {
      const row = [...bs[0].data.subarray(i * 16, (i + 1) * 16)];
      row.forEach((v, k) => {
        expect(v).toBeCloseTo(expected[k], 5);
      });
    }
    await g.dispose();
  });

  it('draws z ~ N(0, σ²I) from the counter RNG: a slice at start = k is rows k… of the whole, whatever the batch size', async () => {
    const g = await image('mlp');
    const whole = flat(await rows(g, { count: 12, batchSize: 5 }));
    const tail = flat(await rows(g, { start: 7, count: 5, batchSize: 2 }));
    expect(tail).toEqual(whole.slice(7 * 16));
    const again = flat(await rows(g, { count: 12, batchSize: 12 }));
    expect(again).toEqual(whole);
    const other = flat(await rows(g, { count: 12, seed: 4 }));
    expect(other).not.toEqual(whole);
    // The first row is G(z) for the cGAN's own latent draw.
    const z = normalRows(3, 0, 1, 8, 1, Purpose.LATENT);
    expect(z.length).toBe(8);
    await g.dispose();
  });

  it('feeds one-hot classes and constants to an NCHW conv net, and returns NHWC rows equal to PyTorch', async () => {
    const m = await add(fx.conv, {
      id: 'conv',
      classInput: 'y',
      classes: ['a', 'b', 'c'],
      constants: { truncation: 0.5 },
      output: 'rgb',
    });
    expect(m.io.output).toEqual({ name: 'rgb', layout: 'NCHW', range: [0, 1] });
    expect(m.io.class).toEqual({ name: 'y', encoding: 'one-hot' });
    expect(m.shape).toEqual([4, 4, 3]);
    const g = await image('conv');
    const [b] = await rows(g, { sigma2: 0, count: 9, classes: [0, 2] });
    expect(new Set(b.classes)).toEqual(new Set([0, 2]));
    for (let i = 0; i < 9; i++) {
      const nchw = fx.convAtZero[b.classes[i]];
      for (let p = 0; p < 16; p++) {
        for (let c = 0; c < 3; c++) expect(b.data[i * 48 + p * 3 + c]).toBeCloseTo(nchw[c * 16 + p], 5);
      }
    }
    await g.dispose();
  });

  it('feeds int64 class indices and maps a [0, 255] NHWC output onto uint8 pixels', async () => {
    const m = await add(fx.indexed, {
      id: 'indexed',
      latentInput: 'z',
      classInput: 'label',
      classes: ['a', 'b', 'c', 'd'],
    });
    expect(m.io.class).toEqual({ name: 'label', encoding: 'index' });
    expect(m.io.output).toMatchObject({ layout: 'NHWC', range: [0, 255] });
    const g = await image('indexed');
    const f = flat(await rows(g, { count: 6 }));
    const u = flat(await rows(g, { count: 6, dtype: 'uint8' }));
    expect(u).toEqual(f.map((x) => Math.round(x * 255)));
    await g.dispose();
  });
});

describe('the zoo cGAN exported to ONNX', () => {
  it('gives the rows of goe’s own TF.js cGAN for the same seed (same classes, pixels within 1e-4)', async () => {
    const onnx = join(fx.dir, 'cgan.onnx');
    const script = fileURLToPath(new URL('../../bench/peer/export_cgan_onnx.py', import.meta.url));
    execFileSync(findPython(['torch']), [script, resolveModelDir('fashion-mnist-cgan'), onnx], {
      timeout: 120_000,
    });
    const own = await loadGenerator(resolveModelDir('fashion-mnist-cgan'));
    const manifest = own.manifest;
    await add(onnx, { id: 'cgan-onnx', classInput: 'y', classes: manifest.classes });
    const g = await image('cgan-onnx');
    if (own.modality !== 'image') throw new Error('expected an image generator');
    const p = { sigma2: 50, seed: 7, start: 3, count: 20, dtype: 'float32' as const };
    const ours: ImageBatch[] = [];
    for await (const b of own.generate(p)) ours.push(b);
    const theirs = await rows(g, p);
    expect([...theirs[0].classes]).toEqual([...ours[0].classes]);
    const a = flat(ours);
    const b = flat(theirs);
    expect(b.length).toBe(20 * 28 * 28);
    expect(Math.max(...a.map((v, k) => Math.abs(v - b[k])))).toBeLessThan(1e-4);
    await g.dispose();
    await own.dispose();
  }, 120_000);
});

/** A TF.js LayersModel `z` [N, 6] → sigmoid [N, 3, 3, 1], saved as model.json + weights.bin. */
async function saveLayersModel(dir: string): Promise<tf.LayersModel> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [6],
        units: 9,
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
      }),
      tf.layers.reshape({ targetShape: [3, 3, 1] }),
    ],
  });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return model;
}

describe('TF.js generators', () => {
  it('imports a LayersModel folder (model.json + shard) and its rows equal model.predict on the same latents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'goe-tfjs-'));
    const model = await saveLayersModel(dir);
    const m = await add(dir, { id: 'tfjs-dense' });
    expect(m.format).toBe('tfjs');
    expect(m.files.map((f) => f.path)).toEqual(['model.json', 'weights.bin']);
    expect(m.io.output).toMatchObject({ layout: 'NHWC', range: [0, 1] });
    const g = await image('tfjs-dense');
    const got = flat(await rows(g, { count: 4, sigma2: 5 }));
    const z = normalRows(3, 0, 4, 6, 5, Purpose.LATENT);
    const want = tf.tidy(() => (model.predict(tf.tensor2d(z, [4, 6])) as tf.Tensor).dataSync());
    got.forEach((v, k) => {
      expect(v).toBeCloseTo(want[k], 5);
    });
    await g.dispose();
    model.dispose();
  });

  it('refuses a model whose shard was changed after import (digest)', async () => {
    await writeFile(join(zoo, 'tfjs-dense', 'weights.bin'), new Uint8Array(9 * 6 * 4 + 9 * 4));
    await expect(loadGenerator(join(zoo, 'tfjs-dense'))).rejects.toThrow(
      /weights\.bin does not match the manifest digest/,
    );
  });
});

describe('bad models and flags: one-line errors, nothing written', () => {
  const entries = async () => (await readdir(zoo)).sort();

  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      'not a model file',
      async () => add(join(fx.dir, 'junk.bin'), { id: 'x1' }),
      /is not an ONNX file or a TF\.js model\.json/,
    ],
    [
      'a truncated ONNX file',
      async () => add(join(fx.dir, 'cut.onnx'), { id: 'x2' }),
      /is not a valid ONNX model/,
    ],
    [
      'inputs that do not match the flags',
      async () => add(fx.conv, { id: 'x3', classInput: 'label' }),
      /--class-input label: the model has no such input \(the model's inputs: z \[batch, 8, 1, 1\] float32; y \[batch, 3\] float32; truncation \[1\] float32\)/,
    ],
    [
      'an input left without a value',
      async () => add(fx.conv, { id: 'x4', latentInput: 'z' }),
      /input\(s\) y, truncation would get no value/,
    ],
    ['NaN output', async () => add(fx.nan, { id: 'x5' }), /non-finite value/],
    [
      'output outside the declared range',
      async () => add(fx.mlp, { id: 'x6', outputRange: [0, 1] }),
      /outside the declared range \[0, 1\]/,
    ],
    [
      'output shape ≠ H×W×C',
      async () => add(fx.mlp, { id: 'x7', outputShape: [3, 3, 1] }),
      /output image has shape \[4, 16\], but flat rows of 3×3×1 need \[4, 9\]/,
    ],
    ['an id with /', async () => add(fx.mlp, { id: 'a/b' }), /invalid model id "a\/b"/],
    ['an id with ..', async () => add(fx.mlp, { id: 'a..b' }), /invalid model id/],
    ['an id with spaces', async () => add(fx.mlp, { id: 'a b' }), /invalid model id/],
    ['an id over 64 characters', async () => add(fx.mlp, { id: 'a'.repeat(65) }), /invalid model id/],
    [
      'an id that exists',
      async () => add(fx.mlp, { id: 'mlp' }),
      /model "mlp" already exists .* \(pass --replace/,
    ],
  ];

  it.each(cases)('%s', async (_, run, message) => {
    await writeFile(join(fx.dir, 'junk.bin'), 'hello, not a model');
    await writeFile(join(fx.dir, 'cut.onnx'), (await readFile(fx.mlp)).subarray(0, 700));
    const before = await entries();
    const err = await run().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(message);
    expect(err?.message).not.toContain('\n');
    expect(await entries()).toEqual(before);
  });

  it('replaces an entry with --replace, and removes it', async () => {
    const m = await add(fx.mlp, { id: 'mlp', sigma2: 20 }, true);
    expect(m.defaultSigma2).toBe(20);
    await removeZooEntry(zoo, 'mlp');
    expect(existsSync(join(zoo, 'mlp'))).toBe(false);
    await expect(removeZooEntry(zoo, 'mlp')).rejects.toThrow(/no model "mlp"/);
    expect((await entries()).filter((e) => e.startsWith('.'))).toEqual([]);
  });
});
