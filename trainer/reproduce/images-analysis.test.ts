import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import { decodePng } from '../../runtime/codecs/index.js';
import { tempZoo } from '../../test/helpers/zoo.js';
import { loadClassifier, newManifest, saveClassifier } from '../classifier.js';
import { FASHION_MNIST_CLASSES } from '../datasets/fashion-mnist.js';
import { loadGeneratorAt, sampleLabelled } from '../generator-quality.js';
import { buildClassifier } from '../models/index.js';
import { meanPairwiseDistance, penultimateOf } from '../tune/scores.js';
import { analyseOutliers, analysisMarkdown } from './images-analysis.js';

let zoo: string;
let clfDir: string;
beforeAll(async () => {
  await initBackend('wasm');
  zoo = await tempZoo();
  clfDir = join(zoo, 'clf');
  await saveClassifier(clfDir, {
    model: buildClassifier('small-cnn', [28, 28, 1], 10),
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
  // A reproduction's σ² sweep, as images.json holds it.
  const sigma2Sweep = [1, 4].map((x, i) => ({
    x,
    run: `r${i}`,
    mnistAuroc: 60 + i,
    meanAuroc: 0,
    meanFpr95: 0,
    accuracy: 0,
  }));
  await writeFile(join(zoo, 'images.json'), JSON.stringify({ sigma2Sweep }));
}, 60_000);
afterAll(() => rm(zoo, { recursive: true, force: true }));

describe('goe reproduce images-analysis', () => {
  it('measures every generator × σ², joins the sweep AUROC, writes the JSON and a grid of 3 rows per σ²', async () => {
    const gen = join(zoo, 'fashion-mnist-cgan');
    const g = await loadGeneratorAt(gen);
    const inRows = await sampleLabelled(g, { sigma2: 0.5, count: 40, seed: 9 });
    g.dispose();
    const reports = join(zoo, 'reports');
    const r = await analyseOutliers({
      generators: [{ generator: gen, sweep: join(zoo, 'images.json') }],
      classifier: clfDir,
      sigma2s: [0, 1, 4, 9],
      samples: 40,
      reportsDir: reports,
      command: 'goe reproduce images-analysis',
      inRows,
    });
    expect(r.rows.map((x) => [x.sigma2, x.mnistAuroc])).toEqual([
      [0, undefined],
      [1, 60],
      [4, 61],
      [9, undefined],
    ]);
    // Diversity is the tune criterion's measure, in feature units and relative to the in-distribution rows.
    const clf = await loadClassifier(clfDir);
    const g2 = await loadGeneratorAt(gen);
    const at4 = await sampleLabelled(g2, { sigma2: 4, count: 40, seed: 0 });
    g2.dispose();
    const f = penultimateOf(clf.model, at4);
    expect(r.rows[2].diversity).toBeCloseTo(meanPairwiseDistance(f.features, f.dim), 4);
    expect(r.rows[2].diversityRatio).toBeCloseTo(r.rows[2].diversity / r.inDistribution.diversity, 6);
    // σ² = 0: every sample of a class is the same image, so the class explains all the feature variance.
    expect(r.rows[0].classSignal).toBeCloseTo(100, 6);
    expect(r.rows[2].classSignal).toBeLessThan(100);
    for (const x of r.rows) {
      expect(x.predictedEntropy).toBeGreaterThanOrEqual(0);
      expect(x.predictedEntropy).toBeLessThanOrEqual(Math.log2(10) + 1e-9);
      expect(x.topClassShare).toBeGreaterThanOrEqual(10);
    }
    const json = JSON.parse(await readFile(join(reports, 'images-analysis.json'), 'utf8'));
    expect(json.rows).toHaveLength(4);
    expect(r.generators[0].grid).toBe('images-analysis-fashion-mnist-cgan.png');
    const png = decodePng(await readFile(join(reports, r.generators[0].grid)));
    // 4 σ² × 3 rows of 28×28 cells at scale 2 (plus borders and labels): taller than 12 cells.
    expect(png.height).toBeGreaterThan(12 * 56);
    expect(analysisMarkdown(r)).toContain('| fashion-mnist-cgan | 4 |');
  }, 120_000);

  it('names a sweep file that is not an images report', async () => {
    await expect(
      analyseOutliers({
        generators: [{ generator: join(zoo, 'fashion-mnist-cgan'), sweep: join(clfDir, 'manifest.json') }],
        classifier: clfDir,
        sigma2s: [1],
        samples: 8,
        reportsDir: join(zoo, 'r2'),
        command: 'x',
      }),
    ).rejects.toThrow(`${join(clfDir, 'manifest.json')} has no sigma2Sweep`);
  });
});
