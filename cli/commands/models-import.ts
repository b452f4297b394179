import { type Command, InvalidArgumentError } from 'commander';
import {
  type ImportOptions,
  importModel,
  openSource,
  planImport,
  readModelSource,
  removeZooEntry,
  signatureLines,
} from '../../generators/imported/index.js';
import type { OutputRange } from '../../generators/manifest.js';
import { zooDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { note, printJson } from '../output.js';
import { nonNegativeNumber } from '../parse.js';

interface AddFlags {
  id: string;
  zoo?: string;
  latentInput?: string;
  classInput?: string;
  classEncoding?: 'one-hot' | 'index';
  classes?: string[];
  const: Record<string, number>;
  output?: string;
  outputShape?: [number, number, number];
  outputLayout?: 'NCHW' | 'NHWC' | 'flat';
  outputRange?: OutputRange;
  sigma2?: number;
  license?: string;
  source?: string;
  author?: string;
  replace?: boolean;
  json?: boolean;
}

const RANGES: Record<string, OutputRange> = { '-1,1': [-1, 1], '0,1': [0, 1], '0,255': [0, 255] };
const LAYOUTS: Record<string, AddFlags['outputLayout']> = { nchw: 'NCHW', nhwc: 'NHWC', flat: 'flat' };

function outputShape(value: string): [number, number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new InvalidArgumentError(`expected H,W,C (three whole numbers ≥ 1), got "${value}"`);
  }
  return parts as [number, number, number];
}

function constant(value: string, previous: Record<string, number>): Record<string, number> {
  const m = /^([^=]+)=(.+)$/.exec(value);
  const n = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isFinite(n)) throw new InvalidArgumentError(`expected name=number, got "${value}"`);
  return { ...previous, [m[1].trim()]: n };
}

function choice<T>(table: Record<string, T>, what: string) {
  return (value: string): T => {
    const hit = table[value.toLowerCase().replace(/\s|\[|\]/g, '')];
    if (hit === undefined)
      throw new InvalidArgumentError(
        `${what} must be one of ${Object.keys(table).join(' | ')}, got "${value}"`,
      );
    return hit;
  };
}

// Arguments as a shell would need them, for the command recorded in the provenance.
const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Loads TF.js only for TF.js models: an ONNX import never starts a TF.js backend. */
async function open(path: string) {
  const src = await readModelSource(path);
  if (src.format === 'tfjs') await initBackend();
  return src;
}

/** `goe models inspect|add|remove`: bring a pre-trained ONNX or TF.js generator into the zoo. */
export function registerImport(models: Command): void {
  models
    .command('inspect <model>')
    .description(
      'print the inputs and outputs (shapes, dtypes) of FILE.onnx or DIR/model.json and the manifest `goe models add` would write (flags as for add)',
    )
    .option('--id <id>', 'the id to show in the manifest', 'imported')
    .option('--json', 'print {inputs, outputs, manifest} as JSON')
    .action(async (path: string, o: { id: string; json?: boolean }) => {
      const src = await open(path);
      const runtime = await openSource(src);
      try {
        let manifest: unknown;
        let why: string | undefined;
        try {
          manifest = await planImport(src, runtime, { id: o.id });
        } catch (err) {
          why = (err as Error).message;
        }
        if (o.json) {
          printJson({
            format: src.format,
            ...runtime.signature,
            manifest: manifest ?? null,
            ...(why ? { error: why } : {}),
          });
          return;
        }
        process.stdout.write(
          `${src.format} model ${path}\n${signatureLines(runtime.signature).join('\n')}\n`,
        );
        if (manifest)
          process.stdout.write(
            `manifest goe models add would write:\n${JSON.stringify(manifest, null, 2)}\n`,
          );
        else process.stdout.write(`goe models add needs flags for this model: ${why}\n`);
      } finally {
        await runtime.dispose();
      }
    });

  models
    .command('add <model>')
    .description(
      [
        'Import a pre-trained image generator (FILE.onnx, or a TF.js folder / model.json with its weight shards) into the zoo, unmodified.',
        'goe infers what it can from the model (the one input is the latent, the one output the image, its layout, row shape and value range), runs a test forward pass (shape, range, finite values) and only then writes the entry, atomically.',
      ].join('\n'),
    )
    .requiredOption('--id <id>', 'zoo id: 1–64 letters, digits, ".", "_", "-"')
    .option('--zoo <dir|s3://bucket/prefix>', 'the zoo to write into (default: GOE_ZOO or zoo/)')
    .option('--latent-input <name>', 'the input z ~ N(0, σ²I) is fed to (default: the only input)')
    .option('--class-input <name>', 'the input the class is fed to (class-conditional models)')
    .option(
      '--class-encoding <one-hot|index>',
      'how the class is fed: one-hot floats [N, K] or indices [N] (default: from the input shape)',
      choice({ 'one-hot': 'one-hot' as const, index: 'index' as const }, '--class-encoding'),
    )
    .option('--classes <a,b,…>', 'class names in label order (default: 0..K-1 for a one-hot input)', list)
    .option('--const <name=value>', 'an input fed the same value for every row (repeatable)', constant, {})
    .option('--output <name>', 'the output holding the images (default: the only output)')
    .option('--output-shape <H,W,C>', 'the row shape (default: from the output)', outputShape)
    .option(
      '--output-layout <nchw|nhwc|flat>',
      'the output layout (default: from the output)',
      choice(LAYOUTS, '--output-layout'),
    )
    .option(
      '--output-range <-1,1|0,1|0,255>',
      'the output value range (default: from the test pass)',
      choice(RANGES, '--output-range'),
    )
    .option('--sigma2 <x>', 'default σ² of requests (default 50)', nonNegativeNumber)
    .option('--license <text>', 'the licence the model is under')
    .option('--source <text>', 'where the model came from (URL, repository)')
    .option('--author <text>', 'who trained it')
    .option('--replace', 'overwrite an existing entry with this id')
    .option('--json', 'print the manifest written as JSON')
    .action(async (path: string, o: AddFlags) => {
      const zoo = o.zoo ?? zooDir();
      const src = await open(path);
      const options: ImportOptions = {
        id: o.id,
        latentInput: o.latentInput,
        classInput: o.classInput,
        classEncoding: o.classEncoding,
        classes: o.classes,
        constants: o.const,
        output: o.output,
        outputShape: o.outputShape,
        outputLayout: o.outputLayout,
        outputRange: o.outputRange,
        sigma2: o.sigma2,
        license: o.license,
        source: o.source,
        author: o.author,
        command: ['goe', 'models', 'add', ...process.argv.slice(4)].map(quote).join(' '),
      };
      const manifest = await importModel(src, options, zoo, o.replace);
      if (o.json) printJson(manifest);
      const [h, w, c] = manifest.shape;
      note(
        `added ${manifest.id} to ${zoo}: ${manifest.format}, ${manifest.classes.length > 0 ? `${manifest.classes.length} classes` : 'unconditional'}, z ∈ R^${manifest.latentDim}, rows ${h}×${w}×${c} from ${manifest.io.output.layout} in [${manifest.io.output.range.join(', ')}], ${manifest.weights.digest}`,
      );
    });

  models
    .command('remove <id>')
    .description('remove a generator from the zoo')
    .option('--zoo <dir|s3://bucket/prefix>', 'the zoo (default: GOE_ZOO or zoo/)')
    .action(async (id: string, o: { zoo?: string }) => {
      const zoo = o.zoo ?? zooDir();
      await removeZooEntry(zoo, id);
      note(`removed ${id} from ${zoo}`);
    });
}
