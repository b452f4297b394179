/**
 * `goe reproduce images-analysis`: what the generated outliers are, per generator and σ², seen through the
 * baseline classifier — how diverse, how far from the data, which classes it takes them for, how
 * saturated — beside the MNIST AUROC the σ² sweep of a reproduction got with them. Issue 16, item 2.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { initBackend } from '../../runtime/backend/index.js';
import { accuracyOf, loadClassifier, logitsOf } from '../classifier.js';
import { loadFashionMnist } from '../datasets/fashion-mnist.js';
import type { ImageSet } from '../datasets/image-set.js';
import { subset } from '../datasets/row-set.js';
import { featureFit, loadGeneratorAt, sampleLabelled } from '../generator-quality.js';
import { frechetDistance, gaussianFit } from '../metrics/frechet.js';
import { placementOf } from '../tune/placement.js';
import { detectorScores, meanPairwiseDistance, penultimateOf, quantile } from '../tune/scores.js';
import type { SweepPoint } from './aggregate.js';
import { sigma2Grid } from './generator-check.js';

export interface ImagesAnalysisOptions {
  /** Generators (zoo ids or folders), each optionally with the images.json whose σ² sweep used it. */
  generators: { generator: string; sweep?: string }[];
  /** The baseline classifier whose features, MSP and energy judge the outliers. */
  classifier: string;
  sigma2s: number[];
  samples: number;
  reportsDir: string;
  command: string;
  /** In-distribution rows (default the first `samples` Fashion-MNIST test images); tests pass a small set. */
  inRows?: ImageSet;
  onRow?: (row: OutlierRow) => void;
}

/** The outliers of one generator at one σ², as the baseline sees them. */
export interface OutlierRow {
  generator: string;
  sigma2: number;
  samples: number;
  /** Mean pairwise Euclidean distance of their penultimate features (feature units). */
  diversity: number;
  /** `diversity` ÷ that of in-distribution test rows (trainer/tune/placement.ts). */
  diversityRatio: number;
  /** Mean pairwise Euclidean distance of the pixels (in [0, 1]) ÷ that of the in-distribution rows. */
  pixelDiversityRatio: number;
  /**
   * % of the feature variance explained by the conditioning class (between-class ÷ total scatter, η²): how
   * much the class input still shapes the outliers; near 0 = one family of outliers whatever the class.
   */
  classSignal: number;
  /** Per detector: AUROC (%) of the baseline telling them from in-distribution test rows. */
  baselineAuroc: Record<'msp' | 'energy', number>;
  /** Per detector: % of them the baseline accepts at the threshold keeping 95% of in-distribution rows. */
  nearShare: Record<'msp' | 'energy', number>;
  /** Median max-softmax probability and median energy of the baseline on them. */
  medianMsp: number;
  medianEnergy: number;
  /** % classified as their conditioning class. */
  conditioningAccuracy: number;
  /** The class the baseline gives most of them, and the % it gets: near 100 = one family for every class. */
  topClass: string;
  topClassShare: number;
  /** Entropy (bits) of the baseline's predicted-class histogram; log2(10) ≈ 3.32 = uniform. */
  predictedEntropy: number;
  /** Mean pixel value (0–255) and % of pixels ≥ 250 (saturated white). */
  meanPixel: number;
  saturatedShare: number;
  /** Fréchet distance of their feature Gaussian to the in-distribution rows' (generator-quality.ts). */
  frechet: number;
  /** MNIST AUROC (%, OE loss, MSP, first seed) of GOE at this σ² in the given reproduction, if it has it. */
  mnistAuroc?: number;
}

export interface ImagesAnalysisReport {
  title: string;
  command: string;
  createdAt: string;
  classifier: string;
  inDistribution: {
    rows: number;
    diversity: number;
    /** Max-softmax and energy quantiles of the baseline on in-distribution test rows. */
    msp: { q05: number; q50: number; q95: number };
    energy: { q05: number; q50: number; q95: number };
  };
  generators: { generator: string; dir: string; step?: number; sweep?: string; grid: string }[];
  rows: OutlierRow[];
  cpuSeconds: number;
}

/** Grid rows per σ² in the PNG of each generator. */
const GRID_PER_CLASS = 3;

/**
 * Measures every (generator, σ²) and writes `images-analysis.json` and one picture grid per generator
 * (`images-analysis-<id>.png`: GRID_PER_CLASS rows per σ², one column per class) to `reportsDir`.
 * @throws {Error} naming a missing generator, classifier or sweep file
 */
