import { type Command, InvalidArgumentError, Option } from 'commander';
import { benchGenerate } from '../../bench/generate.js';
import { profileTrainStep } from '../../bench/profile.js';
import { benchTrainStep } from '../../bench/train-step.js';
import { type BackendChoice, backendChoices } from '../../runtime/backend/index.js';
import { note, printJson } from '../output.js';
import { positiveInt, positiveNumber } from '../parse.js';
import { registerBenchServe } from './bench-serve.js';

function backendList(value: string): BackendChoice[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(backendChoices as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(`unknown backend "${n}" (choose from ${backendChoices.join(', ')})`);
    }
  }
  return names as BackendChoice[];
}

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('benchmarks, each beside its PyTorch peer on this machine');
  bench
    .command('train-step')
    .description(
      'time one SGD step of the reference CNN (batch 128) on each TF.js backend and in PyTorch (CPU, all cores)',
    )
    .option('--json', 'print {name, backend, samplesPerSec, peer, ratio} objects as a JSON array')
    .addOption(
      new Option('--backends <list>', `comma-separated backends to time (default: all that start)`).argParser(
        backendList,
      ),
    )
    .option('--batch <n>', 'batch size', positiveInt, 128)
    .option('--seconds <s>', 'timed seconds per backend (after warm-up)', positiveNumber, 5)
    .option('--profile', 'also print where a wasm step spends its time, kernel by kernel')
    .action(
      async (opts: {
        json?: boolean;
        backends?: BackendChoice[];
        batch: number;
        seconds: number;
        profile?: boolean;
      }) => {
        const run = await benchTrainStep({
          backends: opts.backends,
          batch: opts.batch,
          seconds: opts.seconds,
          onProgress: note,
        });
        for (const s of run.skipped) note(`skipped ${s.backend}: ${s.reason}`);
        if (run.peerError) note(`no peer ratio: ${run.peerError}`);
        const profile = opts.profile ? await profileTrainStep('wasm', opts.batch) : undefined;
        if (opts.json) {
          printJson(profile ? { results: run.results, profile } : run.results);
          return;
        }
        for (const r of run.results) {
          const peer = r.peer
            ? `   PyTorch ${r.peer.version} (${r.peer.threads} threads) ${r.peer.samplesPerSec.toFixed(0)}/s`
            : '';
          const ratio = r.ratio !== undefined ? `   ratio ${r.ratio.toFixed(2)}×` : '';
          process.stdout.write(
            `${r.backend.padEnd(9)} ${r.samplesPerSec.toFixed(0).padStart(6)} samples/s${peer}${ratio}\n`,
          );
        }
        if (profile) {
          process.stdout.write(
            `\nwasm step: ${profile.msPerStep.toFixed(1)} ms; kernels by self time (ms/step):\n`,
          );
          for (const k of profile.kernels.slice(0, 15)) {
            process.stdout.write(
              `  ${k.kernel.padEnd(24)} ${k.selfMsPerStep.toFixed(2).padStart(7)}  (${k.callsPerStep.toFixed(0)} calls)\n`,
            );
          }
        }
      },
    );
  bench
    .command('generate')
    .description(
      'outliers/s of a zoo generator in process (batch 256, σ² = 50) beside the same network and weights in PyTorch',
    )
    .option('--json', 'print {name, model, backend, imagesPerSec, peer, ratio} as JSON')
    .option('--model <id>', 'zoo generator', 'fashion-mnist-cgan')
    .option('--batch <n>', 'rows per forward pass', positiveInt, 256)
    .option('--seconds <s>', 'timed seconds per side', positiveNumber, 5)
    .action(async (opts: { json?: boolean; model: string; batch: number; seconds: number }) => {
      const { result, peerError } = await benchGenerate({
        model: opts.model,
        batch: opts.batch,
        seconds: opts.seconds,
      });
      if (peerError) note(`no peer ratio: ${peerError}`);
      if (opts.json) {
        printJson(result);
        return;
      }
      const peer = result.peer
        ? `   PyTorch ${result.peer.version} (${result.peer.threads} threads) ${result.peer.imagesPerSec.toFixed(0)}/s`
        : '';
      const ratio = result.ratio !== undefined ? `   ratio ${result.ratio.toFixed(2)}×` : '';
      process.stdout.write(
        `${result.model} on ${result.backend}: ${result.imagesPerSec.toFixed(0)} images/s${peer}${ratio}\n`,
      );
    });
  registerBenchServe(bench);
}
