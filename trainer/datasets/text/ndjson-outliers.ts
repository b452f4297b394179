import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DatasetError } from '../errors.js';

/**
 * The `text` field of every row of an NDJSON file written by `goe sample` or the API (one JSON object per
 * line). Text, not token ids, so outliers from any model read through the classifier's own vocabulary.
 *
 * @throws {DatasetError} `unreadable` for a missing file, `bad_value` naming the first bad line
 */
export async function readNdjsonTexts(path: string): Promise<string[]> {
  const out: string[] = [];
  let n = 0;
  try {
    for await (const line of createInterface({
      input: createReadStream(path, 'utf8'),
      crlfDelay: Infinity,
    })) {
      n++;
      if (!line.trim()) continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new DatasetError('bad_value', `${path}:${n} is not JSON`, { path });
      }
      const text = (row as { text?: unknown }).text;
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
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError('unreadable', `cannot read ${path}: ${(err as Error).message}`, { path });
  }
  if (out.length === 0) throw new DatasetError('empty', `${path} has no rows`, { path });
  return out;
}
