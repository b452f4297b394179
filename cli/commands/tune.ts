import { type Command, Option } from 'commander';
import { parseOutlierMix } from '../../trainer/outlier-mix.js';
import { parseGrid } from '../../trainer/tune/grid.js';
import { type TuneLoss, type TuneResult, tuneRun } from '../../trainer/tune/index.js';
import { note, printJson } from '../output.js';
import { positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

interface TuneFlags {
  from: string;
  generator?: string;
  grid?: string;
  mixtures?: string;
  loss: 'oe' | 'energy' | 'both';
  budget: number;
  seed: number;
  quick?: boolean;
  json?: boolean;
}

export function registerTune(program: Command): void {
  program
    .command('tune')
    .summary('choose σ² (or T) and outlier mixtures for OE without any OOD data')
    .description(
      'Recommends the latent variance σ² of an image generator (the temperature T of a language model), or a\n' +
        'mixture, for Outlier Exposure of --from, using only its in-distribution data, the generator and the\n' +
        'baseline. Never reads an OOD set. Criteria, each reported for every candidate:\n' +
        "(b) cross-σ²: the baseline is fine-tuned briefly with each grid point's outliers and scored on\n" +
        'detecting outliers of the OTHER grid points (fresh seed) and noise: ½ mean AUROC over the levels +\n' +
        '½ mean over uniform and Gaussian noise;\n' +
        '(a) held-out classes: a proxy classifier is trained on all classes but two, fine-tuned with each\n' +
        "candidate's outliers (of the kept classes), and scored on detecting the two held-out classes;\n" +
        '(c) placement: how the baseline sees the outliers (AUROC against in-distribution rows, the share it\n' +
        'accepts at 95% TPR, their diversity in its penultimate features).\n' +
        "The recommendation is (b)'s best among the candidates (c) does not rule out as in-distribution, kept at\n" +
        "the default unless another beats it by more than 0.5 AUROC; (a)'s best (same rule) when the budget left\n" +
        "(b) fewer than two; (c)'s best after that. Stops at --budget and says what it covered.",
    )
    .requiredOption('--from <dir>', 'the baseline classifier (e.g. zoo/fashion-mnist-classifier-baseline)')
    .option('--generator <id|dir>', 'the generator (default fashion-mnist-cgan / brown-lm)')
    .option('--grid <list>', 'σ² values (images, default 0.5,1,2,5,10,20,50,100) or T values (text)')
    .option(
      '--mixtures <list>',
      'mixtures to score beside the grid, separated by ";", each in --outliers syntax (PART,PART…)',
    )
    .addOption(
      new Option('--loss <loss>', 'tune for the OE loss (MSP), the energy loss (Energy) or both')
        .choices(['oe', 'energy', 'both'])
        .default('both'),
    )
    .option('--budget <minutes>', 'wall-clock budget; work stops there', positiveNumber, 20)
    .option('--seed <n>', 'seed of the held-out classes, subsets and outliers (uint32)', uint32, 0)
    .option('--quick', 'tiny proxy sizes (smoke tests): fast, the numbers mean little')
    .option('--json', 'print the whole result as JSON on stdout')
    .action(async (o: TuneFlags) => {
      // σ² rules here (numbers ≥ 0); tuneRun also refuses T = 0 once it knows the generator is a language model.
      const grid = o.grid === undefined ? undefined : parseGrid(o.grid, 'sigma2');
      const mixtures = o.mixtures
        ?.split(';')
        .map((m) => m.trim())
        .filter(Boolean);
      for (const m of mixtures ?? []) parseOutlierMix(m, '--mixtures'); // a bad spec fails before any work
      const losses: TuneLoss[] = o.loss === 'both' ? ['oe', 'energy'] : [o.loss];
      const bar = progressBar(0, 'tune', '{stage} {label}');
      const r = await withAbort((signal) =>
        tuneRun(
          {
            from: o.from,
            generator: o.generator,
            grid,
            mixtures,
            losses,
            budgetMinutes: o.budget,
            seed: o.seed,
            quick: o.quick,
          },
          {
            signal,
            onProgress: (p) => bar.update(p.done, { total: p.total, stage: p.stage, label: p.label }),
          },
        ),
      ).finally(() => bar.stop());
      if (o.json) printJson(r);
      else printSummary(r);
    });
}

/** The table and the recommendation, for people (stderr keeps stdout for `--json`). */
function printSummary(r: TuneResult): void {
  const held = r.heldOut
    ? ` (held out: ${r.heldOut.held.join(', ')}; proxy accuracy ${r.heldOut.proxyAccuracy.toFixed(1)}%)`
    : '';
  const lines = [
    `${r.classifier} × ${r.generator}${held}`,
    'candidate | (b) cross-σ² OE/MSP | energy/Energy | (a) held-out AUROC OE/MSP | energy/Energy | (c) baseline AUROC MSP/Energy | accepted @95% MSP/Energy | diversity',
  ];
  const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
  for (const row of r.rows) {
    const p = row.placement;
    lines.push(
      `${row.candidate} | ${f(row.crossSigma?.oe?.value)} | ${f(row.crossSigma?.energy?.value)} | ` +
        `${f(row.heldOut.oe)} | ${f(row.heldOut.energy)} | ` +
        `${f(p?.baselineAuroc.msp)}/${f(p?.baselineAuroc.energy)} | ${f(p?.nearShare.msp)}/${f(p?.nearShare.energy)} | ${f(p?.diversity)}`,
    );
  }
  for (const loss of r.losses) {
    const rec = r.recommended[loss]!;
    lines.push(
      `recommended for the ${loss === 'oe' ? 'OE loss (MSP)' : 'energy loss (Energy)'}: ${rec.candidate} — ${rec.why}`,
    );
  }
  const b = r.budget;
  const cross = b.crossCovered ?? [];
  lines.push(
    `${b.usedSeconds.toFixed(0)} s of a ${b.minutes}-minute budget; cross-σ² criterion covered ${cross.join(', ') || 'nothing'}` +
      (b.crossSkipped?.length ? ` (not ${b.crossSkipped.join(', ')})` : '') +
      `; held-out criterion covered ${b.heldOutCovered.join(', ') || 'nothing'}` +
      (b.heldOutSkipped.length ? `; budget ran out before ${b.heldOutSkipped.join(', ')}` : ''),
  );
  for (const line of lines) note(line);
}
