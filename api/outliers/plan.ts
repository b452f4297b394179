import { createHash, randomInt } from 'node:crypto';
import {
  type GeneratorManifest,
  type ImageGeneratorManifest,
  samplingSetting,
  type TextGeneratorManifest,
} from '../../generators/manifest.js';
import { resolveClasses } from '../../generators/registry.js';
import { NPZ_MAX_BYTES, npzByteLength } from '../../runtime/codecs/index.js';
import { type FieldError, problem } from '../problems.js';
import type { OutlierFormat, OutlierRequest } from '../validation/index.js';

/** Limits a plan is checked against. */
export interface PlanLimits {
  /** Largest `count` (GOE_MAX_COUNT). */
  maxCount: number;
  /** Largest `count` of a PNG preview grid. */
  pngMaxCount: number;
}

/** What every plan holds, whatever the modality. */
interface PlanRows {
  format: OutlierFormat;
  /** Class indices, in the order the sampler maps its uniform draw onto them. */
  classes: number[];
  count: number;
  seed: number;
  /** Whether the client chose the seed (only then is the response cacheable). */
  fixedSeed: boolean;
  start: number;
  backend: string;
  /** Strong ETag, quoted: sha256 of the canonical request + generator digest + backend. */
  etag: string;
}

/** A request to an image generator, resolved: σ², dtype and row shape. */
export interface ImageOutlierPlan extends PlanRows {
  modality: 'image';
  manifest: ImageGeneratorManifest;
  sigma2: number;
  dtype: 'uint8' | 'float32';
  rowShape: readonly [number, number, number];
}

/** A request to a language model, resolved: temperature and tokens per row. */
export interface TextOutlierPlan extends PlanRows {
  modality: 'text';
  manifest: TextGeneratorManifest;
  temperature: number;
  /** Tokens per row (the model's trained length). */
  length: number;
}

/** A request resolved against its generator: every default filled in, every check passed. */
export type OutlierPlan = ImageOutlierPlan | TextOutlierPlan;

/** Rows per request when `count` is absent. */
export const DEFAULT_COUNT = 256;

/** The formats each modality is served in; text rows exist only as NDJSON. */
export const SERVED_FORMATS: Readonly<Record<GeneratorManifest['modality'], readonly OutlierFormat[]>> = {
  image: ['npy', 'npz', 'safetensors', 'ndjson', 'png'],
  text: ['ndjson'],
};

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
  if (manifest.modality === 'text') return planText(req, manifest, format, backend, limits);
  if (manifest.modality === 'image') return planImages(req, manifest, format, backend, limits);
  // A zoo entry of a kind this build does not know: the server's fault, not the request's.
  const unknown = manifest as { id: string; modality: unknown };
  throw new Error(`generator ${unknown.id} has modality ${String(unknown.modality)}, which is not served`);
}

/** σ² or T of a request, or a 400 naming the field and the model's range. */
function checkedSetting(manifest: GeneratorManifest, requested: number | undefined): number {
  const { name, value, range, ok } = samplingSetting(manifest, requested);
  if (!ok) {
    const [lo, hi] = range;
    throw problem('invalid-request', `${name} ${value} is outside ${manifest.id}'s range [${lo}, ${hi}]`, {
      errors: [{ path: `/${name}`, message: `must be within [${lo}, ${hi}]` }],
    });
  }
  return value;
}

