/** How a response body ended: read to the end, cancelled by the reader, or failed. */
export type BodyOutcome = 'complete' | 'cancelled' | 'error';

/**
 * `response` with its body wrapped so that `done` runs exactly once when the body ends, with the bytes
 * read. A response without a body, or whose end need not be waited for (`skip`: not streamed, or a HEAD
 * response that will not be read), reports at once, with its `Content-Length` if it has one. The
 * wrapper pulls one chunk per read (no extra buffering), and cancelling it cancels the original body.
 */
export function onBodyDone(
  response: Response,
  done: (outcome: BodyOutcome, bytes: number | undefined) => void,
  skip = false,
): Response {
  if (!response.body || skip) {
    const length = response.headers.get('content-length');
    done('complete', response.body ? (length === null ? undefined : Number(length)) : 0);
    return response;
  }
  let finished = false;
  let bytes = 0;
  const finish = (outcome: BodyOutcome) => {
    if (finished) return;
    finished = true;
    done(outcome, bytes);
  };
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        try {
          const next = await reader.read();
          if (next.done) {
            c.close();
            finish('complete');
            return;
          }
          bytes += next.value.length;
          c.enqueue(next.value);
        } catch (error) {
          c.error(error);
          finish('error');
        }
      },
      cancel(reason) {
        finish('cancelled');
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
