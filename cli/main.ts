import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { repoRoot } from '../trainer/datasets/index.js';
import { registerBench } from './commands/bench.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEval } from './commands/eval.js';
import { registerFinetune } from './commands/finetune.js';
import { registerMetrics } from './commands/metrics.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerSample } from './commands/sample.js';
import { registerTrain } from './commands/train.js';
import { registerTrainGenerator } from './commands/train-generator.js';

const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

/** Builds the `goe` program; each subcommand lives in `cli/commands/` and only parses and calls. */
export function buildProgram(): Command {
  const program = new Command('goe')
    .description(
      'Generative Outlier Exposure: outliers from generative models, OE fine-tuning and OOD evaluation.\n' +
        'Environment: GOE_BACKEND=auto|node-gpu|node|wasm|cpu, GOE_STORE=file://.goe|s3://bucket/prefix, GOE_LOG=info|debug|silent',
    )
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDoctor(program);
  registerBench(program);
  registerMetrics(program);
  registerTrain(program);
  registerFinetune(program);
  registerEval(program);
  registerReproduce(program);
  registerTrainGenerator(program);
  registerSample(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // Every other failure is one clear line, never a stack trace (GOE_LOG=debug shows it).
    process.stderr.write(`goe: error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.GOE_LOG === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
