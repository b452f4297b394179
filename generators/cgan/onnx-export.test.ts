import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { digestOf } from '../../runtime/digest.js';
import * as tf from '../../runtime/tf.js';
import { runGoe } from '../../test/helpers/cli.js';
import { tempZoo } from '../../test/helpers/zoo.js';
import type { ImageGenerator } from '../generator.js';
import { loadGenerator } from '../load.js';
import { type CganWithTwin, chooseRuntime, runtimePreference } from '../twin.js';
import { loadCgan } from './load.js';
import { checkTwin, TWIN_TOLERANCE } from './onnx-export.js';

/**
 * The ONNX twin of goe's cGAN (`goe models export-onnx ID`): made by PyTorch's exporter from the same
 * weights, it must compute the TF.js generator's function within TWIN_TOLERANCE (onnx-export.ts says why
 * that bound), for the shipped zoo cGAN and for a freshly exported cGAN of another row shape.
 */

const SHIPPED = fileURLToPath(new URL('../../zoo/fashion-mnist-cgan', import.meta.url));
/** A cGAN of RGB 32×32 rows (the CIFAR-like shape): the exporter must read the shape from the manifest. */
const RGB = 'rgb-cgan';
let zoo: string;

beforeAll(async () => {
  await initBackend('wasm');
  zoo = await tempZoo({ gWidth: 8, dWidth: 8, height: 32, width: 32, channels: 3, numClasses: 10 }, RGB);
});
afterAll(() => rm(zoo, { recursive: true, force: true }));

/** Every float32 row of `count` rows from `start`, and their classes. */
async function rows(g: ImageGenerator, start: number, count: number) {
  const out: number[] = [];
  const classes: number[] = [];
  for await (const b of g.generate({ sigma2: 50, seed: 11, start, count, dtype: 'float32', batchSize: 7 })) {
    out.push(...(b.data as Float32Array));
    classes.push(...b.classes);
  }
  return { data: Float32Array.from(out), classes };
}

describe('the shipped twin zoo/fashion-mnist-cgan/model.onnx', () => {
  it('is the file the manifest names, made from the manifest’s weights, and computes TF.js’s function', async () => {
    const gen = await loadCgan(SHIPPED);
    try {
      const twin = (gen.manifest as CganWithTwin).onnx;
      expect(twin).toBeDefined();
      const bytes = new Uint8Array(readFileSync(join(SHIPPED, twin?.file ?? 'model.onnx')));
      expect(digestOf(bytes)).toBe(twin?.digest);
      expect(twin?.weightsDigest).toBe(gen.manifest.weights.digest);
      const check = await checkTwin(gen, bytes, 'shipped twin');
      expect(check.values).toBe(4 * 256 * 28 * 28);
      expect(check.maxAbsDiff).toBeGreaterThan(0); // two runtimes, not one computed twice
      expect(check.maxAbsDiff).toBeLessThanOrEqual(TWIN_TOLERANCE);
      expect(twin?.check.maxAbsDiff).toBeLessThanOrEqual(TWIN_TOLERANCE);
    } finally {
      gen.dispose();
    }
  });
});

