import { createHash } from 'node:crypto';

/** `sha256:<hex>` of bytes: the digest manifests record for weights and vocabularies, and the API's ETag builds on. */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
