/**
 * A team's own labelled texts, as labelled documents (tokenising, the vocabulary and windows come after,
 * as for Brown):
 * - a folder per class of `.txt` files (`root/<class>/**\/*.txt`; hidden files and `__MACOSX` ignored);
 * - JSONL: one `{"text": …, "label": …}` object per line (blank lines skipped);
 * - CSV with a header naming `text` and `label` columns (RFC 4180 quoting, through csv-parse).
 * Every file is read by {@link readUserText}: UTF-8, or UTF-16 with a byte-order mark (with a warning);
 * anything else is refused naming the file. Classes are sorted by name; labels are their indices.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DatasetError } from '../errors.js';
import { readUserText } from '../user-text.js';
import { isIgnoredEntry, statOrThrow } from './image-source.js';

/** One labelled document; `source` names the file (and line or record) it came from. */
export interface TextDocument {
  text: string;
  label: number;
  source: string;
}

/** Labelled documents and their classes. */
export interface TextSource {
  path: string;
  format: 'text-folder' | 'jsonl' | 'csv';
  classNames: string[];
  docs: TextDocument[];
}

function listTxt(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => !isIgnoredEntry(n))
    .sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTxt(p));
    else if (/\.txt$/i.test(name)) out.push(p);
  }
  return out;
}

function byClass(
  path: string,
  format: TextSource['format'],
  rows: { text: string; label: string; source: string }[],
): TextSource {
  const classNames = [...new Set(rows.map((r) => r.label))].sort();
  if (classNames.length < 2) {
    throw new DatasetError(
      'too_few_classes',
      `${path} has ${classNames.length === 0 ? 'no labelled texts' : `one class only (${classNames[0]})`}; a classifier needs at least two`,
      { path, value: classNames },
    );
  }
  const docs = rows.map((r) => ({ text: r.text, label: classNames.indexOf(r.label), source: r.source }));
  return { path, format, classNames, docs };
}

function fieldOf(row: Record<string, unknown>, key: 'text' | 'label', where: string, path: string): string {
  const v = row[key];
  if (typeof v === 'string' && v !== '') return v;
  if (key === 'label' && typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new DatasetError(
    'bad_value',
    `${where} has ${v === undefined || v === '' ? `no "${key}"` : `a "${key}" that is not a ${key === 'text' ? 'string' : 'string or number'}`}`,
    { path, value: key },
  );
}

/**
 * Reads labelled texts from `path`: a folder of class folders of `.txt` files, a `.jsonl`/`.ndjson` file
 * or a `.csv` file (see the module comment).
 *
 * @throws {DatasetError} naming the file, line or folder: `unreadable`, `bad_encoding`, `empty` (a class
 *   folder without `.txt` files), `bad_value` (a JSONL line that is not an object with `text` and
 *   `label`, a CSV record without them), `bad_header` (a CSV without `text`/`label` columns, broken
 *   quoting), `too_few_classes`, `unsupported_format`
 */
export function loadTextSource(path: string): TextSource {
  const abs = resolve(path);
  if (statOrThrow(abs).isDirectory()) {
    const rows: { text: string; label: string; source: string }[] = [];
    for (const folder of readdirSync(abs)
      .filter((n) => !isIgnoredEntry(n))
      .sort()) {
      const dir = join(abs, folder);
      if (!statSync(dir).isDirectory()) continue;
      const files = listTxt(dir);
      if (files.length === 0) {
        throw new DatasetError('empty', `the class folder ${dir} holds no .txt files`, { path: dir });
      }
      for (const f of files) rows.push({ text: readUserText(f), label: folder.normalize('NFC'), source: f });
    }
    return byClass(abs, 'text-folder', rows);
  }
  const ext = extname(abs).toLowerCase();
  const text = readUserText(abs);
  if (ext === '.jsonl' || ext === '.ndjson') {
    const rows = jsonLines(abs, text, (row, where) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new DatasetError('bad_value', `${where} is not a {"text", "label"} object`, { path: abs });
      }
      const r = row as Record<string, unknown>;
      return { text: fieldOf(r, 'text', where, abs), label: fieldOf(r, 'label', where, abs), source: where };
    });
    return byClass(abs, 'jsonl', rows);
  }
  if (ext === '.csv') {
    const records = csvRecords(abs, text);
    if (records.length > 0 && !('text' in records[0] && 'label' in records[0])) {
      throw new DatasetError(
        'bad_header',
        `${abs}: the CSV header must name "text" and "label" columns, got ${Object.keys(records[0]).join(', ')}`,
        { path: abs },
      );
    }
    // Record k is on line k + 2 when no field spans lines (the header is line 1).
    const rows = records.map((r, k) => {
      const where = `${abs} record ${k + 1}`;
      return { text: fieldOf(r, 'text', where, abs), label: fieldOf(r, 'label', where, abs), source: where };
    });
    return byClass(abs, 'csv', rows);
  }
  throw new DatasetError(
    'unsupported_format',
    `${abs} is not a folder of class folders, a .jsonl or a .csv file of labelled texts`,
    { path: abs },
  );
}