describe('goe models export-onnx', () => {
  it('exports a 32×32×3 cGAN, prints the check, and its twin serves the TF.js rows within the tolerance', async () => {
    const run = await runGoe(['models', 'export-onnx', RGB], { GOE_ZOO: zoo }, 120_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /max \|Δ\| \S+ ≤ tolerance 0\.0001 over 256 rows at each σ² in \{0, 1, 50, 1000\}/,
    );
    const dir = join(zoo, RGB);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as CganWithTwin;
    expect(manifest.onnx?.check.values).toBe(4 * 256 * 32 * 32 * 3);
    expect(manifest.onnx?.check.maxAbsDiff).toBeLessThanOrEqual(TWIN_TOLERANCE);
    expect(manifest.onnx?.digest).toBe(digestOf(new Uint8Array(await readFile(join(dir, 'model.onnx')))));
    expect(chooseRuntime(dir, manifest, 'auto')).toBe('onnx');

    const onTfjs = (await loadGenerator(dir, 'tfjs')) as ImageGenerator;
    const onOrt = (await loadGenerator(dir, 'onnx')) as ImageGenerator;
    try {
      const a = await rows(onTfjs, 5, 40);
      const b = await rows(onOrt, 5, 40);
      expect(b.classes).toEqual(a.classes);
      expect(b.data.length).toBe(40 * 32 * 32 * 3);
      let max = 0;
      for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
      // Rows are (x + 1) / 2 of the tanh output: half its difference.
      expect(max).toBeLessThanOrEqual(TWIN_TOLERANCE / 2);
      expect(max).toBeGreaterThan(0);
    } finally {
      await onTfjs.dispose();
      await onOrt.dispose();
    }

    // The check can fail: the same twin against the generator with one bias moved by 0.01.
    const gen = await loadCgan(dir);
    try {
      const bias = gen.vars['up2.b'];
      bias.assign(tf.tidy(() => tf.add(bias, 0.01)));
      const check = await checkTwin(gen, new Uint8Array(await readFile(join(dir, 'model.onnx'))), 'twin');
      expect(check.maxAbsDiff).toBeGreaterThan(TWIN_TOLERANCE);
    } finally {
      gen.dispose();
    }
  });

  it('refuses a model that is not a goe cGAN, and an unknown id, in one line', async () => {
    await cp(fileURLToPath(new URL('../../zoo/mnist-mlp-gan', import.meta.url)), join(zoo, 'mnist-mlp-gan'), {
      recursive: true,
    });
    const imported = await runGoe(['models', 'export-onnx', 'mnist-mlp-gan'], { GOE_ZOO: zoo });
    expect(imported.code).toBe(1);
    expect(imported.stderr.trim().split('\n')).toEqual([
      "goe: error: mnist-mlp-gan is a model of kind imported: export-onnx makes ONNX twins of goe's cGANs only",
    ]);
    const unknown = await runGoe(['models', 'export-onnx', 'nope'], { GOE_ZOO: zoo });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^goe: error: unknown model "nope"/);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('a twin that cannot be used', () => {
  /** A copy of the shipped cGAN and twin, then `spoil` applied to it. */
  async function spoiled(name: string, spoil: (dir: string) => Promise<void>) {
    const dir = join(zoo, name);
    await cp(SHIPPED, dir, { recursive: true });
    await spoil(dir);
    return { dir, manifest: JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as CganWithTwin };
  }

  it.each([
    ['missing', async (dir: string) => rm(join(dir, 'model.onnx')), /model\.onnx is missing/],
    [
      'corrupt',
      async (dir: string) => {
        const bytes = await readFile(join(dir, 'model.onnx'));
        bytes[bytes.length - 5] ^= 0xff;
        await writeFile(join(dir, 'model.onnx'), bytes);
      },
      /model\.onnx does not match the manifest digest/,
    ],
    [
      'stale (made from other weights)',
      async (dir: string) => {
        const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as CganWithTwin;
        if (m.onnx) m.onnx.weightsDigest = `sha256:${'0'.repeat(64)}`;
        await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
      },
      /was made from other weights/,
    ],
  ] as const)(
    '%s: auto serves TF.js (warning), onnx is an error naming the fix',
    async (name, spoil, why) => {
      const { dir, manifest } = await spoiled(`spoiled-${name.split(' ')[0]}`, spoil);
      expect(chooseRuntime(dir, manifest, 'auto')).toBe('tfjs');
      expect(chooseRuntime(dir, manifest, 'tfjs')).toBe('tfjs');
      expect(() => chooseRuntime(dir, manifest, 'onnx')).toThrow(why);
      expect(() => chooseRuntime(dir, manifest, 'onnx')).toThrow(
        /^GOE_RUNTIME=onnx: .*\(make it again: goe models export-onnx fashion-mnist-cgan\)$/,
      );
      await expect(loadGenerator(dir, 'onnx')).rejects.toThrow(why);
    },
  );

  it('goe serve with GOE_RUNTIME=onnx and a missing twin stops before listening, in one line', async () => {
    const own = await mkdtemp(join(tmpdir(), 'goe-twin-serve-'));
    try {
      await cp(SHIPPED, join(own, 'fashion-mnist-cgan'), { recursive: true });
      await rm(join(own, 'fashion-mnist-cgan', 'model.onnx'));
      const run = await runGoe(['serve', '--port', '0', '--store', 'none'], {
        GOE_ZOO: own,
        GOE_RUNTIME: 'onnx',
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([
        `goe: error: GOE_RUNTIME=onnx: fashion-mnist-cgan's ONNX twin ${join(own, 'fashion-mnist-cgan', 'model.onnx')} is missing (make it again: goe models export-onnx fashion-mnist-cgan)`,
      ]);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('GOE_RUNTIME is auto by default, and a malformed value is an error naming it', () => {
    expect(runtimePreference({})).toBe('auto');
    expect(runtimePreference({ GOE_RUNTIME: ' onnx ' })).toBe('onnx');
    expect(() => runtimePreference({ GOE_RUNTIME: 'ort' })).toThrow(
      'GOE_RUNTIME must be auto, tfjs or onnx, got "ort"',
    );
  });
});
