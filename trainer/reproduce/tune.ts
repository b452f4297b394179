import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { parseOutlierMix } from '../outlier-mix.js';
import { rescored, type TuneResult } from '../tune/index.js';
import { DETECTOR_OF } from '../tune/scores.js';
import { evalPoint, stat } from './aggregate.js';
import type { ReproduceOptions } from './images.js';
import { runPlan } from './jobs.js';
import { runName } from './plan.js';
import { reportHeader } from './report-header.js';
import { tuneMarkdown } from './tune-markdown.js';
import {
  baselineJobs,
  runsFor,
  type TuneLoss,
  type TunePlanConfig,
  tuneFullConfig,
  tuneLosses,
  tuneOutput,
  tunePhase1,
  tuneQuickConfig,
  tuneRuns,
} from './tune-plan.js';
import type { TunePoint, TuneReport, TuneRow } from './tune-report.js';
import { exportRuns } from './zoo-export.js';

/** A point of `run`'s evaluation read with `loss`'s detector. */
export function pointOf(runsDir: string, run: string, loss: TuneLoss, ood: readonly string[]): TunePoint {
  const p = evalPoint(runsDir, run, DETECTOR_OF[loss], ood);
  return { run, mnist: p.perSet.mnist, mean: p.meanAuroc, perSet: p.perSet, accuracy: p.accuracy };
}

/** The run that made candidate `label` (a grid point `σ²=5` or a mixture as written). */
function runOfChoice(
  c: TunePlanConfig,
  loss: TuneLoss,
  seed: number,
  value: number | undefined,
  label: string,
): string {
  if (value !== undefined) return tuneRuns.sigma2(loss, value, seed);
  const k = c.mixtures.indexOf(label);
  if (k < 0) throw new Error(`goe tune recommended ${label}, which is not one of the plan's mixtures`);
  return tuneRuns.mix(loss, k, seed);
}

/** σ² of the generated parts of a mixture (its single sources). */
function mixtureSources(mixture: string): number[] {
  return parseOutlierMix(mixture)
    .filter((p) => p.source === 'generated' && p.sigma2 !== undefined)
    .map((p) => p.sigma2!);
}

/**
 * `goe reproduce tune`: does `goe tune` choose σ² as well as the oracle would? Phase 1 trains the
 * baselines, runs `goe tune` per seed and the whole sweep on the first seed (the oracle); phase 2
 * fine-tunes, on the other seeds, the default, the oracle, each seed's tuned choice, the mixtures and
 * their single sources. Writes `tune.{md,json}`; `--zoo` copies the first seed's tuned and mixture
 * classifiers into the zoo.
 */
