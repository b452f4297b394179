import { commandLine, type OptionValue } from '../generators/manifest.js';

/** The options every `goe train-generator` run records (both kinds). */
export interface GeneratorRunOptions {
  out: string;
  id?: string;
  steps: number;
  batch: number;
  seed: number;
  lr: number;
}

/**
 * The provenance command of a `goe train-generator` run: every option that shapes the artifact, then
 * the kind's own (`extra`). `--checkpoint-every` and `--fresh` only steer resuming, so they are left out.
 */
export function generatorCommand(
  kind: 'cgan' | 'lm',
  data: string,
  o: GeneratorRunOptions,
  extra: Record<string, OptionValue> = {},
): string {
  const { out, id, steps, batch, seed, lr } = o;
  return commandLine('train-generator', { kind, data, out, id, steps, batch, seed, lr, ...extra });
}
