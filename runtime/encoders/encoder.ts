/**
 * A batch of image rows as a generator yields them (structurally `generators/cgan`'s `ImageBatch`;
 * written here so the encoders sit below the generators).
 */
export interface ImageRows {
  /** Index of the first row in the request's numbering (`start`-based). */
  start: number;
  count: number;
  /** count×H×W×C: uint8 0..255, or float32 in [0, 1]. */
  data: Uint8Array | Float32Array;
  /** count class indices. */
  classes: Int32Array;
}

/** What an encoder needs to know about the rows before the first one is generated. */
export interface ImageBodySpec {
  count: number;
  rowShape: readonly [number, number, number];
  dtype: 'uint8' | 'float32';
  /** Class names in label order (for NDJSON `label` and PNG captions). */
  labels: readonly string[];
  /** Written into formats that carry metadata (safetensors). */
  metadata: { model: string; digest: string; seed: number; start: number; sigma2: number };
}

/** What the text encoder needs to know before the first row is generated. */
export interface TextBodySpec {
  /** Class names in label order (for the NDJSON `label`). */
  labels: readonly string[];
}

/**
 * Turns generated batches into the bytes of one response format. `head()` once, `batch()` per batch in
 * order, `end()` once; each returns the chunks to send (possibly none). Row bytes never depend on how
 * rows were batched, so `start = k` bodies and cached bodies match generated ones byte for byte.
 */
export interface BatchEncoder<B = ImageRows> {
  readonly contentType: string;
  /** Exact body size when it is known before generating (fixed-size formats), for `Content-Length`. */
  readonly contentLength?: number;
  head(): Uint8Array[];
  batch(batch: B): Uint8Array[];
  end(): Uint8Array[];
}

/** Bytes of one row. */
export function rowBytes(spec: ImageBodySpec): number {
  const [h, w, c] = spec.rowShape;
  return h * w * c * (spec.dtype === 'float32' ? 4 : 1);
}
