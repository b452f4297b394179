import type { Context } from 'hono';
import { textNdjsonEncoder } from '../../generators/lm/index.js';
import { imageEncoder } from '../../runtime/encoders/index.js';
import { WorkerCrashError } from '../../runtime/pool/index.js';
import type { ResponseCache } from '../cache/index.js';
import { type EncodeOptions, encodeBatches } from '../encoders/index.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';
import type { Logger } from '../log.js';
import { problem } from '../problems.js';
import type { OutlierPlan } from './plan.js';

/** What {@link respondOutliers} needs besides the plan. */
export interface RespondDeps {
  pool: GeneratorPool;
  cache?: ResponseCache;
  log: Logger;
  /** Whether keys are required (then shared caches must not store responses). */
  authenticated: boolean;
}

/**
 * The 200/304 response of a plan: headers first, then the body streamed from the cache (hit), or
 * generated and tee'd into it (miss), or generated only (bypass).
 */
export async function respondOutliers(
  c: Context<AppEnv>,
  plan: OutlierPlan,
  deps: RespondDeps,
): Promise<Response> {
  const { manifest } = plan;
  const fields = { requestId: c.get('requestId'), model: manifest.id };
  const body = plannedBody(plan, deps.pool);
  const headers = new Headers({
    'Content-Type': body.contentType,
    ETag: plan.etag,
    'Goe-Seed': String(plan.seed),
    'Goe-Start': String(plan.start),
    'Goe-Count': String(plan.count),
    'Goe-Model-Digest': manifest.weights.digest,
    // Text rows have neither a fixed shape nor an element type (the contract leaves both headers out).
    ...(plan.modality === 'image'
      ? { 'Goe-Row-Shape': plan.rowShape.join(','), 'Goe-Dtype': plan.dtype }
      : {}),
    'Goe-Backend': plan.backend,
    Vary: 'Accept',
    'Cache-Control': plan.fixedSeed
      ? `${deps.authenticated ? 'private' : 'public'}, max-age=31536000, immutable`
      : 'no-store',
  });
  if (plan.fixedSeed && matchesEtag(c.req.header('if-none-match'), plan.etag)) {
    headers.delete('Content-Type');
    return new Response(null, { status: 304, headers });
  }
  const estimate = body.contentLength ?? plan.count * body.rowBytesEstimate;
  const cacheable = plan.fixedSeed && deps.cache !== undefined && estimate <= deps.cache.maxBytes;
  if (c.req.method === 'HEAD') {
    headers.set('Goe-Cache', cacheable ? 'miss' : 'bypass');
    if (body.contentLength !== undefined) headers.set('Content-Length', String(body.contentLength));
    return new Response(null, { status: 200, headers });
  }
  const generate = async () => {
    try {
      return await body.open({
        signal: c.req.raw.signal,
        onError: (error) =>
          deps.log('error', 'generation failed mid-body', {
            ...fields,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      });
    } catch (error) {
      // Before the first byte: still an error response. The worker is replaced; a retry may succeed.
      if (error instanceof WorkerCrashError) {
        deps.log('error', 'compute worker died', { ...fields, error: error.message });
        throw problem(
          'internal-error',
          `a compute worker died while generating these rows; it has been replaced, retry (request id ${fields.requestId})`,
        );
      }
      throw error;
    }
  };
  if (body.contentLength !== undefined) headers.set('Content-Length', String(body.contentLength));
  if (!cacheable || !deps.cache) {
    headers.set('Goe-Cache', 'bypass');
    return streaming(c, await generate(), headers);
  }
  const found = await deps.cache.lookup(plan.etag, fields);
  if (found.kind === 'hit') {
    headers.set('Goe-Cache', 'hit');
    headers.set('Content-Length', String(found.bytes));
    return streaming(c, found.body, headers);
  }
  if (found.kind === 'unavailable') {
    headers.set('Goe-Cache', 'bypass');
    return streaming(c, await generate(), headers);
  }
  headers.set('Goe-Cache', 'miss');
  const generated = await generate();
  return streaming(c, deps.cache.tee(plan.etag, generated, body.contentType, fields), headers);
}

/** A 200 whose body streams: the concurrency limit holds its slot until the body has been sent or cut. */
function streaming(c: Context<AppEnv>, body: ReadableStream<Uint8Array>, headers: Headers): Response {
  c.set('streaming', true);
  return new Response(body, { status: 200, headers });
}

/** `If-None-Match` (a list of entity tags, or `*`) names `etag`; weak comparison, as RFC 9110 §13.1.2 says. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** A plan's body before any row exists: its media type, its size when known, and how to generate it. */
interface PlannedBody {
  contentType: string;
  /** Exact size when the format fixes it before generating. */
  contentLength?: number;
  /** Generous bytes per row, for judging whether a body of unknown size fits the cache. */
  rowBytesEstimate: number;
  /**
   * A fresh stream of the body's bytes, generated as it is read. Resolves once the first batch is
   * computed, so a failure there (a compute worker that died) is still an error response, not a cut body.
   */
  open(options: EncodeOptions): Promise<ReadableStream<Uint8Array>>;
}

/**
 * `source` with its first batch already computed, so that its failure comes before any header is sent.
 * @throws whatever computing the first batch throws ({@link WorkerCrashError} when a worker died)
 */
async function primed<B>(source: AsyncGenerator<B>): Promise<AsyncGenerator<B>> {
  const first = await source.next();
  return (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      yield* source;
    } finally {
      // Reached on return() too: a reader that left stops the source within one batch.
      await source.return(undefined);
    }
  })();
}

/** The body of `plan`: its encoder over the pool's sampler for the plan's modality. */
function plannedBody(plan: OutlierPlan, pool: GeneratorPool): PlannedBody {
  const { manifest } = plan;
  const sampled = { classes: plan.classes, seed: plan.seed, start: plan.start, count: plan.count };
  if (plan.modality === 'text') {
    const encoder = textNdjsonEncoder({ labels: manifest.classes });
    return {
      contentType: encoder.contentType,
      // A token id is ≤ 6 digits plus a comma, a word ≈ 8 characters, JSON-escaped text a few more.
      rowBytesEstimate: 128 + plan.length * 32,
      open: async (options) =>
        encodeBatches(
          await primed(pool.sampleTexts(manifest.id, { ...sampled, temperature: plan.temperature })),
          encoder,
          options,
        ),
    };
  }
  const encoder = imageEncoder(plan.format, {
    count: plan.count,
    rowShape: plan.rowShape,
    dtype: plan.dtype,
    labels: manifest.classes,
    metadata: {
      model: manifest.id,
      digest: manifest.weights.digest,
      seed: plan.seed,
      start: plan.start,
      sigma2: plan.sigma2,
    },
  });
  const [h, w, c] = plan.rowShape;
  return {
    contentType: encoder.contentType,
    contentLength: encoder.contentLength,
    rowBytesEstimate: h * w * c * (plan.dtype === 'float32' ? 4 : 1) * 2,
    open: async (options) =>
      encodeBatches(
        await primed(pool.sampleImages(manifest.id, { ...sampled, sigma2: plan.sigma2, dtype: plan.dtype })),
        encoder,
        options,
      ),
  };
}