export async function analyseOutliers(o: ImagesAnalysisOptions): Promise<ImagesAnalysisReport> {
  const cpu0 = process.cpuUsage();
  // Read first: a bad sweep file fails before any sampling.
  const sweeps = await Promise.all(o.generators.map((g) => (g.sweep ? readSweep(g.sweep) : undefined)));
  await initBackend();
  const clf = await loadClassifier(resolveModelDir(o.classifier));
  const k = clf.manifest.classes.length;
  const inRows =
    o.inRows ??
    subset(
      loadFashionMnist('test'),
      Array.from({ length: o.samples }, (_, i) => i),
    );
  const inFeatures = penultimateOf(clf.model, inRows);
  const inFit = featureFit(clf, inRows);
  const inLogits = logitsOf(clf.model, inRows);
  const inMsp = detectorScores('msp', inLogits, k).map((s) => -s); // score = −max softmax
  const inEnergy = detectorScores('energy', inLogits, k);
  const q = (v: Float32Array) => ({ q05: quantile(v, 0.05), q50: quantile(v, 0.5), q95: quantile(v, 0.95) });
  const inSpread = meanPairwiseDistance(inFeatures.features, inFeatures.dim);
  const inPixelSpread = pixelSpread(inRows);
  const rows: OutlierRow[] = [];
  const generators: ImagesAnalysisReport['generators'] = [];
  for (const [i, g] of o.generators.entries()) {
    const sweep = sweeps[i];
    const gen = await loadGeneratorAt(g.generator);
    const id = gen.label;
    try {
      for (const sigma2 of o.sigma2s) {
        const set = await sampleLabelled(gen, { sigma2, count: o.samples, seed: 0 });
        const place = placementOf(clf.model, inRows, inFeatures, `σ²=${sigma2}`, set, ['oe', 'energy']);
        const logits = logitsOf(clf.model, set);
        const predicted = argmaxRows(logits, k);
        const counts = new Array<number>(k).fill(0);
        for (const p of predicted) counts[p]++;
        const top = counts.indexOf(Math.max(...counts));
        const f = penultimateOf(clf.model, set);
        const row: OutlierRow = {
          generator: id,
          sigma2,
          samples: o.samples,
          diversity: place.diversity * inSpread,
          diversityRatio: place.diversity,
          pixelDiversityRatio: pixelSpread(set) / inPixelSpread,
          classSignal: explainedShare(f.features, f.dim, set.labels, k),
          baselineAuroc: place.baselineAuroc,
          nearShare: place.nearShare,
          medianMsp: quantile(
            detectorScores('msp', logits, k).map((s) => -s),
            0.5,
          ),
          medianEnergy: quantile(detectorScores('energy', logits, k), 0.5),
          conditioningAccuracy: accuracyOf(logits, set.labels),
          topClass: clf.manifest.classes[top],
          topClassShare: (100 * counts[top]) / o.samples,
          predictedEntropy: entropyBits(counts),
          meanPixel: set.images.reduce((s, v) => s + v, 0) / set.images.length,
          saturatedShare: (100 * set.images.filter((v) => v >= 250).length) / set.images.length,
          frechet: frechetDistance(gaussianFit(f.features, f.dim), inFit),
          ...(sweep?.has(sigma2) ? { mnistAuroc: sweep.get(sigma2) } : {}),
        };
        rows.push(row);
        o.onRow?.(row);
      }
      generators.push({
        generator: id,
        dir: gen.dir,
        ...(gen.step === undefined ? {} : { step: gen.step }),
        ...(g.sweep ? { sweep: g.sweep } : {}),
        grid: `images-analysis-${id}.png`,
      });
    } finally {
      gen.dispose();
    }
    await writeFileAtomic(
      join(o.reportsDir, `images-analysis-${id}.png`),
      await sigma2Grid(g.generator, o.sigma2s, GRID_PER_CLASS),
    );
  }
  clf.model.dispose();
  const cpu = process.cpuUsage(cpu0);
  const report: ImagesAnalysisReport = {
    title: 'What the generated outliers are: per generator and σ², through the baseline classifier',
    command: o.command,
    createdAt: new Date().toISOString(),
    classifier: clf.manifest.id,
    inDistribution: { rows: inRows.shape[0], diversity: inSpread, msp: q(inMsp), energy: q(inEnergy) },
    generators,
    rows,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e6),
  };
  await writeFileAtomic(join(o.reportsDir, 'images-analysis.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** σ² → MNIST AUROC of an images report's σ² sweep (the main GOE run stands for its σ²). */
async function readSweep(path: string): Promise<Map<number, number>> {
  let report: { sigma2Sweep?: SweepPoint[] };
  try {
    report = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(report.sigma2Sweep))
    throw new Error(`${path} has no sigma2Sweep (not the images.json of a reproduction)`);
  return new Map(report.sigma2Sweep.map((p) => [p.x, p.mnistAuroc]));
}

/** Mean pairwise Euclidean distance of a set's rows as pixels in [0, 1]. */
function pixelSpread(set: ImageSet): number {
  const size = set.images.length / set.shape[0];
  return meanPairwiseDistance(
    Float32Array.from(set.images, (v) => v / 255),
    size,
  );
}

/**
 * % of the total scatter of `[n, d]` features explained by the groups `labels` (0…k−1): Σ_g n_g |μ_g − μ|² ÷
 * Σ_i |x_i − μ|² (η², the one-way ANOVA effect size, summed over dimensions).
 */
function explainedShare(features: Float32Array, dim: number, labels: Int32Array, k: number): number {
  const n = labels.length;
  const mean = new Float64Array(dim);
  const groupSum = new Float64Array(k * dim);
  const groupN = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    groupN[labels[i]]++;
    for (let j = 0; j < dim; j++) {
      mean[j] += features[i * dim + j] / n;
      groupSum[labels[i] * dim + j] += features[i * dim + j];
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) total += (features[i * dim + j] - mean[j]) ** 2;
  let between = 0;
  for (let g = 0; g < k; g++) {
    if (groupN[g] === 0) continue;
    for (let j = 0; j < dim; j++) between += groupN[g] * (groupSum[g * dim + j] / groupN[g] - mean[j]) ** 2;
  }
  return total > 0 ? (100 * between) / total : 0;
}

function argmaxRows(logits: Float32Array, k: number): Int32Array {
  const n = logits.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

function entropyBits(counts: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return -counts.reduce((h, c) => (c === 0 ? h : h + (c / n) * Math.log2(c / n)), 0);
}

/** The report's tables as Markdown (what `goe reproduce images-analysis` prints; images-analysis.md quotes it). */
export function analysisMarkdown(r: ImagesAnalysisReport): string {
  const f1 = (x: number) => x.toFixed(1);
  const d = r.inDistribution;
  const lines = [
    `Baseline \`${r.classifier}\`; ${r.rows[0]?.samples ?? 0} outliers per row (seed 0), ${d.rows} in-distribution test rows:`,
    `feature diversity ${d.diversity.toFixed(2)}, max-softmax q05/q50/q95 ${d.msp.q05.toFixed(3)} / ${d.msp.q50.toFixed(3)} / ${d.msp.q95.toFixed(3)},`,
    `energy q05/q50/q95 ${f1(d.energy.q05)} / ${f1(d.energy.q50)} / ${f1(d.energy.q95)}.`,
    '',
    '| generator | σ² | diversity (× ID) | pixel diversity × ID | class signal | AUROC vs ID: MSP / Energy | accepted at 95% TPR: MSP / Energy | median MSP | median energy | cond. acc. | top class (share) | class entropy (bits) | mean pixel | saturated px | Fréchet to ID | GOE MNIST AUROC |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const x of r.rows) {
    lines.push(
      `| ${x.generator} | ${x.sigma2} | ${x.diversity.toFixed(2)} (${x.diversityRatio.toFixed(2)}) | ${x.pixelDiversityRatio.toFixed(2)} | ${f1(x.classSignal)}% | ${f1(x.baselineAuroc.msp)} / ${f1(x.baselineAuroc.energy)} | ${f1(x.nearShare.msp)}% / ${f1(x.nearShare.energy)}% | ${x.medianMsp.toFixed(3)} | ${f1(x.medianEnergy)} | ${f1(x.conditioningAccuracy)}% | ${x.topClass} (${f1(x.topClassShare)}%) | ${x.predictedEntropy.toFixed(2)} | ${f1(x.meanPixel)} | ${f1(x.saturatedShare)}% | ${x.frechet.toFixed(1)} | ${x.mnistAuroc === undefined ? '—' : x.mnistAuroc.toFixed(2)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
