import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.js';
import { problem } from '../problems.js';

/**
 * Reads a request body once, up to `maxBytes`, into `c.get('body')`; a larger one (by `Content-Length`
 * or by counting, for chunked uploads) is a 413 `body-too-large` without reading the rest.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new Error('bodyLimit needs an integer maxBytes >= 0');
  const tooLarge = () => problem('body-too-large', `the request body is over the limit of ${maxBytes} bytes`);
  return async function bodyLimitMiddleware(c, next) {
    const raw = c.req.raw;
    if (raw.method === 'GET' || raw.method === 'HEAD' || !raw.body) {
      c.set('body', new Uint8Array(0));
      return next();
    }
    const declared = Number(c.req.header('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
    const reader = raw.body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw problem('malformed-json', 'the request body could not be read to its end');
      }
      const { done, value } = chunk;
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        throw tooLarge();
      }
      parts.push(value);
    }
    c.set('body', Buffer.concat(parts));
    return next();
  };
}
