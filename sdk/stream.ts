/**
 * `streamOutliers`: NDJSON rows of `POST /outliers`, decoded as they arrive and grouped into typed batches,
 * resuming a broken connection at the next row with the same seed (the contract makes rows k… of any
 * request equal rows k… of the full one), so the batches are identical to those of an unbroken stream.
 */
import { Batcher, type OutlierBatch, type OutlierRow } from './batch.js';
import { CodecError } from './codec-error.js';
import { GoeNetworkError, GoeProtocolError } from './errors.js';
import { type AsyncIterableStream, createAsyncIterableStream } from './iterable-stream.js';
import { NdjsonDecoder } from './ndjson.js';
import { networkMessage, type OutliersInfo, openOutliers } from './request.js';
import { backoffDelay, type RetryOptions, retryPolicy, sleep } from './retry.js';
import { createTransport, type GoeClientOptions, type GoeTransport } from './transport.js';
import type { OutlierRequest } from './types.js';

/** What a stream request takes: the `/outliers` fields except `format`, which is always `ndjson` here. */
export type StreamRequest = Omit<OutlierRequest, 'format'>;

/** How to stream. */
export interface StreamOptions {
  /** Rows per batch (default 256); the last batch holds the remainder. */
  batchSize?: number;
  /** Aborting it stops the request; the loop then throws the signal's reason. */
  signal?: AbortSignal;
  /** Backoff for 429/503, failed connections and resumes after a broken body; `false` turns it off. */
  retry?: RetryOptions | false;
}

/**
 * Batches of outliers, as an `AsyncIterable` and a `ReadableStream`. `info` holds the first response's
 * metadata (seed, ETag, generator digest, …) once it has arrived.
 */
export type OutlierStream = AsyncIterableStream<OutlierBatch> & {
  /** Metadata of the first response; undefined until the first batch was asked for and the headers came. */
  readonly info: OutliersInfo | undefined;
};

/**
 * Streams outliers in batches of `batchSize` rows over one transport (see `createGoeClient().streamOutliers`
 * and the stand-alone {@link streamOutliers}). Nothing is requested until the first batch is read.
 */
export function streamOutliersWith(
  transport: GoeTransport,
  request: StreamRequest,
  options: StreamOptions = {},
): OutlierStream {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
  if (typeof request?.model !== 'string') throw new TypeError('streamOutliers: request.model is required');
  const policy = retryPolicy(options.retry);
  let info: OutliersInfo | undefined;
  const stream = createAsyncIterableStream(
    (signal) =>
      batches(
        rows(transport, request, policy, signal, (i) => {
          info = i;
        }),
        batchSize,
      ),
    { signal: options.signal },
  );
  return Object.defineProperty(stream, 'info', { get: () => info, enumerable: true }) as OutlierStream;
}

/**
 * Streams outliers from a goe server: an async iterable (and `ReadableStream`) of typed batches, decoded
 * incrementally. A broken connection resumes at the next row with the same seed (the server's pick,
 * from `Goe-Seed`, when the request had none), so the batches are those of an unbroken stream; 429 and
 * 503 are retried with backoff honouring `Retry-After`; leaving the loop early aborts the request.
 * Errors are typed: `GoeApiError` subclasses per problem (e.g. `UnknownClassError`, with `param`
 * and `value`), `GoeNetworkError` when retries run out, `GoeProtocolError` for a malformed body.
 *
 * @example
 * ```ts
 * import { streamOutliers } from '@goe/sdk';
 *
 * const outliers = streamOutliers(
 *   { model: 'fashion-mnist-cgan', sigma2: 50, count: 10_000, seed: 7 },
 *   { baseUrl: 'http://127.0.0.1:8080', batchSize: 256 },
 * );
 * for await (const batch of outliers) {
 *   if (batch.kind !== 'image') continue;
 *   console.log(batch.shape, batch.classes[0], batch.labels[0]); // [256, 28, 28, 1] 3 'Dress'
 * }
 * ```
 */
export function streamOutliers(
  request: StreamRequest,
  options: StreamOptions & GoeClientOptions,
): OutlierStream {
  return streamOutliersWith(createTransport(options), request, options);
}

async function* batches(rows: AsyncIterable<OutlierRow>, batchSize: number): AsyncGenerator<OutlierBatch> {
  const batcher = new Batcher(batchSize);
  for await (const row of rows) {
    const batch = batcher.push(row);
    if (batch) yield batch;
  }
  const rest = batcher.flush();
  if (rest) yield rest;
}

