import { type Command, InvalidArgumentError } from 'commander';
import { benchServe } from '../../bench/serve.js';
import { note, printJson } from '../output.js';
import { positiveInt } from '../parse.js';

function levels(value: string): number[] {
  const out = value.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(`expected comma-separated whole numbers ≥ 1, got "${value}"`);
  }
  return out;
}

/** `goe bench serve`: HTTP throughput and latency of `goe serve` beside in-process generation. */
export function registerBenchServe(bench: Command): void {
  bench
    .command('serve')
    .description(
      'outliers/s of `goe serve` over loopback HTTP (npy, ndjson) beside the same generator in process, and\n' +
        'p50/p99 latency of count=256 requests at several concurrencies; --memory streams 1,000,000 images\n' +
        "and reports the server's peak RSS; /healthz p50/p99 while 8 uncached streams run. The server uses\n" +
        'GOE_WORKERS compute workers (default one per core)',
    )
    .option('--json', 'print the result as JSON')
    .option('--model <id>', 'zoo generator', 'fashion-mnist-cgan')
    .option('--count <n>', 'rows per throughput run', positiveInt, 20_000)
    .option('--requests <n>', 'requests per concurrency level', positiveInt, 64)
    .option('--concurrency <list>', 'concurrency levels', levels, [1, 8, 32])
    .option('--memory', 'also stream --memory-count images through one request and report peak RSS')
    .option('--memory-count <n>', 'rows for --memory', positiveInt, 1_000_000)
    .action(
      async (o: {
        json?: boolean;
        model: string;
        count: number;
        requests: number;
        concurrency: number[];
        memory?: boolean;
        memoryCount: number;
      }) => {
        const r = await benchServe({ ...o, onProgress: note });
        if (o.json) {
          printJson(r);
          return;
        }
        const line = (s: string) => process.stdout.write(`${s}\n`);
        line(
          `${r.model} (${r.generator}) on ${r.runtime}, ${r.workers} workers: in process ${r.inProcess.imagesPerSec.toFixed(0)} images/s`,
        );
        for (const [f, v] of Object.entries(r.http)) {
          line(
            `  http ${f.padEnd(6)} ${v.imagesPerSec.toFixed(0).padStart(6)} images/s  (${(v.ratio * 100).toFixed(0)}% of in process)`,
          );
        }
        for (const l of r.latency) {
          line(
            `  count=256 at concurrency ${String(l.concurrency).padStart(2)}: p50 ${l.p50Ms.toFixed(0)} ms, p99 ${l.p99Ms.toFixed(0)} ms`,
          );
        }
        line(
          `  /healthz while ${r.healthz.streams} uncached streams run: p50 ${r.healthz.p50Ms.toFixed(0)} ms, p99 ${r.healthz.p99Ms.toFixed(0)} ms (${r.healthz.probes} probes)`,
        );
        if (r.memory) {
          line(
            `  ${r.memory.count} images in ${r.memory.seconds.toFixed(0)} s (${r.memory.imagesPerSec.toFixed(0)}/s) on ${r.memory.runtime}, server peak RSS ${r.memory.serverPeakRssMiB.toFixed(0)} MiB (all workers: they are threads of it)\n` +
              `  RSS at each tenth of the stream (MiB): ${r.memory.rssSeriesMiB.join(' ')}\n` +
              `  TF.js tensors per compute worker ${JSON.stringify(r.memory.workerTensors.before)} → ${JSON.stringify(r.memory.workerTensors.after)} (null: ONNX Runtime only)`,
          );
        }
      },
    );
}
