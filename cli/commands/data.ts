import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_TEST_SPLIT,
  type ImageSource,
  type ImageSourceOptions,
  loadImageSource,
} from '../../trainer/datasets/sources/image-source.js';
import { isTextSourcePath, loadTextSource } from '../../trainer/datasets/sources/text-source.js';
import { note, printJson } from '../output.js';
import { positiveInt, positiveNumber, uint32 } from '../parse.js';
import { progressBar } from '../progress.js';

/** The data-source options `goe train`, `goe data inspect` and friends share. */
export interface DataSourceFlags {
  size?: number;
  channels?: '1' | '3';
  testSplit?: number;
  seed?: number;
  labels?: string;
}

/** A `--test-split` fraction in (0, 1). */
function fraction(value: string): number {
  const x = positiveNumber(value);
  if (x >= 1) throw new InvalidArgumentError('must lie between 0 and 1');
  return x;
}

/** Adds `--size`, `--channels`, `--test-split` and `--labels` to a command that reads a user data set. */
export function addDataSourceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--size <n>',
      'side of the square rows images are resized to (default: the most common size)',
      positiveInt,
    )
    .addOption(
      new Option('--channels <n>', '1 grey or 3 colour (default: the most common colour)').choices([
        '1',
        '3',
      ]),
    )
    .option(
      '--test-split <x>',
      `fraction of each class held out as the test set when the data has no test/ part (default ${DEFAULT_TEST_SPLIT})`,
      fraction,
    )
    .option('--labels <file>', 'labels .npy/IDX file of a .npy/IDX images file (default: its sibling)');
}

/** `--channels` as the trainer takes it. */
export function channelsOf(flags: Pick<DataSourceFlags, 'channels'>): 1 | 3 | undefined {
  return flags.channels ? (Number(flags.channels) as 1 | 3) : undefined;
}

/** The warnings of a loaded data set and one line of what was read, on stderr. */
export function noteSource(source: ImageSource): void {
  for (const w of source.warnings) note(`warning: ${w}`);
  note(
    `data: ${source.classNames.length} classes, ${source.train.shape[0]} train / ${source.test.shape[0]} test rows of ${source.rowShape.join('×')}${source.cached ? ' (decoded-tensor cache)' : ''}`,
  );
}

/** Loads a user data set with those flags, a progress bar on stderr while files are decoded. */
export function loadWithProgress(path: string, flags: DataSourceFlags, seed: number): ImageSource {
  const bar = progressBar(0, 'decode');
  const options: ImageSourceOptions = {
    ...(flags.size ? { size: flags.size } : {}),
    ...(flags.channels ? { channels: channelsOf(flags) } : {}),
    ...(flags.testSplit ? { testSplit: flags.testSplit } : {}),
    ...(flags.labels ? { labels: flags.labels } : {}),
    seed,
    onProgress: (done, total) => bar.update(done, { total }),
  };
  try {
    return loadImageSource(path, options);
  } finally {
    bar.stop();
  }
}

/** What `goe data inspect --json` prints. */
export function inspection(s: ImageSource) {
  return {
    path: s.path,
    format: s.format,
    ...(s.labelsPath ? { labels: s.labelsPath } : {}),
    rowShape: s.rowShape,
    classes: s.classNames.map((name, c) => ({
      name,
      train: s.train.labels!.filter((l) => l === c).length,
      test: s.test.labels!.filter((l) => l === c).length,
    })),
    rows: { train: s.train.shape[0], test: s.test.shape[0] },
    split: s.split,
    ...(s.testSplit !== undefined ? { testSplit: s.testSplit } : {}),
    seed: s.seed,
    sizes: s.sizes,
    colours: s.colours,
    problems: s.warnings,
    digest: s.digest,
  };
}

/** The human report of `goe data inspect`. */
export function formatInspection(r: ReturnType<typeof inspection>): string {
  const [h, w, c] = r.rowShape;
  const width = Math.max(5, ...r.classes.map((x) => [...x.name].length));
  const lines = [
    `${r.path}: ${r.format}${r.labels ? ` (labels ${r.labels})` : ''}`,
    `rows ${h}×${w}×${c} (${c === 1 ? 'grey' : 'colour'}); ${r.classes.length} classes; ${r.rows.train} train, ${r.rows.test} test`,
    r.split === 'folders'
      ? 'split: the data set’s own train/ and test/ folders'
      : `split: seeded, ${r.testSplit} of each class held out for test (seed ${r.seed})`,
    `sizes: ${Object.entries(r.sizes)
      .map(([k, n]) => `${k.replace('x', '×')} ${n}`)
      .join(', ')}`,
    `colours: ${Object.entries(r.colours)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    '',
    `${'class'.padEnd(width)}  train   test`,
    ...r.classes.map(
      (x) => `${x.name.padEnd(width)}  ${String(x.train).padStart(5)}  ${String(x.test).padStart(5)}`,
    ),
    '',
    r.problems.length ? `problems:\n${r.problems.map((p) => `  ${p}`).join('\n')}` : 'problems: none',
    `digest ${r.digest}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerData(program: Command): void {
  const data = program.command('data').summary("inspect a team's own data set");
  addDataSourceOptions(
    data
      .command('inspect')
      .summary('what goe sees in a data set: classes, counts, sizes, colour, split, problems')
      .description(
        'Reads a data set as `goe train --data PATH` would and prints what goe sees. PATH is one of:\n' +
          '  an ImageFolder tree: PATH/<class>/*.png|jpg|jpeg, or PATH/train/<class>/… (+ PATH/test/<class>/…)\n' +
          '  a .npy of images (N×H×W[×C], uint8 or float32 in [0, 1]) with a labels .npy beside it\n' +
          '  an IDX images file (…-images-idx3-ubyte[.gz]) with its labels file\n' +
          '  --text: labelled texts, a folder per class of .txt files, .jsonl {"text", "label"} or .csv text,label\n' +
          '  ignored: hidden files, __MACOSX\n' +
          '  errors: an empty class folder, one class, a corrupt image, labels that do not match (one line naming the file, exit 1)',
      )
      .argument('<path>', 'folder or images file')
      .option('--seed <n>', 'seed of the test split (uint32)', uint32, 0)
      .option(
        '--text',
        'PATH holds labelled texts (implied by .jsonl, .ndjson and .csv files and by class folders of .txt, as for goe train)',
      )
      .option('--json', 'print the report as JSON'),
  ).action((path: string, o: DataSourceFlags & { seed: number; json?: boolean; text?: boolean }) => {
    if (o.text || isTextSourcePath(path)) {
      const t = loadTextSource(path);
      const r = {
        path: t.path,
        format: t.format,
        classes: t.classNames.map((name, c) => ({
          name,
          documents: t.docs.filter((d) => d.label === c).length,
        })),
        documents: t.docs.length,
      };
      if (o.json) printJson(r);
      else {
        const width = Math.max(5, ...r.classes.map((x) => [...x.name].length));
        process.stdout.write(
          `${r.path}: ${r.format}; ${r.classes.length} classes; ${r.documents} documents\n\n` +
            `${'class'.padEnd(width)}  documents\n` +
            r.classes.map((x) => `${x.name.padEnd(width)}  ${String(x.documents).padStart(9)}\n`).join(''),
        );
      }
      return;
    }
    const r = inspection(loadWithProgress(path, o, o.seed));
    if (o.json) printJson(r);
    else process.stdout.write(formatInspection(r));
  });
}
