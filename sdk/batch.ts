/**
 * Groups decoded NDJSON rows into typed batches of a fixed size, whatever the HTTP chunking and however
 * many responses (resumes) the rows came in. Image pixels are decoded from base64 straight into the
 * batch's typed array.
 */
import { base64Length, decodeBase64Into } from './base64.js';
import { GoeProtocolError } from './errors.js';
import type { ImageDtype, ImageRow, TextRow } from './types.js';

interface ImageBatchFields {
  kind: 'image';
  /** `[n, h, w, c]`. */
  shape: [number, number, number, number];
  /** Class index of each row. */
  classes: Int32Array;
  /** Class name of each row. */
  labels: string[];
  /**
   * Row index of each row in the request numbering (`start`-based). Float64 because the contract lets
   * `start + count` reach 2^53 − 1, past what an Int32Array holds.
   */
  indices: Float64Array;
}

/** n image rows, flat in C order (N×H×W×C): uint8 0…255, or float32 in [0, 1] when requested. */
export type ImageOutlierBatch =
  | (ImageBatchFields & { dtype: 'uint8'; data: Uint8Array })
  | (ImageBatchFields & { dtype: 'float32'; data: Float32Array });

/** n text rows: the text, its token ids, class and row index. */
export interface TextOutlierBatch {
  kind: 'text';
  texts: string[];
  tokens: Int32Array[];
  classes: Int32Array;
  labels: string[];
  /** Row index of each row (see {@link ImageOutlierBatch}'s `indices`). */
  indices: Float64Array;
}

/** One batch of a stream: `kind` says which. */
export type OutlierBatch = ImageOutlierBatch | TextOutlierBatch;

/** A decoded NDJSON row of either modality. */
export type OutlierRow = ImageRow | TextRow;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Accumulates rows; `push` returns a batch each time `batchSize` rows are in, `flush` the rest. */
export class Batcher {
  readonly #size: number;
  #kind: 'image' | 'text' | undefined;
  #n = 0;
  // image state, fixed by the first row
  #rowShape: [number, number, number] | undefined;
  #dtype: ImageDtype = 'uint8';
  #rowBytes = 0;
  #bytes: Uint8Array | undefined;
  #data: Uint8Array | Float32Array | undefined;
  // per-row fields
  #classes: Int32Array;
  #indices: Float64Array;
  #labels: string[] = [];
  #texts: string[] = [];
  #tokens: Int32Array[] = [];

  constructor(batchSize: number) {
    this.#size = batchSize;
    this.#classes = new Int32Array(batchSize);
    this.#indices = new Float64Array(batchSize);
  }