export async function reproduceTune(o: ReproduceOptions): Promise<TuneReport> {
  const t0 = performance.now();
  const c = o.quick ? tuneQuickConfig : tuneFullConfig;
  resolveModelDir(c.generator);
  const dir = o.runsDir;
  await runPlan(tunePhase1(c, dir), o, 'phase 1 (baselines, goe tune, first-seed sweep)');
  const s0 = c.seeds[0];
  const tune = c.seeds.map((s) =>
    rescored(JSON.parse(readFileSync(tuneOutput(dir, s), 'utf8')) as TuneResult),
  );
  const sweep = {} as TuneReport['sweep'];
  const oracle = {} as TuneReport['oracle'];
  for (const loss of tuneLosses) {
    sweep[loss] = [
      ...c.grid.map((v) => ({ x: `σ²=${v}`, ...pointOf(dir, tuneRuns.sigma2(loss, v, s0), loss, c.ood) })),
      ...c.mixtures.map((m, k) => ({ x: m, ...pointOf(dir, tuneRuns.mix(loss, k, s0), loss, c.ood) })),
    ];
    const grid = sweep[loss].slice(0, c.grid.length);
    oracle[loss] = c.grid[grid.reduce((b, p, i) => (p.mnist > grid[b].mnist ? i : b), 0)];
  }
  const sources = [...new Set(c.mixtures.flatMap(mixtureSources))];
  const phase2 = [...baselineJobs(c, dir)].concat(
    c.seeds.slice(1).flatMap((seed, i) =>
      tuneLosses.flatMap((loss) => {
        const rec = tune[i + 1].recommended[loss];
        const values = new Set([c.defaultSigma2, oracle[loss], ...sources]);
        if (rec?.value !== undefined) values.add(rec.value);
        return runsFor(
          c,
          dir,
          seed,
          loss,
          [...values],
          c.mixtures.map((_, k) => k),
        );
      }),
    ),
  );
  await runPlan(phase2, o, 'phase 2 (default, oracle, tuned, mixtures on the other seeds)');

  const row = (
    method: string,
    loss: TuneLoss,
    pick: (seed: number, i: number) => { run: string; choice: string },
  ): TuneRow => {
    const picks = c.seeds.map(pick);
    const points = picks.map((p) => pointOf(dir, p.run, loss, c.ood));
    return {
      method,
      choice: picks.map((p) => p.choice),
      runs: picks.map((p) => p.run),
      mnist: stat(points.map((p) => p.mnist)),
      mean: stat(points.map((p) => p.mean)),
      perSet: Object.fromEntries(c.ood.map((s) => [s, stat(points.map((p) => p.perSet[s]))])),
      accuracy: stat(points.map((p) => p.accuracy)),
    };
  };
  const table = {} as TuneReport['table'];
  const targets: TuneReport['targets'] = [];
  for (const loss of tuneLosses) {
    const sigma = (v: number) => (seed: number) => ({
      run: tuneRuns.sigma2(loss, v, seed),
      choice: `σ²=${v}`,
    });
    const rows: TuneRow[] = [
      row('baseline (no fine-tuning)', loss, (seed) => ({ run: runName('baseline', seed), choice: '—' })),
      row(`default σ² = ${c.defaultSigma2}`, loss, sigma(c.defaultSigma2)),
      row(`oracle σ² = ${oracle[loss]} (best first-seed MNIST AUROC)`, loss, sigma(oracle[loss])),
      row('tuned (`goe tune`, held-out classes)', loss, (seed, i) => {
        const rec = tune[i].recommended[loss]!;
        return { run: runOfChoice(c, loss, seed, rec.value, rec.candidate), choice: rec.candidate };
      }),
      ...sources
        .filter((v) => v !== c.defaultSigma2 && v !== oracle[loss])
        .map((v) => row(`single source σ² = ${v}`, loss, sigma(v))),
      ...c.mixtures.map((m, k) =>
        row(`mixture ${m}`, loss, (seed) => ({ run: tuneRuns.mix(loss, k, seed), choice: m })),
      ),
    ];
    table[loss] = rows;
    const [, def, orc, tuned] = rows;
    targets.push({
      loss,
      tunedMinusOracleMnist: tuned.mnist.mean - orc.mnist.mean,
      tunedMinusDefaultMnist: tuned.mnist.mean - def.mnist.mean,
      withinOnePointOfOracle: tuned.mnist.mean >= orc.mnist.mean - 1,
      notBelowDefault: tuned.mnist.mean >= def.mnist.mean,
      mixtures: c.mixtures.map((m, k) => {
        const mix = rows.find((r) => r.method === `mixture ${m}`)!;
        const singles = mixtureSources(m).map((v) => ({
          v,
          mean: row('', loss, sigma(v)).mean.mean,
        }));
        const best = singles.reduce((a, b) => (b.mean > a.mean ? b : a));
        return {
          mixture: c.mixtures[k],
          mean: mix.mean.mean,
          bestSingle: `σ²=${best.v}`,
          bestSingleMean: best.mean,
          beatsEverySource: singles.every((s) => mix.mean.mean > s.mean),
        };
      }),
    });
  }
  let zoo: string[] = [];
  const prefix = o.quick ? 'tune-quick' : 'tune';
  const report: TuneReport = {
    ...(await reportHeader(
      'goe tune: σ² chosen without OOD data vs. the oracle and the default (Fashion-MNIST)',
      o,
      t0,
    )),
    config: c,
    sweep,
    oracle,
    tune,
    table,
    targets,
    zoo,
  };
  if (o.zoo && !o.quick) {
    const runs: [string, string][] = [];
    for (const loss of tuneLosses) {
      const d = loss === 'oe' ? 'msp' : 'energy';
      runs.push([table[loss][3].runs[0], `fashion-mnist-classifier-goe-tuned-${d}`]);
      // The best mixture by the mean over OOD sets over seeds (there is one in the default plan).
      const mixes = table[loss].filter((r) => r.method.startsWith('mixture '));
      const best = mixes.reduce((a, b) => (b.mean.mean > a.mean.mean ? b : a));
      runs.push([best.runs[0], `fashion-mnist-classifier-goe-mix-${d}`]);
    }
    zoo = await exportRuns(dir, runs, `reports/${prefix}.md`);
    report.zoo = zoo;
    o.onStage?.(`zoo: ${zoo.join(', ')}`);
  }
  await mkdir(o.reportsDir, { recursive: true });
  await writeFileAtomic(join(o.reportsDir, `${prefix}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(o.reportsDir, `${prefix}.md`), tuneMarkdown(report));
  return report;
}
