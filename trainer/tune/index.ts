/**
 * `goe tune`: chooses the generator's σ² (images) or T (text) — or a mixture — for Outlier Exposure
 * without any OOD data. Three criteria, each reported for every candidate:
 *
 * - (b) cross-σ² generalisation ({@link ./cross-sigma.ts}): the recommendation when it covers two or more
 *   grid candidates within the budget;
 * - (a) held-out classes as proxy OOD ({@link ./held-out.ts}): the recommendation when (b) could not be;
 * - (c) where the outliers sit under the baseline ({@link ./placement.ts}): cheap, runs first, rules out
 *   in-distribution-looking candidates for (a) and (b), and is the last fallback.
 *
 * The budget is a wall-clock deadline: work stops at it (a fine-tune in progress is abandoned) and the
 * result says which candidates each criterion covered.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratorManifest } from '../../generators/manifest.js';
import { readManifest } from '../../generators/manifest.js';
import { resolveModelDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { type ClassifierManifest, loadClassifier } from '../classifier.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { RowShape } from '../datasets/sources/image-source.js';
import type { TextSet } from '../datasets/text/text-set.js';
import { taskOf } from '../finetune.js';
import { limitSet } from '../fit.js';
import type { OutlierSpec } from '../outliers.js';
import { outlierPool, textOutlierPool } from '../outliers.js';
import { type Candidate, candidatePool, candidatesOf, type PoolLoader } from './candidates.js';
import { type CrossSigmaValue, crossSigmaValue, crossTargets, targetSeed } from './cross-sigma.js';
import { DEFAULT_SIGMA2_GRID, DEFAULT_TEMPERATURE_GRID } from './grid.js';
import {
  disposeProxy,
  HELD_OUT_DEFAULTS,
  type HeldOutSizes,
  heldOutAuroc,
  heldOutSplit,
  trainProxy,
} from './held-out.js';
import { IN_DISTRIBUTION_BAND, type PlacementRow, placementOf, rePlaced } from './placement.js';
import { DETECTOR_OF, penultimateOf, type TuneLoss } from './scores.js';

export { DETECTOR_OF, type TuneLoss } from './scores.js';

/** Options of {@link tuneRun} (`goe tune`). */
export interface TuneRunOptions {
  /** The baseline classifier's folder (or zoo id). */
  from: string;
  /** Generator id or folder (default fashion-mnist-cgan / brown-lm). */
  generator?: string;
  /** σ² (images) or T (text) values; default {@link DEFAULT_SIGMA2_GRID} / {@link DEFAULT_TEMPERATURE_GRID}. */
  grid?: number[];
  /** Mixtures to score beside the grid (`--outliers` syntax each). */
  mixtures?: string[];
  /** Which fine-tuning losses to tune for (OE loss → MSP, energy loss → Energy); default both. */
  losses?: TuneLoss[];
  /** Wall-clock budget in minutes. */
  budgetMinutes: number;
  seed: number;
  /** Tiny sizes (smoke tests): the criteria's numbers mean little. */
  quick?: boolean;
  /** Overrides of the held-out proxy's sizes. */
  sizes?: Partial<HeldOutSizes>;
}

/** What a caller can watch or swap in a tune run. */
export interface TuneHooks {
  signal?: AbortSignal;
  onProgress?: (p: {
    stage: 'placement' | 'cross-σ²' | 'proxy' | 'held-out';
    done: number;
    total: number;
    label: string;
  }) => void;
  /** Where the outliers come from (tests swap in constructed pools); default the generator / sources. */
  loadPool?: PoolLoader;
  /** The clock (ms), for budget tests; default `performance.now`. */
  now?: () => number;
}

/** One candidate's row in the result. */
export interface TuneRow {
  candidate: string;
  value?: number;
  placement?: PlacementRow;
  /** Criterion (a): AUROC (%) on the held-out classes per loss (absent where the budget ran out). */
  heldOut: Partial<Record<TuneLoss, number>>;
  /** Criterion (b) per loss (grid points only; absent where the budget ran out, and in older results). */
  crossSigma?: Partial<Record<TuneLoss, CrossSigmaValue>>;
}

