import type { Context } from 'hono';
import type { ResponseCache } from '../cache/index.js';
import { encodeBatches, imageEncoder } from '../encoders/index.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';
import type { Logger } from '../log.js';
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
  const headers = new Headers({
    'Content-Type': encoder.contentType,
    ETag: plan.etag,
    'Goe-Seed': String(plan.seed),
    'Goe-Start': String(plan.start),
    'Goe-Count': String(plan.count),
    'Goe-Model-Digest': manifest.weights.digest,
    'Goe-Row-Shape': plan.rowShape.join(','),
    'Goe-Dtype': plan.dtype,
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
  const estimate = encoder.contentLength ?? plan.count * rowSize(plan) * 2;
  const cacheable = plan.fixedSeed && deps.cache !== undefined && estimate <= deps.cache.maxBytes;
  if (c.req.method === 'HEAD') {
    headers.set('Goe-Cache', cacheable ? 'miss' : 'bypass');
    if (encoder.contentLength !== undefined) headers.set('Content-Length', String(encoder.contentLength));
    return new Response(null, { status: 200, headers });
  }
  c.set('streaming', true);
  const generate = () =>
    encodeBatches(
      deps.pool.sampleImages(manifest.id, {
        sigma2: plan.sigma2,
        classes: plan.classes,
        seed: plan.seed,
        start: plan.start,
        count: plan.count,
        dtype: plan.dtype,
      }),
      encoder,
      {
        signal: c.req.raw.signal,
        onError: (error) =>
          deps.log('error', 'generation failed mid-body', {
            ...fields,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      },
    );
  if (encoder.contentLength !== undefined) headers.set('Content-Length', String(encoder.contentLength));
  if (!cacheable || !deps.cache) {
    headers.set('Goe-Cache', 'bypass');
    return new Response(generate(), { status: 200, headers });
  }
  const found = await deps.cache.lookup(plan.etag, fields);
  if (found.kind === 'hit') {
    headers.set('Goe-Cache', 'hit');
    headers.set('Content-Length', String(found.bytes));
    return new Response(found.body, { status: 200, headers });
  }
  if (found.kind === 'unavailable') {
    headers.set('Goe-Cache', 'bypass');
    return new Response(generate(), { status: 200, headers });
  }
  headers.set('Goe-Cache', 'miss');
  return new Response(deps.cache.tee(plan.etag, generate(), encoder.contentType, fields), {
    status: 200,
    headers,
  });
}

/** `If-None-Match` (a list of entity tags, or `*`) names `etag`; weak comparison, as RFC 9110 §13.1.2 says. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function rowSize(plan: OutlierPlan): number {
  const [h, w, c] = plan.rowShape;
  return h * w * c * (plan.dtype === 'float32' ? 4 : 1);
}
