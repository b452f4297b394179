import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.js';
import { problem } from '../problems.js';

// An over-large body up to this size is read and dropped before the 413 goes out: a client still
// uploading when the server answers and closes sees a reset ("other side closed"), not the problem.
const DRAIN_BYTES = 1024 * 1024;

/**
 * Reads a request body once, up to `maxBytes`, into `c.get('body')`; a larger one (by `Content-Length`
 * or by counting, for chunked uploads) is a 413 `body-too-large`. The rest of an over-large body is
 * drained up to 1 MiB so the client can read the answer; past that the connection is cut.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  if (!Number.isInteger(maxBytes) || maxBytes < 0)
    throw new Error('bodyLimit needs an integer maxBytes >= 0');
  const tooLarge = () => problem('body-too-large', `the request body is over the limit of ${maxBytes} bytes`);
  return async function bodyLimitMiddleware(c, next) {
    const raw = c.req.raw;
    if (raw.method === 'GET' || raw.method === 'HEAD' || !raw.body) {
      c.set('body', new Uint8Array(0));
      return next();
    }
    const declared = Number(c.req.header('content-length'));
    const reader = raw.body.getReader();
    if (Number.isFinite(declared) && declared > maxBytes + DRAIN_BYTES) {
      reader.cancel().catch(() => {});
      throw tooLarge();
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw problem('malformed-json', 'the request body could not be read to its end');
      }
      if (chunk.done) break;
      size += chunk.value.length;
      if (size > maxBytes + DRAIN_BYTES) {
        reader.cancel().catch(() => {});
        throw tooLarge();
      }
      if (size <= maxBytes) parts.push(chunk.value);
    }
    if (size > maxBytes) throw tooLarge();
    c.set('body', Buffer.concat(parts));
    return next();
  };
}