export interface Recommendation {
  candidate: string;
  value?: number;
  criterion: 'cross-σ²' | 'held-out classes' | 'placement' | 'default';
  why: string;
}

export interface TuneResult {
  classifier: string;
  generator: string;
  knob: 'sigma2' | 'temperature';
  default: number;
  grid: number[];
  mixtures: string[];
  losses: TuneLoss[];
  seed: number;
  rows: TuneRow[];
  heldOut?: { held: string[]; kept: number; proxyAccuracy: number; sizes: HeldOutSizes };
  /** Criterion (b)'s targets: the seed of their outliers, the level and noise sets, rows per set. */
  crossSigma?: { targetSeed: number; levels: string[]; noise: string[]; rows: number };
  recommended: Partial<Record<TuneLoss, Recommendation>>;
  budget: {
    minutes: number;
    usedSeconds: number;
    stopped: boolean;
    placementCovered: string[];
    heldOutCovered: string[];
    heldOutSkipped: string[];
    /** Criterion (b)'s covered and skipped grid candidates (absent in results older than (b)). */
    crossCovered?: string[];
    crossSkipped?: string[];
  };
  /** How the criteria cost, in seconds of this run. */
  cost: { placementSeconds: number; proxySeconds: number; heldOutSeconds: number; crossSeconds?: number };
  /** CPU time of the whole run (this process and its outlier worker threads), seconds. */
  cpuSeconds?: number;
}

/**
 * A candidate other than the default must beat the default's criterion value ((b)'s or (a)'s AUROC) by
 * more than this many points to be recommended: one proxy fold is noisy (about ±0.5 between fine-tuning
 * seeds), so a smaller gain is not evidence. (b) keeps the same margin (its own noise is not measured).
 */
export const SWITCH_MARGIN = 0.5;

const QUICK_SIZES: HeldOutSizes = {
  holdOut: 2,
  proxyRows: 512,
  proxyEpochs: 1,
  finetuneRows: 256,
  evalRows: 150,
  batch: 64,
};

/**
 * Runs both criteria within the budget and recommends a candidate per loss.
 *
 * @throws {Error} when `from` is not a classifier, the generator does not fit its modality, or a mixture
 *   spec is bad (one line naming the input)
 */
export async function tuneRun(o: TuneRunOptions, hooks: TuneHooks = {}): Promise<TuneResult> {
  const now = hooks.now ?? (() => performance.now());
  const t0 = now();
  const deadline = t0 + o.budgetMinutes * 60_000;
  const left = () => deadline - now();
  const controller = new AbortController();
  const stop = () => controller.abort();
  hooks.signal?.addEventListener('abort', stop);
  // The abort that cuts a fine-tune short runs on the real clock; a caller's own clock (tests) drives only the checks.
  const timer = hooks.now ? undefined : setTimeout(stop, Math.max(0, left()));
  const cpu0 = process.cpuUsage();
  try {
    const result = await tuneWithin(o, hooks, { now, t0, left, signal: controller.signal });
    const cpu = process.cpuUsage(cpu0);
    return { ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    clearTimeout(timer);
    hooks.signal?.removeEventListener('abort', stop);
  }
}

async function checkedClassifier(from: string) {
  const dir = resolveFrom(from);
  const m = await readManifest<{ kind?: string }>(dir);
  if (m.kind !== 'classifier')
    throw new Error(`--from ${from} is not a classifier (its manifest says kind "${m.kind ?? 'generator'}")`);
  await initBackend();
  return loadClassifier(dir);
}

function resolveFrom(from: string): string {
  const dir = from.includes('/') || from.startsWith('.') ? from : resolveModelDir(from);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`--from ${from}: not a classifier folder (no manifest.json)`);
  }
  return dir;
}

