import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CganConfig, defaultCganConfig, exportCgan, initGenerator } from '../generators/cgan/index.js';
import { encodeWeights, snapshot } from '../generators/weights.js';
import { initBackend } from '../runtime/backend/index.js';
import { runGoe } from '../test/helpers/cli.js';
import { newManifest, saveClassifier } from './classifier.js';
import { FASHION_MNIST_CLASSES } from './datasets/fashion-mnist.js';
import { evalGenerator } from './eval-generator.js';
import { listSnapshots, loadGeneratorAt, sampleLabelled } from './generator-quality.js';
import { frechetDistance, type GaussianFit, gaussianFit } from './metrics/frechet.js';
import { buildClassifier } from './models/index.js';
import { qualityPlotSvg } from './report/quality-plot.js';

/** Seeded standard-normal-ish rows (sum of uniforms), so the covariance is full and not diagonal. */
function rows(n: number, d: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const shared = u() - 0.5; // correlates every feature of a row
    for (let k = 0; k < d; k++) out[i * d + k] = (k + 1) * (u() + u() + u() - 1.5) + shared * 2;
  }
  return out;
}

const gaussian = (mean: number[], cov: number[][]): GaussianFit => ({
  dim: mean.length,
  n: 0,
  mean: Float64Array.from(mean),
  cov: new Matrix(cov),
});

describe('Fréchet distance (closed forms, no numpy)', () => {
  const d = 6;
  const x = rows(400, d, 1);
  const a = gaussianFit(x, d);

  it('is 0 for identical sets', () => {
    expect(frechetDistance(a, gaussianFit(x, d))).toBeLessThan(1e-9);
  });

  it('is |Δμ|² when one set is the other shifted by Δμ (same covariance)', () => {
    const shift = [1, -2, 0.5, 0, 3, -1];
    const y = x.map((v, i) => v + shift[i % d]);
    expect(frechetDistance(a, gaussianFit(y, d))).toBeCloseTo(1 + 4 + 0.25 + 9 + 1, 8);
  });

  it('is (1 − s)²·tr Σ when one set is the other scaled by s about its mean', () => {
    const s = 2.5;
    const y = x.map((v, i) => a.mean[i % d] + s * (v - a.mean[i % d]));
    const expected = (1 - s) ** 2 * a.cov.trace();
    expect(frechetDistance(a, gaussianFit(y, d)) / expected).toBeCloseTo(1, 9);
  });

  it('matches the 2×2 closed form for covariances that do not commute', () => {
    // For 2×2, tr((Σ₁Σ₂)^½) = √(tr(Σ₁Σ₂) + 2√(det Σ₁ · det Σ₂)).
    const s1 = [
      [2, 0.6],
      [0.6, 1],
    ];
    const s2 = [
      [0.5, -0.3],
      [-0.3, 3],
    ];
    const p = new Matrix(s1).mmul(new Matrix(s2));
    const det = (m: number[][]) => m[0][0] * m[1][1] - m[0][1] * m[1][0];
    const trSqrt = Math.sqrt(p.trace() + 2 * Math.sqrt(det(s1) * det(s2)));
    const expected = 1 ** 2 + 2 ** 2 + 3 + 3.5 - 2 * trSqrt;
    expect(frechetDistance(gaussian([0, 0], s1), gaussian([1, 2], s2))).toBeCloseTo(expected, 10);
  });

  it('handles rank-deficient covariances (dead features) and rejects bad input', () => {
    const z = x.map((v, i) => (i % d === 0 ? 0 : v));
    expect(frechetDistance(gaussianFit(z, d), gaussianFit(z, d))).toBeLessThan(1e-9);
    expect(() => gaussianFit(new Float64Array(7), 2)).toThrow(/not rows of 2 features/);
    expect(() => gaussianFit(new Float64Array(2), 2)).toThrow(/at least 2 rows/);
    expect(() => frechetDistance(a, gaussianFit(rows(10, 2, 3), 2))).toThrow(/dimensions differ/);
  });
});

