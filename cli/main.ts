import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describeVariables, goeEnv } from '../runtime/config.js';
import { repoRoot } from '../trainer/datasets/index.js';
import { HELP_CONFIG } from './help.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: `goe eval` should not pay for loading the HTTP server,
 * the plotting library and the S3 client (startup went from ~2.8 s to well under that for one command).
 */
const commands: Record<string, () => Promise<Register>> = {
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  bench: async () => (await import('./commands/bench.js')).registerBench,
  metrics: async () => (await import('./commands/metrics.js')).registerMetrics,
  models: async () => (await import('./commands/models.js')).registerModels,
  train: async () => (await import('./commands/train.js')).registerTrain,
  finetune: async () => (await import('./commands/finetune.js')).registerFinetune,
  tune: async () => (await import('./commands/tune.js')).registerTune,
  eval: async () => (await import('./commands/eval.js')).registerEval,
  'eval-generator': async () => (await import('./commands/eval-generator.js')).registerEvalGenerator,
  reproduce: async () => (await import('./commands/reproduce.js')).registerReproduce,
  'train-generator': async () => (await import('./commands/train-generator.js')).registerTrainGenerator,
  sample: async () => (await import('./commands/sample.js')).registerSample,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  pull: async () => (await import('./commands/pull.js')).registerPull,
  data: async () => (await import('./commands/data.js')).registerData,
};

const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

/**
 * Builds the `goe` program; each subcommand lives in `cli/commands/` and only parses and calls.
 * With `only`, registers just that subcommand (the one on the command line); otherwise all (for --help).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('goe')
    .description(
      'Generative Outlier Exposure: outliers from generative models, OE fine-tuning and OOD evaluation.',
    )
    // After the commands, unwrapped: one variable a line (runtime/config.ts holds the list).
    .addHelpText('after', `\nEnvironment:\n${describeVariables()}\n`)
    .version(version)
    .configureHelp(HELP_CONFIG)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const names = only && only in commands ? [only] : Object.keys(commands);
  for (const register of await Promise.all(names.map((n) => commands[n]()))) register(program);
  return program;
}

/** Runs goe with `argv` (node, script, command, ...); bin/goe.mjs calls it, tests import buildProgram alone. */
export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // Every other failure is one clear line, never a stack trace (GOE_LOG=debug shows it).
    process.stderr.write(`goe: error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (goeEnv('GOE_LOG') === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}