async function tuneWithin(
  o: TuneRunOptions,
  hooks: TuneHooks,
  clock: { now: () => number; t0: number; left: () => number; signal: AbortSignal },
): Promise<TuneResult> {
  const base = await checkedClassifier(o.from);
  const m: ClassifierManifest = base.manifest;
  const text = m.input === 'token-ids';
  const knob = text ? 'temperature' : 'sigma2';
  const genDir = resolveModelDir(o.generator ?? (text ? 'brown-lm' : 'fashion-mnist-cgan'));
  const gen = await readManifest<GeneratorManifest>(genDir);
  if ((gen.modality === 'text') !== text) {
    throw new Error(
      `--generator ${gen.id} makes ${gen.modality} outliers; ${m.id} reads ${text ? 'text' : 'images'}`,
    );
  }
  const defaultValue = gen.modality === 'text' ? gen.defaultTemperature : gen.defaultSigma2;
  const grid = o.grid ?? (text ? DEFAULT_TEMPERATURE_GRID : DEFAULT_SIGMA2_GRID);
  if (text && grid.some((t) => !(t > 0)))
    throw new Error(`--grid: temperatures must be > 0 (got ${grid.join(',')})`);
  const mixtures = o.mixtures ?? [];
  const candidates = candidatesOf(grid, mixtures, knob);
  const losses = o.losses ?? ['oe', 'energy'];
  if (losses.includes('energy') && !m.energyMargins) {
    // Not needed by the proxy (it has its own margins), but the recommendation is for this model's fine-tune.
    throw new Error(`${m.id} records no energy margins; retrain it with \`goe train\` or tune --loss oe`);
  }
  const task = taskOf(base);
  const vocab = base.vocab ?? task.vocab;
  const load: PoolLoader =
    hooks.loadPool ??
    ((spec) =>
      text ? textOutlierPool(spec, vocab!, m.inputShape[0]) : outlierPool(spec, m.inputShape as RowShape));
  const sizes: HeldOutSizes = { ...(o.quick ? QUICK_SIZES : HELD_OUT_DEFAULTS), ...o.sizes };
  const baseSpec: OutlierSpec = { source: 'generated', count: 0, seed: o.seed, generator: genDir };
  const rows: TuneRow[] = candidates.map((c) => ({ candidate: c.label, value: c.value, heldOut: {} }));
  const covered = { placement: [] as string[], cross: [] as string[], heldOut: [] as string[] };
  const cost: TuneResult['cost'] = { placementSeconds: 0, proxySeconds: 0, heldOutSeconds: 0 };
  const progress = hooks.onProgress;
  let stopped = false;

  // (c) Placement: one forward pass of the baseline per candidate.
  const placementRows = o.quick ? 150 : 1000;
  const tp = clock.now();
  const inRows = limitSet(task.test as ImageSet | TextSet, placementRows, o.seed);
  const inFeatures = penultimateOf(base.model, inRows);
  const expired = () => clock.signal.aborted || clock.left() <= 0;
  for (const [i, c] of candidates.entries()) {
    if (expired()) {
      stopped = true;
      break;
    }
    progress?.({ stage: 'placement', done: i, total: candidates.length, label: c.label });
    const { pool } = await candidatePool(c, { ...baseSpec, count: placementRows }, knob, 128, load);
    rows[i].placement = placementOf(base.model, inRows, inFeatures, c.label, pool, losses);
    covered.placement.push(c.label);
  }
  cost.placementSeconds = (clock.now() - tp) / 1000;

  // (b) Cross-σ²: the baseline fine-tuned per grid candidate and loss, scored on the other levels + noise.
  const order = heldOutOrder(candidates, defaultValue);
  const grid0 = candidates.filter((c) => c.value !== undefined);
  const tb = clock.now();
  let crossSigma: TuneResult['crossSigma'];
  // The longest (b) candidate: (a)'s fine-tunes are the same size, so it is (a)'s first estimate too.
  let crossPerCandidate = 0;
  if (!expired() && grid0.length > 0) {
    progress?.({ stage: 'cross-σ²', done: 0, total: grid0.length, label: 'target outliers' });
    const noise = text ? { vocab: vocab!, length: m.inputShape[0] } : { shape: m.inputShape as RowShape };
    const targets = await crossTargets(grid0, baseSpec, knob, sizes.evalRows, load, noise, expired);
    if (targets) {
      crossSigma = {
        targetSeed: targetSeed(o.seed),
        levels: targets.levels.map((t) => t.label),
        noise: targets.noise.map((t) => t.name),
        rows: sizes.evalRows,
      };
      const finetune = limitSet(task.train as ImageSet | TextSet, sizes.finetuneRows, o.seed);
      const inTest = limitSet(task.test as ImageSet | TextSet, sizes.evalRows, o.seed);
      const weights = base.model.getWeights().map((w) => w.clone());
      try {
        for (const [done, i] of order.entries()) {
          const c = candidates[i];
          if (c.value === undefined) continue;
          if (expired() || (crossPerCandidate > 0 && clock.left() < crossPerCandidate)) break;
          progress?.({ stage: 'cross-σ²', done, total: grid0.length, label: c.label });
          const t1 = clock.now();
          const values: Partial<Record<TuneLoss, CrossSigmaValue>> = {};
          for (const loss of losses) {
            const excluded = new Set(rows.filter((r) => r.placement?.excluded[loss]).map((r) => r.candidate));
            const v = await crossSigmaValue(
              base.model,
              weights,
              {
                candidate: c,
                finetune,
                inTest,
                targets,
                excluded,
                loss,
                margins: m.energyMargins,
                base: baseSpec,
                knob,
                load,
              },
              { sizes, seed: o.seed, text, signal: clock.signal },
            );
            if (v === undefined) break;
            values[loss] = v;
          }
          if (losses.some((l) => values[l] === undefined)) break;
          rows[i].crossSigma = values;
          covered.cross.push(c.label);
          crossPerCandidate = Math.max(crossPerCandidate, clock.now() - t1);
        }
      } finally {
        // The baseline leaves (b) as it came: nothing after this (nor the caller) sees a fine-tuned model.
        base.model.setWeights(weights);
        tf.dispose(weights);
      }
    }
  }
  cost.crossSeconds = (clock.now() - tb) / 1000;

  // (a) Held-out classes: a proxy classifier, then one fine-tune per candidate and loss.
  let heldOut: TuneResult['heldOut'];
  // No proxy when not even one (a) candidate (estimated from (b)'s) would fit after it.
  if (!expired() && !(crossPerCandidate > 0 && clock.left() < crossPerCandidate)) {
    const tq = clock.now();
    progress?.({ stage: 'proxy', done: 0, total: 1, label: 'proxy classifier' });
    const split = heldOutSplit(task.train, task.test, m.classes.length, sizes, o.seed);
    const proxy = await trainProxy(split, m.arch, m.inputShape, {
      vocabSize: vocab?.size,
      sizes,
      seed: o.seed,
      signal: clock.signal,
    });
    cost.proxySeconds = (clock.now() - tq) / 1000;
    heldOut = {
      held: split.held.map((c) => m.classes[c]),
      kept: split.kept.length,
      proxyAccuracy: proxy.accuracy,
      sizes,
    };
    const th = clock.now();
    let perCandidate = crossPerCandidate;
    try {
      for (const [done, i] of order.entries()) {
        const c = candidates[i];
        // Stop before a candidate that would not finish in time (estimated from the ones done).
        if (expired() || (perCandidate > 0 && clock.left() < perCandidate)) break;
        progress?.({ stage: 'held-out', done, total: order.length, label: c.label });
        const t1 = clock.now();
        const pool = await candidatePool(
          c,
          { ...baseSpec, count: sizes.finetuneRows, classes: split.kept },
          knob,
          sizes.batch,
          load,
        );
        const values: Partial<Record<TuneLoss, number>> = {};
        for (const loss of losses) {
          const v = await heldOutAuroc(proxy, split, pool, loss, {
            sizes,
            seed: o.seed,
            text,
            signal: clock.signal,
          });
          if (v === undefined) break;
          values[loss] = v;
        }
        if (losses.some((l) => values[l] === undefined)) break;
        rows[i].heldOut = values;
        covered.heldOut.push(c.label);
        perCandidate = Math.max(perCandidate, clock.now() - t1);
      }
    } finally {
      disposeProxy(proxy);
    }
    cost.heldOutSeconds = (clock.now() - th) / 1000;
  }
  stopped ||= covered.heldOut.length < candidates.length || covered.cross.length < grid0.length;
  const recommended: TuneResult['recommended'] = {};
  for (const loss of losses) recommended[loss] = recommend(loss, rows, candidates, defaultValue, knob);
  return {
    classifier: m.id,
    generator: gen.id,
    knob,
    default: defaultValue,
    grid,
    mixtures,
    losses,
    seed: o.seed,
    rows,
    ...(heldOut ? { heldOut } : {}),
    ...(crossSigma ? { crossSigma } : {}),
    recommended,
    budget: {
      minutes: o.budgetMinutes,
      usedSeconds: (clock.now() - clock.t0) / 1000,
      stopped,
      placementCovered: covered.placement,
      heldOutCovered: covered.heldOut,
      heldOutSkipped: candidates.map((c) => c.label).filter((l) => !covered.heldOut.includes(l)),
      crossCovered: covered.cross,
      crossSkipped: grid0.map((c) => c.label).filter((l) => !covered.cross.includes(l)),
    },
    cost,
  };
}