/**
 * Rows `start … start+count−1`, across as many responses as it takes. Each response after a break asks
 * for `start = next row`, the same seed and the remaining count; a resume that brings at least one new
 * row resets the retry budget, so a long stream over a flaky link finishes while a dead server fails.
 */
async function* rows(
  transport: GoeTransport,
  request: StreamRequest,
  policy: ReturnType<typeof retryPolicy>,
  signal: AbortSignal,
  onInfo: (info: OutliersInfo) => void,
): AsyncGenerator<OutlierRow> {
  const first = request.start ?? 0;
  let total = request.count; // undefined: the server's default, learnt from Goe-Count
  let seed = request.seed;
  let digest: string | undefined;
  let next = first;
  let failures = 0;
  for (;;) {
    if (total !== undefined && next >= first + total) return;
    const part: OutlierRequest = {
      ...request,
      format: 'ndjson',
      start: next,
      ...(seed === undefined ? {} : { seed }),
      ...(total === undefined ? {} : { count: first + total - next }),
    };
    // 429/503 and refused connections are retried in there; what escapes is final.
    const opened = await openOutliers(transport, part, { format: 'ndjson', signal, retry: policy });
    if (next === first) onInfo(opened.info);
    if (seed === undefined) seed = opened.info.seed;
    total ??= opened.info.count;
    if (digest === undefined) digest = opened.info.modelDigest;
    else if (opened.info.modelDigest !== undefined && opened.info.modelDigest !== digest) {
      throw new GoeProtocolError(
        `the generator changed while resuming at row ${next}: ${digest} became ${opened.info.modelDigest}`,
      );
    }
    const progressAt = next;
    const decoder = new NdjsonDecoder<OutlierRow>();
    const reader = opened.body!.getReader();
    // Not every fetch errors a body already being read when its signal aborts (msw's mocked responses do
    // not): cancelling the reader ends a pending read at once, whatever the fetch implementation.
    const stopReading = () => reader.cancel(signal.reason).catch(() => undefined);
    signal.addEventListener('abort', stopReading, { once: true });
    let broken: unknown;
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          broken = err;
          break;
        }
        if (signal.aborted) throw signal.reason;
        if (chunk.done) break;
        for (const row of decode(() => decoder.push(chunk.value), next)) {
          if (row.index !== next) {
            throw new GoeProtocolError(`expected row ${next}, the server sent row ${row.index}`);
          }
          next += 1;
          yield row;
        }
      }
      if (broken === undefined) {
        // A body that ends inside a line was cut off; one that ends early lost rows. Both resume.
        try {
          for (const row of decode(() => decoder.end(), next)) {
            if (row.index !== next)
              throw new GoeProtocolError(`expected row ${next}, the server sent row ${row.index}`);
            next += 1;
            yield row;
          }
        } catch (err) {
          if (!(err instanceof CodecError && err.code === 'truncated')) throw err;
          broken = err;
        }
        if (broken === undefined && (total === undefined || next >= first + total)) return;
        broken ??= new Error(`the body ended after row ${next - 1} of ${first + (total ?? 0) - 1}`);
      }
    } finally {
      signal.removeEventListener('abort', stopReading);
      // Early exit (the consumer's `break`) lands here while suspended at `yield`: drop the body.
      reader.cancel().catch(() => undefined);
    }
    if (signal.aborted) throw signal.reason;
    if (seed === undefined) {
      throw new GoeProtocolError('the stream broke and cannot resume: the server sent no Goe-Seed', {
        cause: broken,
      });
    }
    if (next > progressAt) failures = 0;
    failures += 1;
    if (failures > policy.retries) {
      throw new GoeNetworkError(
        `the stream broke at row ${next} and did not recover: ${networkMessage(broken)}`,
        {
          cause: broken,
          attempts: failures,
        },
      );
    }
    const delayMs = backoffDelay(policy, failures);
    policy.onRetry?.({ attempt: failures, delayMs, reason: 'broken-stream', error: broken });
    await sleep(delayMs, signal);
  }
}

/** Runs a decoder step, turning malformed NDJSON into a protocol error (retrying would not fix it). */
function decode(step: () => OutlierRow[], next: number): OutlierRow[] {
  try {
    return step();
  } catch (err) {
    if (err instanceof CodecError && err.code !== 'truncated') {
      throw new GoeProtocolError(`row ${next}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