/**
 * `read(row, where)` for each non-empty line of `text` (the JSONL file `abs`), `row` parsed and `where`
 * naming it (`PATH line N`), line by line, so the first faulty line is the one named.
 * @throws {DatasetError} `bad_value` naming a line that is not JSON; whatever `read` throws
 */
function jsonLines<T>(abs: string, text: string, read: (row: unknown, where: string) => T): T[] {
  const out: T[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${abs} line ${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw new DatasetError('bad_value', `${where} is not JSON: ${(cause as Error).message}`, {
        path: abs,
        cause,
      });
    }
    out.push(read(row, where));
  });
  return out;
}

/**
 * The records of `text` (the CSV file `abs`, with a header row) by column name (RFC 4180 quoting, BOM and empty
 * lines skipped, through csv-parse).
 * @throws {DatasetError} `bad_header` when csv-parse refuses it
 */
function csvRecords(abs: string, text: string): Record<string, string>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, bom: true });
  } catch (cause) {
    throw new DatasetError('bad_header', `${abs} is not readable CSV: ${(cause as Error).message}`, {
      path: abs,
      cause,
    });
  }
}

/** Whether `path` is read as labelled texts: a `.jsonl`/`.ndjson`/`.csv` file, or a folder of class folders of `.txt`. */
export function isTextSourcePath(path: string): boolean {
  const abs = resolve(path);
  let dir: boolean;
  try {
    dir = statSync(abs).isDirectory();
  } catch {
    return false;
  }
  if (!dir) return /\.(jsonl|ndjson|csv)$/i.test(abs);
  for (const folder of readdirSync(abs).filter((n) => !isIgnoredEntry(n))) {
    const p = join(abs, folder);
    if (statSync(p).isDirectory() && listTxt(p).length > 0) return true;
  }
  return false;
}

/**
 * Unlabelled texts at `path`, for a text OOD set or outlier file: every `.txt` file below a folder (one
 * text each, sorted by path), the `text` field of each JSONL line or CSV record (labels not needed), or
 * otherwise a UTF-8 file's non-empty lines. All through {@link readUserText}.
 *
 * @throws {DatasetError} `unreadable`, `bad_encoding`, `empty` (no texts), `bad_value` (a JSONL line
 *   without a string `text`), `bad_header` (a CSV without a `text` column)
 */
export function readTexts(path: string): string[] {
  const abs = resolve(path);
  let texts: string[];
  if (statOrThrow(abs).isDirectory()) texts = listTxt(abs).map((f) => readUserText(f));
  else {
    const ext = extname(abs).toLowerCase();
    const text = readUserText(abs);
    if (ext === '.jsonl' || ext === '.ndjson') {
      texts = jsonLines(abs, text, (row, where) =>
        fieldOf((row ?? {}) as Record<string, unknown>, 'text', where, abs),
      );
    } else if (ext === '.csv') {
      const records = csvRecords(abs, text);
      if (records.length > 0 && !('text' in records[0])) {
        throw new DatasetError('bad_header', `${abs} has no "text" column`, { path: abs });
      }
      texts = records.map((r) => r.text).filter((t) => t !== '');
    } else texts = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  }
  if (texts.length === 0) throw new DatasetError('empty', `${abs} holds no texts`, { path: abs });
  return texts;
}
