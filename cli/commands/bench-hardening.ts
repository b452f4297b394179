import type { Command } from 'commander';
import { buildApp } from '../../api/app.js';
import { startServer } from '../../api/entries/node.js';
import { fuzzApi, requestInit } from '../../bench/fuzz/api.js';
import { fuzzReader, READERS } from '../../bench/fuzz/readers.js';
import { soak } from '../../bench/soak.js';
import { initBackend } from '../../runtime/backend/index.js';
import { note, printJson } from '../output.js';
import { positiveInt, positiveNumber } from '../parse.js';

// The fuzz is about validation: rate limits off, counts small so accepted requests stay cheap.
const FUZZ_LIMITS = { maxCount: 8, ratePerSecond: 1e9, burst: 1e9, concurrency: 100_000 };

/** `goe bench fuzz` and `goe bench soak`: the long runs of the suite's fuzz and soak tests. */
export function registerBenchHardening(bench: Command): void {
  bench
    .command('fuzz')
    .description(
      'property-based fuzzing (fast-check): --runs generated requests against the API in process\n' +
        '(and --socket-runs over loopback), and --runs mutated files through each reader of user files\n' +
        '(npy, IDX, PNG, JPEG, safetensors, CSV scores, NDJSON, text). Fails on a 5xx, a stack trace, an\n' +
        'error that does not name its input, a crash or a hang, printing the shrunk counterexample.',
    )
    .option('--runs <n>', 'generated cases per target', positiveInt, 10_000)
    .option('--socket-runs <n>', 'generated requests over a loopback socket', positiveInt, 1_000)
    .option('--model <id>', 'zoo generator the requests name', 'fashion-mnist-cgan')
    .option('--seed <n>', 'fast-check seed (default: random; printed, so a run can be repeated)', positiveInt)
    .option('--only <list>', 'comma-separated targets: api and/or reader names')
    .option('--json', 'print the counts as JSON')
    .action(
      async (o: {
        runs: number;
        socketRuns: number;
        model: string;
        seed?: number;
        only?: string;
        json?: boolean;
      }) => {
        const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
        const only = o.only?.split(',').map((s) => s.trim());
        const wanted = (name: string) => !only || only.includes(name);
        note(`fuzz seed ${seed}`);
        const result: Record<string, unknown> = { seed };
        if (wanted('api')) {
          await initBackend();
          const log = () => undefined;
          const app = buildApp({ limits: FUZZ_LIMITS, log });
          result.api = await fuzzApi((r) => Promise.resolve(app.request(r.url, requestInit(r))), {
            model: o.model,
            runs: o.runs,
            seed,
          });
          note(`api in process: ${JSON.stringify(result.api)}`);
          const server = await startServer({ port: 0, limits: FUZZ_LIMITS, log });
          try {
            result.apiSocket = await fuzzApi((r) => fetch(server.url + r.url, requestInit(r)), {
              model: o.model,
              runs: o.socketRuns,
              seed,
            });
          } finally {
            await server.close();
          }
          note(`api over a socket: ${JSON.stringify(result.apiSocket)}`);
        }
        const readers = [];
        for (const reader of READERS.filter((r) => wanted(r.name))) {
          const r = await fuzzReader(reader, { runs: o.runs, seed });
          readers.push(r);
          note(
            `${reader.name}: ${r.ok} read, ${r.refused} refused ${JSON.stringify(r.errors)}, slowest ${r.slowestMs.toFixed(0)} ms`,
          );
        }
        result.readers = readers;
        if (o.json) printJson(result);
        else process.stdout.write(`fuzz passed (seed ${seed}): 0 violations\n`);
      },
    );

  bench
    .command('soak')
    .description(
      'a real `goe serve` on loopback under --concurrency clients for --minutes: a mix of cached and fresh\n' +
        'bodies in every image format, listings, bad requests and abandoned streams. Reports responses by\n' +
        'status, server RSS drift after warm-up and live TF.js tensors (/healthz); exits 1 unless no\n' +
        'response was ≥ 500, RSS drift < 10 % and the tensor count held.',
    )
    .option('--minutes <m>', 'duration', positiveNumber, 10)
    .option('--concurrency <n>', 'clients', positiveInt, 32)
    .option('--model <id>', 'zoo generator', 'fashion-mnist-cgan')
    .option('--count <n>', 'rows per request', positiveInt, 32)
    .option('--json', 'print the report as JSON')
    .action(
      async (o: { minutes: number; concurrency: number; model: string; count: number; json?: boolean }) => {
        const r = await soak({
          seconds: o.minutes * 60,
          concurrency: o.concurrency,
          model: o.model,
          count: o.count,
          onProgress: note,
        });
        if (o.json) printJson(r);
        else {
          process.stdout.write(
            `${r.requests} requests in ${r.seconds.toFixed(0)} s at concurrency ${r.concurrency}: ` +
              `${JSON.stringify(r.byStatus)}, ${r.failures} failures, ${r.abandoned} abandoned streams, ` +
              `${r.resets} keep-alive resets retried\n` +
              `RSS ${r.rssMiB.afterWarmup.toFixed(0)} → ${r.rssMiB.end.toFixed(0)} MiB (drift ${r.rssMiB.driftPct.toFixed(1)} %, ` +
              `peak ${r.rssMiB.peak.toFixed(0)}), tensors ${r.tensors.afterWarmup} → ${r.tensors.end}, ` +
              `per compute worker ${JSON.stringify(r.workerTensors.afterWarmup)} → ${JSON.stringify(r.workerTensors.end)} ` +
              `(null: ONNX Runtime only, no TF.js tensors): ` +
              `${r.holds ? 'holds' : 'DOES NOT HOLD'}\n` +
              `RSS at each tenth of the run (MiB): ${r.rssSeriesMiB.join(' ')}\n`,
          );
        }
        if (!r.holds) process.exitCode = 1;
      },
    );
}
