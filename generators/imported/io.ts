import type { ImportedImageManifest, ImportedIo, OutputRange } from '../manifest.js';

/** Element types an imported model's inputs may have (what ONNX Runtime and TF.js both name so). */
export type IoDtype = 'float32' | 'int32' | 'int64' | 'float64' | 'bool' | string;

/** One input or output of a model as the model itself describes it; `null`/string dims are dynamic. */
export interface TensorInfo {
  name: string;
  dtype: IoDtype;
  shape: (number | string | null)[] | undefined;
}

/** A model's own description of its inputs and outputs (from its metadata, never guessed). */
export interface ModelSignature {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** A tensor to feed, runtime-neutral: the runtimes turn it into theirs. */
export interface Feed {
  name: string;
  dtype: 'float32' | 'int32' | 'int64';
  shape: number[];
  data: Float32Array | Int32Array;
}

/** The raw output a runtime returned: its values (as float32) and dims. */
export interface RawOutput {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * A loaded imported model: runs one forward pass on named feeds, returns the named output.
 * Implemented by ONNX Runtime (onnx.ts) and TF.js (tfjs.ts).
 */
export interface ImportedRuntime {
  readonly signature: ModelSignature;
  /** Runs the model on `feeds` and returns output `output`. @throws when the model rejects the feeds */
  run(feeds: readonly Feed[], output: string): Promise<RawOutput>;
  dispose(): Promise<void>;
}

/** `name [d0, d1] dtype` for every tensor: what error messages list when flags and model disagree. */
export function describeTensors(infos: readonly TensorInfo[]): string {
  return infos
    .map((t) => `${t.name} [${(t.shape ?? ['?']).map((d) => d ?? '?').join(', ')}] ${t.dtype}`)
    .join('; ');
}

/**
 * The feeds of one batch of n rows: the latent `[n, ...latent.shape]` (float32), the class as one-hot
 * `[n, K]` float32 or indices `[n]` in the input's integer type, and each constant broadcast over the
 * input's shape (its dynamic dims taken as n). `z` holds n·latentDim values, `classes` n indices.
 */
export function buildFeeds(
  io: ImportedIo,
  signature: ModelSignature,
  numClasses: number,
  z: Float32Array,
  classes: Int32Array | undefined,
  n: number,
): Feed[] {
  const feeds: Feed[] = [{ name: io.latent.name, dtype: 'float32', shape: [n, ...io.latent.shape], data: z }];
  if (io.class) {
    if (!classes) throw new Error(`model input ${io.class.name} needs a class per row`);
    if (io.class.encoding === 'one-hot') {
      const hot = new Float32Array(n * numClasses);
      for (let i = 0; i < n; i++) hot[i * numClasses + classes[i]] = 1;
      feeds.push({ name: io.class.name, dtype: 'float32', shape: [n, numClasses], data: hot });
    } else {
      const info = signature.inputs.find((t) => t.name === io.class?.name);
      const dtype = info?.dtype === 'int64' ? 'int64' : info?.dtype === 'float32' ? 'float32' : 'int32';
      const data = dtype === 'float32' ? Float32Array.from(classes) : Int32Array.from(classes);
      feeds.push({ name: io.class.name, dtype, shape: [n], data });
    }
  }
  for (const [name, value] of Object.entries(io.constants)) {
    const info = signature.inputs.find((t) => t.name === name);
    const shape = (info?.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : n));
    const size = shape.reduce((a, b) => a * b, 1);
    const dtype = info?.dtype === 'int64' ? 'int64' : info?.dtype === 'int32' ? 'int32' : 'float32';
    const data = dtype === 'float32' ? new Float32Array(size).fill(value) : new Int32Array(size).fill(value);
    feeds.push({ name, dtype, shape, data });
  }
  return feeds;
}

/** Rows leave the model in one of these problems; each message names the model's actual output. */
export class OutputCheckError extends Error {}

/**
 * Turns a raw output of n rows into row-major H×W×C values in [0, 1] (clipped), reading the declared
 * layout and range. With `strict`, a value that is not finite or lies outside the declared range (by
 * more than 0.1% of its span) is an {@link OutputCheckError}: the import's test forward pass.
 * @throws {OutputCheckError} when the output's size does not match n×H×W×C
 */
export function outputToUnit(
  raw: RawOutput,
  manifest: Pick<ImportedImageManifest, 'io' | 'shape' | 'id'>,
  n: number,
  strict = false,
): Float32Array {
  const [h, w, c] = manifest.shape;
  const { layout, range, name } = manifest.io.output;
  const row = h * w * c;
  const dims = [...raw.dims];
  const expected = layout === 'NCHW' ? [n, c, h, w] : layout === 'NHWC' ? [n, h, w, c] : [n, row];
  const sizeOk = raw.data.length === n * row && dims[0] === n;
  const dimsOk = layout === 'flat' ? sizeOk : sizeOk && dims.join(',') === expected.join(',');
  if (!dimsOk) {
    throw new OutputCheckError(
      `output ${name} has shape [${dims.join(', ')}], but ${layout} rows of ${h}×${w}×${c} need [${expected.join(', ')}] (set the output shape/layout to match)`,
    );
  }
  const [lo, hi] = range as OutputRange;
  const span = hi - lo;
  if (strict) checkValues(raw.data, name, lo, hi, span);
  const out = new Float32Array(n * row);
  if (layout === 'NCHW') {
    // [n, C, H, W] → [n, H, W, C]
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        for (let p = 0; p < h * w; p++) {
          out[i * row + p * c + ch] = unit(raw.data[i * row + ch * h * w + p], lo, span);
        }
      }
    }
  } else {
    for (let k = 0; k < out.length; k++) out[k] = unit(raw.data[k], lo, span);
  }
  return out;
}

function unit(x: number, lo: number, span: number): number {
  const u = (x - lo) / span;
  return Math.min(Math.max(u, 0), 1);
}

function checkValues(data: Float32Array, name: string, lo: number, hi: number, span: number): void {
  const slack = span * 1e-3;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < data.length; k++) {
    const x = data[k];
    if (!Number.isFinite(x))
      throw new OutputCheckError(`output ${name} has a non-finite value (${x}) at element ${k}`);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min < lo - slack || max > hi + slack) {
    throw new OutputCheckError(
      `output ${name} has values in [${min.toPrecision(4)}, ${max.toPrecision(4)}], outside the declared range [${lo}, ${hi}] (set the output range to match)`,
    );
  }
}
