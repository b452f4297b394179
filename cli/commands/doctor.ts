import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { listGenerators, zooDir } from '../../generators/registry.js';
import {
  chooseRuntime,
  type RuntimePreference,
  runtimeLabel,
  runtimePreference,
  twinProblem,
} from '../../generators/twin.js';
import { initBackend } from '../../runtime/backend/index.js';
import { workerCount } from '../../runtime/pool/index.js';
import { findPython } from '../../runtime/python.js';
import { defaultStoreUrl } from '../../runtime/store/index.js';
import { datasets, locateDataset, repoRoot } from '../../trainer/datasets/index.js';
import { printJson } from '../output.js';

/** Everything `goe doctor` reports; also its `--json` shape. */
export interface DoctorReport {
  goe: string;
  node: string;
  machine: { cores: number; memoryGiB: number };
  /** Compute worker threads generation runs on (`GOE_WORKERS`; 0 = the calling thread). */
  workers: number;
  backend: {
    choice: string;
    package: string;
    version: string;
    kernels: { added: string[]; replaced: string[] };
  };
  skippedBackends: { choice: string; reason: string }[];
  /**
   * `GOE_RUNTIME`, onnxruntime-node's version, and what computes each generator of the zoo: the
   * TF.js backend or `onnxruntime:<providers>` (`twin`: why a cGAN's ONNX twin is not used, if it is not).
   */
  runtime: {
    preference: RuntimePreference;
    onnxruntime: string;
    generators: { id: string; runtime: string; twin?: string; error?: string }[];
  };
  datasets: { name: string; found: boolean; dir?: string; tried: string[] }[];
  python: { torch?: string; numpy?: string };
  store: string;
}

export async function doctorReport(): Promise<DoctorReport> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const info = await initBackend();
  return {
    goe: pkg.version,
    node: process.version,
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    workers: workerCount(),
    backend: { choice: info.choice, package: info.package, version: info.version, kernels: info.kernels },
    skippedBackends: info.skipped,
    runtime: await runtimeReport(info.choice),
    datasets: datasets.map((d) => {
      const at = locateDataset(d);
      return { name: d.name, found: at.dir !== undefined, dir: at.dir, tried: at.tried };
    }),
    python: { torch: findPython(['torch']), numpy: findPython(['numpy']) },
    store: defaultStoreUrl(),
  };
}

async function runtimeReport(tfjsBackend: string): Promise<DoctorReport['runtime']> {
  const preference = runtimePreference();
  const ort = createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string };
  const generators: DoctorReport['runtime']['generators'] = [];
  for (const m of await listGenerators()) {
    const dir = join(zooDir(), m.id);
    const twin = m.kind === 'cgan' ? twinProblem(dir, m) : undefined;
    try {
      const runtime = runtimeLabel(chooseRuntime(dir, m, preference), tfjsBackend);
      generators.push({ id: m.id, runtime, ...(twin ? { twin } : {}) });
    } catch (err) {
      generators.push({ id: m.id, runtime: 'none', error: (err as Error).message });
    }
  }
  return { preference, onnxruntime: ort.version, generators };
}

function printHuman(r: DoctorReport): void {
  const lines = [
    `goe ${r.goe} on Node ${r.node}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB`,
    `backend   ${r.backend.choice} (${r.backend.package} ${r.backend.version})`,
  ];
  if (r.backend.kernels.added.length)
    lines.push(`          + kernels added: ${r.backend.kernels.added.join(', ')}`);
  if (r.backend.kernels.replaced.length)
    lines.push(`          + kernels replaced: ${r.backend.kernels.replaced.join(', ')}`);
  for (const s of r.skippedBackends) lines.push(`          - ${s.choice} unavailable: ${s.reason}`);
  lines.push(`runtime   GOE_RUNTIME=${r.runtime.preference} (onnxruntime-node ${r.runtime.onnxruntime})`);
  for (const g of r.runtime.generators) {
    lines.push(
      `  ${g.error ? '✗' : '✓'} ${g.id.padEnd(24)} ${g.error ?? g.runtime}${g.twin && !g.error ? ` (no twin: ${g.twin})` : ''}`,
    );
  }
  lines.push(
    `workers   ${r.workers === 0 ? 'none: rows are computed in-thread' : `${r.workers} compute worker threads`} (GOE_WORKERS)`,
  );
  lines.push('datasets');
  for (const d of r.datasets) {
    lines.push(
      d.found
        ? `  ✓ ${d.name.padEnd(14)} ${d.dir}`
        : `  ✗ ${d.name.padEnd(14)} not found (tried ${d.tried.join(', ')})`,
    );
  }
  lines.push(`python    torch: ${r.python.torch ?? 'not found (apt-get install python3-torch)'}`);
  lines.push(`          numpy: ${r.python.numpy ?? 'not found (apt-get install python3-numpy)'}`);
  lines.push(`store     ${r.store}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show the TF.js backend goe picks, versions, datasets and peers it finds')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await doctorReport();
      if (opts.json) printJson(report);
      else printHuman(report);
    });
}