describe('generator quality of zoo generators and training snapshots', () => {
  let dir: string;
  let clfDir: string;
  const config: CganConfig = { ...defaultCganConfig, gWidth: 8, dWidth: 8 };

  /** A snapshot folder as `goe train-generator` checkpoints it: state.json + generator.safetensors. */
  async function writeSnapshot(name: string, step: number, seed: number): Promise<string> {
    const vars = initGenerator(config, seed);
    const at = join(dir, 'snaps', name);
    await mkdir(at, { recursive: true });
    await writeFile(join(at, 'generator.safetensors'), encodeWeights(snapshot(vars)));
    await writeFile(join(at, 'state.json'), JSON.stringify({ step, seed, config, seconds: step }));
    for (const v of Object.values(vars)) v.dispose();
    return at;
  }

  beforeAll(async () => {
    await initBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'goe-genq-'));
    const model = buildClassifier('small-cnn', [28, 28, 1], 10);
    clfDir = join(dir, 'clf');
    await saveClassifier(clfDir, {
      model,
      manifest: newManifest(
        'clf',
        'small-cnn',
        FASHION_MNIST_CLASSES,
        { kind: 'baseline' },
        {
          data: 'none (random init, tests)',
          command: 'test',
          steps: 0,
          seed: 0,
        },
      ),
    });
    // The same weights as snapshot step-10, exported as a zoo generator.
    const vars = initGenerator(config, 10);
    await exportCgan(join(dir, 'zoo-gen'), vars, config, {
      id: 'zoo-gen',
      classes: [...FASHION_MNIST_CLASSES],
      provenance: {
        data: 'none',
        command: 'test',
        steps: 10,
        seed: 10,
        createdAt: new Date(0).toISOString(),
      },
    });
    for (const v of Object.values(vars)) v.dispose();
    await writeSnapshot('step-10', 10, 10);
    await writeSnapshot('step-9', 9, 9);
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists snapshots in step order, not name order, and names a folder without any', async () => {
    expect(await listSnapshots(join(dir, 'snaps'))).toEqual([
      join(dir, 'snaps', 'step-9'),
      join(dir, 'snaps', 'step-10'),
    ]);
    await expect(listSnapshots(clfDir)).rejects.toThrow(`--checkpoints ${clfDir} holds no snapshot folders`);
    await expect(loadGeneratorAt(join(dir, 'snaps'))).rejects.toThrow(/neither a generator/);
  });

  it('builds a snapshot from state.config: it samples exactly as the same weights exported to the zoo', async () => {
    const snap = await loadGeneratorAt(join(dir, 'snaps', 'step-10'));
    const zoo = await loadGeneratorAt(join(dir, 'zoo-gen'));
    const other = await loadGeneratorAt(join(dir, 'snaps', 'step-9'));
    const draw = (g: typeof snap) => sampleLabelled(g, { sigma2: 1, count: 16, seed: 3 });
    const [s, z, o] = [await draw(snap), await draw(zoo), await draw(other)];
    expect(snap.step).toBe(10);
    expect(Buffer.from(s.images).equals(Buffer.from(z.images))).toBe(true);
    expect(Buffer.from(s.images).equals(Buffer.from(o.images))).toBe(false);
    expect([...s.labels]).toEqual([...z.labels]);
    for (const g of [snap, zoo, other]) g.dispose();
  });

  it('measures 0 Fréchet distance against its own samples, and the same for a snapshot and its zoo twin', async () => {
    const gen = await loadGeneratorAt(join(dir, 'zoo-gen'));
    const real = await sampleLabelled(gen, { sigma2: 1, count: 64, seed: 0 });
    gen.dispose();
    const r = await evalGenerator({
      generators: [join(dir, 'zoo-gen')],
      checkpoints: join(dir, 'snaps'),
      classifier: clfDir,
      samples: 64,
      real,
    });
    expect(r.snapshots.map((q) => q.step)).toEqual([9, 10]);
    const [zoo] = r.generators;
    expect(zoo.frechet).toBeLessThan(1e-6);
    expect(r.snapshots[1].frechet).toBeLessThan(1e-6);
    expect(r.snapshots[1].conditioningAccuracy).toBe(zoo.conditioningAccuracy);
    // Other weights, other features (a random classifier's features are small, so compare with the twin's).
    expect(r.snapshots[0].frechet).toBeGreaterThan(Math.max(1e-9, 1000 * r.snapshots[1].frechet));
    const svg = await qualityPlotSvg(r.snapshots, r.generators, 'snaps');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('zoo-gen (10 steps)');
  }, 60_000);

  it('names a generator that does not fit the classifier, and a call with nothing to measure', async () => {
    const vars = initGenerator({ ...config, numClasses: 3 }, 1);
    const at = join(dir, 'three');
    await mkdir(at);
    await writeFile(join(at, 'generator.safetensors'), encodeWeights(snapshot(vars)));
    await writeFile(
      join(at, 'state.json'),
      JSON.stringify({ step: 1, seed: 1, config: { ...config, numClasses: 3 } }),
    );
    for (const v of Object.values(vars)) v.dispose();
    const real = {
      name: 'x',
      images: new Uint8Array(2 * 784),
      shape: [2, 28, 28, 1] as [number, number, number, number],
    };
    await expect(evalGenerator({ generators: [at], classifier: clfDir, samples: 4, real })).rejects.toThrow(
      `${at} draws 3 classes; the classifier knows 10`,
    );
    await expect(evalGenerator({ generators: [], classifier: clfDir, samples: 4 })).rejects.toThrow(
      /give --generator ID\|DIR or --checkpoints DIR/,
    );
  });

  it('goe eval-generator: bad flags are one line naming them, exit ≠ 0', async () => {
    const plot = await runGoe([
      'eval-generator',
      '--classifier',
      clfDir,
      '--generator',
      'x',
      '--plot',
      'q.png',
    ]);
    expect(plot.code).not.toBe(0);
    expect(plot.stderr.trim()).toBe('goe: error: --plot q.png: the plot is an .svg file');
    const none = await runGoe(['eval-generator', '--classifier', clfDir]);
    expect(none.stderr.trim()).toBe('goe: error: give --generator ID|DIR or --checkpoints DIR (or both)');
  }, 60_000);
});
