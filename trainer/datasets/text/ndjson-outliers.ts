import { DatasetError } from '../errors.js';
import { readUserText } from '../user-text.js';

/**
 * The `text` field of every row of an NDJSON file written by `goe sample` or the API (one JSON object per
 * line). Text, not token ids, so outliers from any model read through the classifier's own vocabulary.
 * The file is read whole through {@link readUserText} (outlier pools are a few MB), so an encoding fault
 * is reported with its byte offset before any row is used.
 *
 * @throws {DatasetError} `unreadable` for a missing file, `bad_encoding`/`unsupported_format` for a file
 *   that is not UTF-8 text, `bad_value` naming the first bad line, `empty` for no rows
 */
export async function readNdjsonTexts(path: string): Promise<string[]> {
  const out: string[] = [];
  const lines = readUserText(path).split(/\r?\n/);
  for (let n = 1; n <= lines.length; n++) {
    const line = lines[n - 1];
    if (!line.trim()) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new DatasetError('bad_value', `${path}:${n} is not JSON`, { path });
    }
    const text = (row as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') {
      throw new DatasetError(
        'bad_value',
        `${path}:${n} has no "text" field (expected goe sample's text rows)`,
        {
          path,
        },
      );
    }
    out.push(text);
  }
  if (out.length === 0) throw new DatasetError('empty', `${path} has no rows`, { path });
  return out;
}
