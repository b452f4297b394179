import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { benchGenerate } from '../../bench/generate.js';
import { benchGenerateImported } from '../../bench/generate-imported.js';
import { benchGenerateLm } from '../../bench/generate-lm.js';
import { profileTrainStep } from '../../bench/profile.js';
import { type BenchArch, benchArchs } from '../../bench/reference-cnn.js';
import { benchTrainStep } from '../../bench/train-step.js';
import { readManifest } from '../../generators/manifest.js';
import { resolveModelDir } from '../../generators/registry.js';
import { type BackendChoice, backendChoices } from '../../runtime/backend/index.js';
import { note, printJson } from '../output.js';
import { positiveInt, positiveNumber } from '../parse.js';
import { registerBenchHardening } from './bench-hardening.js';
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
      'time one SGD step of a CNN (batch 128; --arch: goe small CNN or the reference CNN) on each TF.js backend,\n' +
        'on ONNX Runtime as goe train runs it (when onnxruntime-node is installed) and in PyTorch (CPU, all cores)',
    )
    .option('--json', 'print {name, backend, samplesPerSec, peer, ratio} objects as a JSON array')
    .addOption(
      new Option('--backends <list>', `comma-separated backends to time (default: all that start)`).argParser(
        backendList,
      ),
    )
    .option('--batch <n>', 'batch size', positiveInt, 128)
    .option('--seconds <s>', 'timed seconds per backend (after warm-up)', positiveNumber, 5)
    .addOption(
      new Option('--arch <arch>', "the timed backbone: goe's small CNN or the PyTorch reference's CNN")
        .choices([...benchArchs])
        .default('small-cnn'),
    )
    .option('--profile', 'also print where a wasm step spends its time, kernel by kernel')
    .option(
      '--workers <n>',
      'also time data-parallel wasm steps over n compute workers (must divide --batch)',
      positiveInt,
      availableParallelism(),
    )
    .action(
      async (opts: {
        json?: boolean;
        backends?: BackendChoice[];
        batch: number;
        seconds: number;
        profile?: boolean;
        workers: number;
        arch: BenchArch;
      }) => {
        if (opts.batch % opts.workers !== 0) {
          throw new Error(`--workers ${opts.workers} must divide --batch ${opts.batch}`);
        }
        const run = await benchTrainStep({
          backends: opts.backends,
          batch: opts.batch,
          seconds: opts.seconds,
          workers: opts.workers,
          arch: opts.arch,
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
          const p = r.parallel;
          if (p) {
            const t = p.msPerStep;
            process.stdout.write(
              `${`${r.backend}×${p.workers}`.padEnd(9)} ${p.samplesPerSec.toFixed(0).padStart(6)} samples/s` +
                `   data-parallel over ${p.workers} workers (${p.speedup.toFixed(2)}× in-thread)` +
                (p.ratio !== undefined ? `   ratio ${p.ratio.toFixed(2)}×` : '') +
                `\n          step ${t.total.toFixed(1)} ms: slowest worker ${t.worker.toFixed(1)}, shard round trip ${t.shards.toFixed(1)}, ` +
                `publish weights ${t.publish.toFixed(1)}, average + update ${t.update.toFixed(1)}\n`,
            );
          }
          const o = r.onnx;
          if (o) {
            const t = o.msPerStep;
            process.stdout.write(
              `${'onnx'.padEnd(9)} ${o.samplesPerSec.toFixed(0).padStart(6)} samples/s` +
                `   ONNX Runtime, as goe train runs it (${o.speedup.toFixed(2)}× wasm in-thread)` +
                (o.ratio !== undefined ? `   ratio ${o.ratio.toFixed(2)}×` : '') +
                `\n          step ${t.total.toFixed(1)} ms: one graph (forward, cross-entropy, backward) ${t.graph.toFixed(1)}, ` +
                `update ${t.update.toFixed(1)}\n`,
            );
          }
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
      'outliers/s of a zoo generator beside the same network and weights in PyTorch: ' +
        'images/s of an image generator on the compute worker pool (GOE_WORKERS workers, and 1 worker; batch 256, σ² = 50), tokens/s of a language model ' +
        '(key/value-cached sampling, batch 64, 256 samples, T = 2; logits checked against the peer first)',
    )
    .option('--json', 'print the result as JSON (text models: with the logit check, machine and versions)')
    .option('--model <id|dir>', 'zoo generator id or model folder', 'fashion-mnist-cgan')
    .option('--batch <n>', 'rows per forward pass (default 256 images, 64 text rows)', positiveInt)
    .option('--seconds <s>', 'timed seconds per side (images)', positiveNumber, 5)
    .option(
      '--count <n>',
      'samples per timed run (text; each is the model length in tokens)',
      positiveInt,
      256,
    )
    .option('--temperature <t>', 'softmax temperature (text)', positiveNumber, 2)
    .option(
      '--threads <n>',
      'PyTorch threads (text; default: 1 and one per core, the faster is the peer)',
      positiveInt,
    )
    .option('--profile', 'also report where a sampled batch spends its time, kernel by kernel (text)')
    .option('--sigma2 <x>', 'latent variance σ² (imported image generators; default 50)', positiveNumber)
    .option(
      '--peer-module <file.py>',
      'imported generators: Python file with build(weights) -> torch nn.Module, the PyTorch peer',
    )
    .option(
      '--peer-weights <file>',
      'imported generators: the weights --peer-module loads (e.g. the author’s state dict)',
    )
    .action(
      async (opts: {
        json?: boolean;
        model: string;
        batch?: number;
        seconds: number;
        count: number;
        temperature: number;
        threads?: number;
        profile?: boolean;
        sigma2?: number;
        peerModule?: string;
        peerWeights?: string;
      }) => {
        const manifest = await readManifest(resolveModelDir(opts.model));
        if (manifest.kind === 'imported') {
          const { result, peerError } = await benchGenerateImported({ ...opts });
          if (peerError) note(`no peer ratio: ${peerError}`);
          if (opts.json) {
            printJson(result);
            return;
          }
          const peer = result.peer
            ? `   PyTorch ${result.peer.version} (${result.peer.threads} threads) ${result.peer.imagesPerSec.toFixed(0)} images/s`
            : '';
          const ratio = result.ratio !== undefined ? `   ratio ${result.ratio.toFixed(2)}×` : '';
          const diff =
            result.maxAbsDiff !== undefined
              ? ` (same function: max |Δ| ${result.maxAbsDiff.toExponential(1)})`
              : '';
          process.stdout.write(
            `${result.model} on ${result.runtime}, batch ${result.batch}, σ² = ${result.sigma2}: ${result.imagesPerSec.toFixed(0)} images/s${peer}${ratio}${diff}\n`,
          );
          return;
        }
        if (manifest.modality === 'text') {
          const { result, peerError } = await benchGenerateLm({
            model: opts.model,
            batch: opts.batch,
            count: opts.count,
            temperature: opts.temperature,
            threads: opts.threads,
            profile: opts.profile,
          });
          if (peerError) note(`no peer ratio: ${peerError}`);
          if (opts.json) {
            printJson(result);
            return;
          }
          const others = result.peers
            .filter((p) => p !== result.peer)
            .map((p) => `; ${p.threads} threads ${p.tokensPerSec.toFixed(0)}`)
            .join('');
          const peer = result.peer
            ? `   PyTorch ${result.peer.version} (fastest: ${result.peer.threads} threads${others}) ${result.peer.tokensPerSec.toFixed(0)} tokens/s`
            : '';
          const ratio = result.ratio !== undefined ? `   ratio ${result.ratio.toFixed(2)}×` : '';
          process.stdout.write(
            `${result.model} on ${result.runtime === 'onnx' ? 'ONNX Runtime' : result.backend}, batch ${result.batch}, T = ${result.temperature}: ` +
              `${result.tokensPerSec.toFixed(0)} tokens/s in-thread${peer}${ratio}\n` +
              (result.runtime === 'onnx'
                ? `  TF.js (${result.backend}) in-thread: ${result.tfjsTokensPerSec.toFixed(0)} tokens/s\n`
                : '') +
              `  worker pool: ${result.pool.workers} workers ${result.pool.tokensPerSec.toFixed(0)} tokens/s` +
              `${result.pool.ratio !== undefined ? ` (${result.pool.ratio.toFixed(2)}× PyTorch)` : ''}, ` +
              `1 worker ${result.pool.singleWorkerTokensPerSec.toFixed(0)} tokens/s (${result.pool.speedup.toFixed(2)}×)\n`,
          );
          if (result.check) {
            process.stdout.write(
              `peer logits match: max |Δ| ${result.check.maxAbsDiff.cached.toExponential(1)} (cached), ` +
                `${result.check.maxAbsDiff.full.toExponential(1)} (full prefix)\n`,
            );
          }
          if (result.profile) {
            const p = result.profile;
            process.stdout.write(
              `\nsampling step: ${p.msPerStep.toFixed(1)} ms, ${p.outsideKernelsMsPerStep.toFixed(1)} ms outside kernels ` +
                `(token draws, dispatch); kernels by self time (ms/step):\n`,
            );
            for (const k of p.kernels.slice(0, 12)) {
              process.stdout.write(
                `  ${k.kernel.padEnd(24)} ${k.selfMsPerStep.toFixed(2).padStart(7)}  (${k.callsPerStep.toFixed(0)} calls)\n`,
              );
            }
          }
          return;
        }
        const { result, peerError } = await benchGenerate({
          model: opts.model,
          batch: opts.batch ?? 256,
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
          `${result.model} on ${result.backend}, ${result.workers} workers: ${result.imagesPerSec.toFixed(0)} images/s${peer}${ratio}\n` +
            `  1 worker ${result.singleWorker.imagesPerSec.toFixed(0)} images/s (${result.workers} workers: ${result.singleWorker.speedup.toFixed(2)}×), ` +
            `in-thread ${result.inThread.imagesPerSec.toFixed(0)} images/s\n`,
        );
        const o = result.onnx;
        process.stdout.write(
          o
            ? `  ONNX twin on ${o.runtime}, ${o.workers} workers × ${o.threadsPerWorker} threads: ${o.imagesPerSec.toFixed(0)} images/s` +
                `${o.ratio !== undefined ? ` (${o.ratio.toFixed(2)}× PyTorch)` : ''}, ${o.vsTfjs.toFixed(2)}× TF.js; ` +
                `1 worker × ${o.singleWorker.threads} threads ${o.singleWorker.imagesPerSec.toFixed(0)} images/s (${o.workers} workers: ${o.singleWorker.speedup.toFixed(2)}×), ` +
                `1 worker × 1 thread ${o.oneCore.imagesPerSec.toFixed(0)} images/s (${o.workers} workers: ${o.oneCore.speedup.toFixed(2)}×)\n`
            : `  no ONNX twin: ${result.onnxMissing}\n`,
        );
        const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
        process.stdout.write(
          `  load average ${fmt(result.load.start)} at start, ${fmt(result.load.end)} at end\n`,
        );
      },
    );
  registerBenchServe(bench);
  registerBenchHardening(bench);
}
