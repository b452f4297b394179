import { createHash, randomInt } from 'node:crypto';
import type { GeneratorManifest } from '../../generators/manifest.js';
import { resolveClasses } from '../../generators/registry.js';
import { type FieldError, problem } from '../problems.js';
import type { OutlierFormat, OutlierRequest } from '../validation/index.js';

/** Limits a plan is checked against. */
export interface PlanLimits {
  /** Largest `count` (GOE_MAX_COUNT). */
  maxCount: number;
  /** Largest `count` of a PNG preview grid. */
  pngMaxCount: number;
}

/** A request resolved against its generator: every default filled in, every check passed. */
export interface OutlierPlan {
  manifest: GeneratorManifest;
  format: OutlierFormat;
  /** Class indices, in the order the sampler maps its uniform draw onto them. */
  classes: number[];
  sigma2: number;
  count: number;
  seed: number;
  /** Whether the client chose the seed (only then is the response cacheable). */
  fixedSeed: boolean;
  start: number;
  dtype: 'uint8' | 'float32';
  rowShape: readonly [number, number, number];
  backend: string;
  /** Strong ETag, quoted: sha256 of the canonical request + generator digest + backend. */
  etag: string;
}

/** Rows per request when `count` is absent. */
export const DEFAULT_COUNT = 256;

// Bump when the bytes of any format change for the same rows, so old cached objects and ETags retire.
const ENCODING_VERSION = 1;

/**
 * Resolves a schema-valid request against the generator's manifest: defaults, applicability, class
 * names, ranges and limits — each failure a 4xx problem. `manifest` undefined means no such model.
 * @throws {ProblemError}
 */
export function planOutliers(
  req: OutlierRequest,
  manifest: GeneratorManifest | undefined,
  format: OutlierFormat,
  backend: string,
  limits: PlanLimits,
): OutlierPlan {
  if (!manifest) throw problem('unknown-model', `no generator "${clip(req.model)}" (see GET /models)`);
  if (manifest.modality !== 'image') {
    // Text generators have their own manifest kind; this service does not serve them yet.
    throw new Error(
      `generator ${manifest.id} has modality ${String(manifest.modality)}, which is not served`,
    );
  }
  if (req.temperature !== undefined) {
    throw problem(
      'parameter-not-applicable',
      `temperature applies to text models; ${manifest.id} is an image model (use sigma2)`,
      { errors: [{ path: '/temperature', message: 'not applicable to an image model' }] },
    );
  }
  // `+ 0` turns −0 (which passes `minimum: 0`) into 0, so both spell the same request and the same bytes.
  const sigma2 = (req.sigma2 ?? manifest.defaultSigma2) + 0;
  const [lo, hi] = manifest.sigma2Range;
  if (sigma2 < lo || sigma2 > hi) {
    throw problem('invalid-request', `sigma2 ${sigma2} is outside ${manifest.id}'s range [${lo}, ${hi}]`, {
      errors: [{ path: '/sigma2', message: `must be within [${lo}, ${hi}]` }],
    });
  }
  const classes = planClasses(req.classes, manifest.classes);
  const count = req.count ?? DEFAULT_COUNT;
  if (count > limits.maxCount) {
    throw problem('count-over-limit', `count ${count} is over this server's limit of ${limits.maxCount}`, {
      errors: [{ path: '/count', message: `must be <= ${limits.maxCount}` }],
    });
  }
  if (format === 'png' && count > limits.pngMaxCount) {
    throw problem(
      'count-over-limit',
      `a png preview holds at most ${limits.pngMaxCount} rows, not ${count}; use npy or ndjson`,
      { errors: [{ path: '/count', message: `must be <= ${limits.pngMaxCount} for png` }] },
    );
  }
  const start = req.start ?? 0;
  if (count - 1 > Number.MAX_SAFE_INTEGER - start) {
    throw problem('invalid-request', 'start + count - 1 must be at most 2^53 - 1', {
      errors: [
        { path: '/start', message: `must be <= ${Number.MAX_SAFE_INTEGER - count + 1} for count ${count}` },
      ],
    });
  }
  const fixedSeed = req.seed !== undefined;
  const seed = req.seed ?? randomInt(0, 2 ** 32);
  // A PNG grid is drawn from uint8 pixels whatever dtype says.
  const dtype = format === 'png' ? 'uint8' : (req.dtype ?? 'uint8');
  const canonical = {
    v: ENCODING_VERSION,
    model: manifest.id,
    digest: manifest.weights.digest,
    backend,
    format,
    dtype,
    classes,
    sigma2,
    seed,
    start,
    count,
  };
  const etag = `"${createHash('sha256').update(JSON.stringify(canonical)).digest('hex')}"`;
  return {
    manifest,
    format,
    classes,
    sigma2,
    count,
    seed,
    fixedSeed,
    start,
    dtype,
    rowShape: manifest.shape,
    backend,
    etag,
  };
}

/** Class names/indices → indices, naming every unknown one (`unknown-class`, 422). */
function planClasses(spec: OutlierRequest['classes'], names: readonly string[]): number[] {
  if (!spec) return resolveClasses(undefined, names);
  const errors: FieldError[] = [];
  spec.forEach((item, i) => {
    try {
      resolveClasses([item], names);
    } catch (err) {
      errors.push({ path: `/classes/${i}`, message: (err as Error).message });
    }
  });
  if (errors.length > 0) {
    const shown =
      errors.length === 1 ? errors[0].message : `${errors.length} classes are not in the generator`;
    throw problem('unknown-class', clip(shown, 400), { errors: errors.slice(0, 32) });
  }
  return resolveClasses(spec, names);
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
