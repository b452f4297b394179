import { StoreKeyError } from './errors.js';

/** Segments with this prefix are the file store's temp and metadata files. */
export const RESERVED_SEGMENT_PREFIX = '.goe-';

/** S3's limit on key length, applied to every store so that keys work in all of them. */
const MAX_KEY_BYTES = 1024;

/**
 * Checks that `key` is a store key and returns it: a relative `/`-separated path with no
 * empty, `.` or `..` segments, no backslash or control characters, no segment starting with
 * `.goe-`, at most 1024 UTF-8 bytes. The same rules apply to every store, so a key that works
 * on the local directory works on S3 and cannot escape the store's root.
 *
 * @throws {StoreKeyError} naming the key and the rule it breaks.
 */
export function assertKey(key: string): string {
  const reason = keyProblem(key);
  if (reason !== undefined) throw new StoreKeyError(key, reason);
  return key;
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `expected a string, got ${typeof key}`;
  if (key === '') return 'empty';
  if (key.startsWith('/')) return 'absolute (leading /)';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\\')) return 'contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject.
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  for (const segment of key.split('/')) {
    if (segment === '') return 'empty segment';
    if (segment === '.' || segment === '..') return `'${segment}' segment`;
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX))
      return `segment starts with reserved '${RESERVED_SEGMENT_PREFIX}'`;
  }
  return undefined;
}