function planImages(
  req: OutlierRequest,
  manifest: ImageGeneratorManifest,
  format: OutlierFormat,
  backend: string,
  limits: PlanLimits,
): ImageOutlierPlan {
  if (req.temperature !== undefined) {
    throw problem(
      'parameter-not-applicable',
      `temperature applies to text models; ${manifest.id} is an image model (use sigma2)`,
      { errors: [{ path: '/temperature', message: 'not applicable to an image model' }] },
    );
  }
  // −0 (which passes `minimum: 0`) comes back as 0: both spell the same request and the same bytes.
  const sigma2 = checkedSetting(manifest, req.sigma2);
  if (manifest.classes.length === 0 && req.classes !== undefined) {
    throw problem(
      'parameter-not-applicable',
      `classes applies to class-conditional models; ${manifest.id} is unconditional (its rows carry no class)`,
      { errors: [{ path: '/classes', message: 'not applicable to an unconditional model' }] },
    );
  }
  const rows = planRows(req, manifest, format, limits);
  // A PNG grid is drawn from uint8 pixels whatever dtype says.
  const dtype = format === 'png' ? 'uint8' : (req.dtype ?? 'uint8');
  if (format === 'npz') checkNpzSize(rows.count, manifest.shape, dtype);
  // Key order is part of the ETag: keep it as it was when image ETags were first issued.
  const etag = etagOf({
    v: ENCODING_VERSION,
    model: manifest.id,
    digest: manifest.weights.digest,
    backend,
    format,
    dtype,
    classes: rows.classes,
    sigma2,
    seed: rows.seed,
    start: rows.start,
    count: rows.count,
    // How an imported model is fed and read is part of its rows (undefined, so absent, for the cGAN).
    io: manifest.kind === 'imported' ? manifest.io : undefined,
  });
  return {
    modality: 'image',
    manifest,
    format,
    ...rows,
    sigma2,
    dtype,
    rowShape: manifest.shape,
    backend,
    etag,
  };
}

function planText(
  req: OutlierRequest,
  manifest: TextGeneratorManifest,
  format: OutlierFormat,
  backend: string,
  limits: PlanLimits,
): TextOutlierPlan {
  for (const field of ['sigma2', 'dtype'] as const) {
    if (req[field] !== undefined) {
      throw problem(
        'parameter-not-applicable',
        `${field} applies to image models; ${manifest.id} is a text model${field === 'sigma2' ? ' (use temperature)' : ''}`,
        { errors: [{ path: `/${field}`, message: 'not applicable to a text model' }] },
      );
    }
  }
  if (!SERVED_FORMATS.text.includes(format)) {
    throw problem(
      'not-acceptable',
      `${manifest.id} is a text model: its rows are served as ndjson (application/x-ndjson) only, not ${format}`,
      { errors: [{ path: '/format', message: 'must be ndjson for a text model' }] },
    );
  }
  const temperature = checkedSetting(manifest, req.temperature);
  const rows = planRows(req, manifest, format, limits);
  const etag = etagOf({
    v: ENCODING_VERSION,
    model: manifest.id,
    digest: manifest.weights.digest,
    // The text of a row is decoded with the vocabulary: a new vocabulary is new content.
    vocab: manifest.vocab.digest,
    backend,
    format,
    classes: rows.classes,
    temperature,
    length: manifest.length,
    seed: rows.seed,
    start: rows.start,
    count: rows.count,
  });
  return {
    modality: 'text',
    manifest,
    format,
    ...rows,
    temperature,
    length: manifest.length,
    backend,
    etag,
  };
}

/** An `.npz` body is a ZIP without ZIP64: all of it must fit 4 GiB. */
function checkNpzSize(count: number, rowShape: readonly number[], dtype: 'uint8' | 'float32'): void {
  if (npzByteLength({ count, rowShape, dtype, start: 0 }) <= NPZ_MAX_BYTES) return;
  throw problem(
    'count-over-limit',
    `an npz body of ${count} rows of ${rowShape.join('×')} ${dtype} would pass 4 GiB (no ZIP64); use npy or fewer rows`,
    { errors: [{ path: '/count', message: 'too many rows for one npz body' }] },
  );
}

/** Classes, count, start and seed: the checks every modality shares. */
function planRows(
  req: OutlierRequest,
  manifest: GeneratorManifest,
  format: OutlierFormat,
  limits: PlanLimits,
): Pick<PlanRows, 'classes' | 'count' | 'seed' | 'fixedSeed' | 'start'> {
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
  return { classes, count, seed, fixedSeed, start };
}

function etagOf(canonical: Record<string, unknown>): string {
  return `"${createHash('sha256').update(JSON.stringify(canonical)).digest('hex')}"`;
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