  /** Adds one row; returns a full batch when this row completed one. */
  push(row: OutlierRow): OutlierBatch | undefined {
    if (typeof row !== 'object' || row === null)
      throw new GoeProtocolError(`row is not an object: ${String(row)}`);
    const kind = 'text' in row ? 'text' : 'data' in row ? 'image' : undefined;
    if (kind === undefined) throw new GoeProtocolError(`row ${row.index} has neither "data" nor "text"`);
    if (this.#kind === undefined) this.#kind = kind;
    else if (kind !== this.#kind)
      throw new GoeProtocolError(`row ${row.index} is ${kind}, earlier rows were ${this.#kind}`);
    if (!Number.isInteger(row.class) || !Number.isInteger(row.index)) {
      throw new GoeProtocolError(`row ${row.index} has a bad "class" or "index"`);
    }
    if (kind === 'image') this.#pushImage(row as ImageRow);
    else this.#pushText(row as TextRow);
    this.#classes[this.#n] = row.class;
    this.#indices[this.#n] = row.index;
    this.#labels.push(row.label);
    this.#n += 1;
    return this.#n === this.#size ? this.#take() : undefined;
  }

  /** The rows that did not fill a batch, if any. */
  flush(): OutlierBatch | undefined {
    return this.#n === 0 ? undefined : this.#take();
  }

  #pushImage(row: ImageRow): void {
    if (this.#rowShape === undefined) {
      const { shape, dtype } = row;
      if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new GoeProtocolError(`row ${row.index} has shape ${JSON.stringify(shape)}, expected [h, w, c]`);
      }
      if (dtype !== 'uint8' && dtype !== 'float32') {
        throw new GoeProtocolError(`row ${row.index} has dtype ${JSON.stringify(dtype)}`);
      }
      this.#rowShape = [shape[0], shape[1], shape[2]];
      this.#dtype = dtype;
      this.#rowBytes = shape[0] * shape[1] * shape[2] * (dtype === 'float32' ? 4 : 1);
    } else if (row.dtype !== this.#dtype || `${row.shape}` !== `${this.#rowShape}`) {
      throw new GoeProtocolError(
        `row ${row.index} is ${row.dtype} [${row.shape}], earlier rows were ${this.#dtype} [${this.#rowShape}]`,
      );
    }
    if (this.#bytes === undefined) {
      const elements = (this.#size * this.#rowBytes) / (this.#dtype === 'float32' ? 4 : 1);
      this.#data = this.#dtype === 'float32' ? new Float32Array(elements) : new Uint8Array(elements);
      this.#bytes = new Uint8Array(this.#data.buffer);
    }
    if (typeof row.data !== 'string' || base64Length(row.data) !== this.#rowBytes) {
      throw new GoeProtocolError(`row ${row.index} does not hold ${this.#rowBytes} bytes of base64 data`);
    }
    const at = this.#n * this.#rowBytes;
    try {
      decodeBase64Into(row.data, this.#bytes, at);
    } catch (cause) {
      throw new GoeProtocolError(`row ${row.index}: ${(cause as Error).message}`, { cause });
    }
    // The wire is little-endian; a big-endian host reads float32 correctly only after a byte swap.
    if (this.#dtype === 'float32' && !LITTLE_ENDIAN) {
      const b = this.#bytes;
      for (let i = at; i < at + this.#rowBytes; i += 4) {
        [b[i], b[i + 1], b[i + 2], b[i + 3]] = [b[i + 3], b[i + 2], b[i + 1], b[i]];
      }
    }
  }

  #pushText(row: TextRow): void {
    if (typeof row.text !== 'string' || !Array.isArray(row.tokens)) {
      throw new GoeProtocolError(`row ${row.index} has a bad "text" or "tokens"`);
    }
    this.#texts.push(row.text);
    this.#tokens.push(Int32Array.from(row.tokens));
  }

  #take(): OutlierBatch {
    const n = this.#n;
    const full = n === this.#size;
    // A full batch hands over its arrays; a partial one gets copies of exactly n rows.
    const classes = full ? this.#classes : this.#classes.slice(0, n);
    const indices = full ? this.#indices : this.#indices.slice(0, n);
    const labels = this.#labels;
    this.#classes = new Int32Array(this.#size);
    this.#indices = new Float64Array(this.#size);
    this.#labels = [];
    this.#n = 0;
    if (this.#kind === 'text') {
      const batch: TextOutlierBatch = {
        kind: 'text',
        texts: this.#texts,
        tokens: this.#tokens,
        classes,
        labels,
        indices,
      };
      this.#texts = [];
      this.#tokens = [];
      return batch;
    }
    const data = this.#data!;
    this.#data = undefined;
    this.#bytes = undefined;
    const [h, w, c] = this.#rowShape!;
    const shape: [number, number, number, number] = [n, h, w, c];
    const rowElements = h * w * c;
    const fields = { kind: 'image' as const, shape, classes, labels, indices };
    return data instanceof Float32Array
      ? { ...fields, dtype: 'float32', data: full ? data : data.slice(0, n * rowElements) }
      : { ...fields, dtype: 'uint8', data: full ? data : data.slice(0, n * rowElements) };
  }
}
