import { writeTextSamples } from '../../generators/lm/index.js';
import { readManifest, type TextGeneratorManifest } from '../../generators/manifest.js';
import { resolveModelDir } from '../../generators/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { type CganRunOptions, trainCganRun } from '../generator-run.js';
import {
  type EvalRunOptions,
  evalRun,
  type FinetuneRunOptions,
  finetuneRun,
  type TrainRunOptions,
  trainRun,
} from '../runs.js';
import { type TuneRunOptions, tuneRun } from '../tune/index.js';

/** One step of a reproduction, as data (it crosses into a job process as JSON). */
export type JobTask =
  | { kind: 'train'; options: TrainRunOptions }
  /** A class-conditional GAN on a data PATH (`goe train-generator --kind cgan`). */
  | { kind: 'train-generator'; options: CganRunOptions }
  | { kind: 'finetune'; options: FinetuneRunOptions }
  /** Writes the result as JSON to `out` (what `goe tune --json` prints). */
  | { kind: 'tune'; options: TuneRunOptions; out: string }
  /** Writes the report as JSON to `out` (what `goe eval --json` prints). */
  | { kind: 'eval'; options: EvalRunOptions; out: string }
  /** A pool of generated text outliers: every class of `model` at `temperature`, as NDJSON rows. */
  | {
      kind: 'sample-text';
      model: string;
      temperature: number;
      count: number;
      seed: number;
      out: string;
    };

/** Runs one task in this process: the same trainer function the matching `goe` command calls. */
export async function runTask(task: JobTask): Promise<void> {
  switch (task.kind) {
    case 'train':
      await trainRun(task.options);
      return;
    case 'finetune':
      await finetuneRun(task.options);
      return;
    case 'tune':
      await writeFileAtomic(task.out, `${JSON.stringify(await tuneRun(task.options), null, 2)}\n`);
      return;
    case 'train-generator': {
      const r = await trainCganRun(task.options);
      if ('stoppedAt' in r) throw new Error(`the generator stopped at step ${r.stoppedAt}`);
      return;
    }
    case 'eval':
      await writeFileAtomic(task.out, `${JSON.stringify(await evalRun(task.options), null, 2)}\n`);
      return;
    case 'sample-text': {
      const dir = resolveModelDir(task.model);
      const manifest = await readManifest<TextGeneratorManifest>(dir);
      await writeTextSamples(dir, {
        temperature: task.temperature,
        classes: manifest.classes.map((_, k) => k),
        seed: task.seed,
        start: 0,
        count: task.count,
        allowUnk: true,
        out: task.out,
        format: 'ndjson',
      });
      return;
    }
  }
}
