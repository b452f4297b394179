import { StoreError } from './errors.js';
import { DEFAULT_CONTENT_TYPE, type PutOptions } from './store.js';

// S3 sends metadata as x-amz-meta-* headers: names must be header tokens, values printable ASCII.
const NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const VALUE = /^[\x20-\x7e]*$/;

/**
 * The content type and metadata a `put` stores: the default content type filled in, and
 * metadata names lower-cased, as S3 returns them — so every store reports the same `head`.
 *
 * @throws {StoreError} naming the entry, if a name or value cannot travel as an HTTP header.
 */
export function normalizeObjectInfo(options: PutOptions): {
  contentType: string;
  metadata: Record<string, string>;
} {
  const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
  if (!VALUE.test(contentType) || contentType === '') {
    throw new StoreError(`invalid content type ${JSON.stringify(contentType)}`);
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.metadata ?? {})) {
    const lower = name.toLowerCase();
    if (!NAME.test(lower) || typeof value !== 'string' || !VALUE.test(value)) {
      throw new StoreError(
        `invalid metadata entry ${JSON.stringify(name)}: ${JSON.stringify(value)} (names are header tokens, values printable ASCII)`,
      );
    }
    metadata[lower] = value;
  }
  return { contentType, metadata };
}