/**
 * The order criteria (b) and (a) visit candidates in: the default first (the comparison every switch needs),
 * then the grid from the default outwards in log scale, then the mixtures — so a short budget covers
 * the neighbourhood of the default before the extremes.
 */
export function heldOutOrder(candidates: readonly Candidate[], defaultValue: number): number[] {
  const dist = (c: Candidate) =>
    c.value === undefined
      ? Number.POSITIVE_INFINITY
      : Math.abs(Math.log((c.value + 1e-3) / (defaultValue + 1e-3)));
  return candidates
    .map((c, i) => ({ i, d: dist(c) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.i);
}

/**
 * The recommendation for one loss (the rule of reports/tune-criterion-b.md, fixed before it was judged):
 * criterion (b)'s best grid candidate among those criterion (c) does not rule out as in-distribution,
 * when (b) covered two or more; else criterion (a)'s best such candidate, when (a) covered two or more;
 * either kept at the default unless the best beats it by more than {@link SWITCH_MARGIN}; else
 * criterion (c)'s best eligible candidate; else the default.
 */
export function recommend(
  loss: TuneLoss,
  rows: readonly TuneRow[],
  candidates: readonly Candidate[],
  defaultValue: number,
  knob: 'sigma2' | 'temperature',
): Recommendation {
  const detector = DETECTOR_OF[loss] === 'msp' ? 'MSP' : 'Energy';
  const name = knob === 'sigma2' ? 'σ²' : 'T';
  // Criterion (a) chooses among the candidates (c) accepts as outliers: exposure to data the baseline
  // scores like its own acts as label smoothing and can raise the proxy's AUROC (the constructed case of
  // trainer/tune/tune.test.ts), yet it teaches the model to doubt its own classes.
  const crossed = rows.filter((r) => r.crossSigma?.[loss] !== undefined);
  const crossHeld = crossed.filter((r) => !r.placement?.excluded[loss]);
  if (crossed.length >= 2 && crossHeld.length >= 1) {
    const value = (r: TuneRow) => r.crossSigma![loss]!.value;
    const best = crossHeld.reduce((a, b) => (value(b) > value(a) ? b : a));
    const def = crossHeld.find((r) => r.value === defaultValue);
    const f = (r: TuneRow) => value(r).toFixed(2);
    const what = `cross-${name} ${detector} AUROC (½ other levels + ½ noise) after ${loss === 'oe' ? 'OE' : 'energy'} fine-tuning of the baseline`;
    if (def && best !== def && value(best) - value(def) <= SWITCH_MARGIN) {
      return {
        candidate: def.candidate,
        value: def.value,
        criterion: 'cross-σ²',
        why: `${what}: best ${best.candidate} ${f(best)} is within ${SWITCH_MARGIN} of the default ${def.candidate} ${f(def)}, so the default stays`,
      };
    }
    return {
      candidate: best.candidate,
      value: best.value,
      criterion: 'cross-σ²',
      why:
        `highest ${what}: ${f(best)}` +
        (def && def !== best ? ` vs ${f(def)} at the default ${def.candidate}` : '') +
        ` (${crossed.length} of ${rows.filter((r) => r.value !== undefined).length} grid candidates covered` +
        (crossHeld.length < crossed.length
          ? `; ${crossed.length - crossHeld.length} ruled out by placement as in-distribution)`
          : ')'),
    };
  }
  const covered = rows.filter((r) => r.heldOut[loss] !== undefined);
  const held = covered.filter((r) => !r.placement?.excluded[loss]);
  if (covered.length >= 2 && held.length >= 1) {
    const best = held.reduce((a, b) => (b.heldOut[loss]! > a.heldOut[loss]! ? b : a));
    const def = held.find((r) => r.value === defaultValue);
    const auroc = (r: TuneRow) => r.heldOut[loss]!.toFixed(2);
    if (def && best !== def && best.heldOut[loss]! - def.heldOut[loss]! <= SWITCH_MARGIN) {
      return {
        candidate: def.candidate,
        value: def.value,
        criterion: 'held-out classes',
        why: `held-out-class ${detector} AUROC: best ${best.candidate} ${auroc(best)} is within ${SWITCH_MARGIN} of the default ${def.candidate} ${auroc(def)}, so the default stays`,
      };
    }
    return {
      candidate: best.candidate,
      value: best.value,
      criterion: 'held-out classes',
      why:
        `highest held-out-class ${detector} AUROC after ${loss === 'oe' ? 'OE' : 'energy'} fine-tuning: ${auroc(best)}` +
        (def && def !== best ? ` vs ${auroc(def)} at the default ${def.candidate}` : '') +
        ` (${covered.length} of ${candidates.length} candidates covered` +
        (held.length < covered.length
          ? `; ${covered.length - held.length} ruled out by placement as in-distribution)`
          : ')'),
    };
  }
  const placed = rows.filter((r) => r.placement && Number.isFinite(r.placement.score[loss]));
  if (placed.length > 0) {
    const best = placed.reduce((a, b) => (b.placement!.score[loss] > a.placement!.score[loss] ? b : a));
    const p = best.placement!;
    return {
      candidate: best.candidate,
      value: best.value,
      criterion: 'placement',
      why:
        `the budget left criteria (b) and (a) ${crossed.length} and ${covered.length} candidate(s); by placement ${best.candidate} is nearest and most diverse: ` +
        `${p.nearShare[DETECTOR_OF[loss]].toFixed(1)}% accepted by the baseline's ${detector} at 95% TPR, diversity ${p.diversity.toFixed(2)} ` +
        `(baseline AUROC ${p.baselineAuroc[DETECTOR_OF[loss]].toFixed(1)}, not within ${IN_DISTRIBUTION_BAND} of 50)`,
    };
  }
  return {
    candidate: `${name}=${defaultValue}`,
    value: defaultValue,
    criterion: 'default',
    why: 'no candidate was scored within the budget (or every one looked in-distribution): the generator default',
  };
}

/**
 * `result`'s recommendations computed again from its stored criterion values with this version's rules
 * (placement's in-distribution band, {@link recommend}): results written by an older goe stay comparable.
 */
export function rescored(result: TuneResult): TuneResult {
  const rows = result.rows.map((r) => ({
    ...r,
    placement: r.placement && rePlaced(r.placement, result.losses),
  }));
  const candidates = rows.map((r) => ({ label: r.candidate, value: r.value }));
  const recommended: TuneResult['recommended'] = {};
  for (const loss of result.losses) {
    recommended[loss] = recommend(loss, rows, candidates, result.default, result.knob);
  }
  return { ...result, rows, recommended };
}
