import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { cganConfigFor, cganStagesFor, defaultCganConfig } from './config.js';
import { exportCgan } from './export.js';
import { loadCgan } from './load.js';
import { discriminate, generate, initDiscriminator, initGenerator } from './model.js';

/** The cGAN sized for a row shape: stages, layer names, output shapes, and manifests from before shapes. */

beforeAll(async () => {
  await initBackend();
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goe-cgan-shapes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cGAN row shapes', () => {
  it('picks stride-2 stages so the first map is ≥ 4×4 and integral', () => {
    expect(cganStagesFor(28, 28)).toBe(2);
    expect(cganStagesFor(32, 32)).toBe(3);
    expect(cganStagesFor(64, 64)).toBe(4);
    expect(cganStagesFor(16, 16)).toBe(2);
    expect(cganStagesFor(24, 32)).toBe(2);
    expect(() => cganStagesFor(30, 30)).toThrow('multiples of 4 and at least 16, not 30×30 (pass --size)');
    expect(() => cganStagesFor(12, 12)).toThrow(/not 12×12/);
  });

  it('keeps the 28×28×1 layer names and sizes (manifests and ONNX exports read them)', () => {
    const g = initGenerator(defaultCganConfig, 0);
    const d = initDiscriminator(defaultCganConfig, 0);
    expect(Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.shape]))).toEqual({
      'fc.w': [74, 7 * 7 * 64],
      'fc.b': [7 * 7 * 64],
      'bn0.gamma': [10, 64],
      'bn0.beta': [10, 64],
      'bn0.mean': [64],
      'bn0.var': [64],
      'up1.w': [4, 4, 32, 64],
      'up1.b': [32],
      'bn1.gamma': [10, 32],
      'bn1.beta': [10, 32],
      'bn1.mean': [32],
      'bn1.var': [32],
      'up2.w': [4, 4, 1, 32],
      'up2.b': [1],
    });
    expect(Object.keys(d)).toEqual([
      'conv1.w',
      'conv1.b',
      'conv2.w',
      'conv2.b',
      'fc.w',
      'fc.b',
      'out.w',
      'out.b',
      'embed',
    ]);
    expect(d['fc.w'].shape).toEqual([7 * 7 * 64, 128]);
    tf.dispose([...Object.values(g), ...Object.values(d)]);
  });

  it.each([
    [[32, 32, 3], 3, [4, 4, 3, 32]],
    [[64, 64, 3], 4, [4, 4, 3, 32]],
  ] as const)('generates and discriminates %j rows (%i stages)', (shape, stages, lastUp) => {
    const c = cganConfigFor(shape, 6, { gWidth: 32, dWidth: 8 });
    expect(c.stages).toBe(stages);
    const g = initGenerator(c, 1);
    const d = initDiscriminator(c, 1);
    // The first map is 4×4 with gWidth·2^(stages−1) channels; the last transposed conv makes the colour.
    expect(g['fc.w'].shape).toEqual([64 + 6, 4 * 4 * 32 * 2 ** (stages - 1)]);
    expect(g[`up${stages}.w`].shape).toEqual([...lastUp]);
    expect(g[`bn${stages}.gamma`]).toBeUndefined();
    const out = tf.tidy(() => {
      const y = tf.oneHot(tf.tensor1d([0, 5], 'int32'), 6).toFloat() as tf.Tensor2D;
      const x = generate(g, c, tf.randomNormal([2, 64], 0, 1, 'float32', 3) as tf.Tensor2D, y, false);
      const logits = discriminate(d, c, x, y);
      return { xShape: x.shape, lShape: logits.shape, range: [x.min().dataSync()[0], x.max().dataSync()[0]] };
    });
    expect(out.xShape).toEqual([2, ...shape]);
    expect(out.lShape).toEqual([2]);
    expect(out.range[0]).toBeGreaterThanOrEqual(-1);
    expect(out.range[1]).toBeLessThanOrEqual(1);
    tf.dispose([...Object.values(g), ...Object.values(d)]);
  });

  it('loads a manifest written before stages existed as the 28×28 layout', async () => {
    const out = join(dir, 'old');
    const vars = initGenerator({ ...defaultCganConfig, gWidth: 8, dWidth: 8 }, 2);
    await exportCgan(
      out,
      vars,
      { ...defaultCganConfig, gWidth: 8, dWidth: 8 },
      {
        id: 'old',
        classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
        provenance: {
          data: 'test',
          command: 'test',
          steps: 0,
          seed: 2,
          createdAt: new Date(0).toISOString(),
        },
      },
    );
    const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(m.config.stages).toBe(2);
    delete m.config.stages;
    await writeFile(join(out, 'manifest.json'), JSON.stringify(m));
    const loaded = await loadCgan(out);
    expect(loaded.config.stages).toBe(2);
    expect(loaded.vars['up2.w'].shape).toEqual([4, 4, 1, 8]);
    loaded.dispose();
    tf.dispose(Object.values(vars));
  });
});
