/**
 * Integrity of a pulled body, checked while it streams to disk: its sha256, and that its structure is the
 * array the response headers promised (an `.npy` of exactly Goe-Count rows of Goe-Row-Shape, a safetensors
 * file whose byte buffer is complete, one NDJSON line per row, a PNG that reaches its IEND chunk).
 */
import { createHash } from 'node:crypto';
import { CodecError } from '../runtime/codecs/errors.js';
import { parseNpyHeader } from '../runtime/codecs/npy-header.js';
import { npzByteLength } from '../runtime/codecs/npz.js';
import { parseSafetensorsHeader } from '../runtime/codecs/safetensors-header.js';

/** The body is not what was promised, or not what the caller expected (exit code 5). */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

/** What the response headers promised about the body. */
export interface BodyPromise {
  format: 'npy' | 'npz' | 'safetensors' | 'ndjson' | 'png';
  count?: number;
  rowShape?: number[];
  dtype?: string;
}

const PREFIX_BYTES = 1 << 16; // holds any npy or safetensors header goe writes
const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/** Feed it the body's chunks, then `finish()` for the digest and `verify()` for the structure. */
export class BodyCheck {
  #hash = createHash('sha256');
  #prefix: Uint8Array[] = [];
  #prefixLength = 0;
  #tail = new Uint8Array(0);
  #bytes = 0;
  #newlines = 0;

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    if (this.#prefixLength < PREFIX_BYTES) {
      const part = chunk.subarray(0, PREFIX_BYTES - this.#prefixLength);
      this.#prefix.push(part.slice());
      this.#prefixLength += part.length;
    }
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) this.#newlines += 1;
    const tail = new Uint8Array(Math.min(12, this.#tail.length + chunk.length));
    const joined = new Uint8Array(this.#tail.length + chunk.length);
    joined.set(this.#tail);
    joined.set(chunk, this.#tail.length);
    tail.set(joined.subarray(joined.length - tail.length));
    this.#tail = tail;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The body's sha256 (hex) and length; call once, at the end. */
  finish(): { sha256: string; bytes: number } {
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  /** Throws {@link IntegrityError} unless the body has the structure `promise` describes. */
  verify(promise: BodyPromise): void {
    const prefix = concat(this.#prefix, this.#prefixLength);
    const rowsWanted = promise.count;
    try {
      switch (promise.format) {
        case 'npy': {
          const h = parseNpyHeader(prefix);
          if (rowsWanted !== undefined && h.shape[0] !== rowsWanted) {
            throw new IntegrityError(`.npy has ${h.shape[0]} rows, the server announced ${rowsWanted}`);
          }
          if (promise.rowShape && `${h.shape.slice(1)}` !== `${promise.rowShape}`) {
            throw new IntegrityError(
              `.npy rows are [${h.shape.slice(1)}], the server announced [${promise.rowShape}]`,
            );
          }
          if (promise.dtype && h.dtype !== promise.dtype) {
            throw new IntegrityError(`.npy holds ${h.dtype}, the server announced ${promise.dtype}`);
          }
          expectLength(h.dataOffset + h.byteLength, this.#bytes, '.npy');
          return;
        }
        case 'npz': {
          // A ZIP: the local header of images.npy first; its size follows from the announced rows.
          if (!ZIP_LOCAL_HEADER.every((b, i) => prefix[i] === b))
            throw new IntegrityError('not an .npz (no ZIP header)');
          if (
            rowsWanted !== undefined &&
            promise.rowShape &&
            (promise.dtype === 'uint8' || promise.dtype === 'float32')
          ) {
            const want = npzByteLength({
              count: rowsWanted,
              rowShape: promise.rowShape,
              dtype: promise.dtype,
              start: 0,
            });
            expectLength(want, this.#bytes, '.npz');
          }
          return;
        }
        case 'safetensors': {
          const h = parseSafetensorsHeader(prefix);
          const images = h.tensors.find((t) => t.name === 'images');
          if (rowsWanted !== undefined && images && images.rowCount !== rowsWanted) {
            throw new IntegrityError(
              `safetensors "images" has ${images.rowCount} rows, the server announced ${rowsWanted}`,
            );
          }
          expectLength(h.dataOffset + h.byteLength, this.#bytes, 'safetensors');
          return;
        }
        case 'ndjson': {
          if (this.#bytes > 0 && this.#tail[this.#tail.length - 1] !== 0x0a) {
            throw new IntegrityError('NDJSON body does not end in a newline (cut off)');
          }
          if (rowsWanted !== undefined && this.#newlines !== rowsWanted) {
            throw new IntegrityError(
              `NDJSON body has ${this.#newlines} rows, the server announced ${rowsWanted}`,
            );
          }
          return;
        }
        case 'png': {
          if (!PNG_SIGNATURE.every((b, i) => prefix[i] === b))
            throw new IntegrityError('not a PNG (bad signature)');
          if (!PNG_IEND.every((b, i) => this.#tail[i] === b))
            throw new IntegrityError('PNG does not end in IEND (cut off)');
          return;
        }
      }
    } catch (err) {
      if (err instanceof CodecError)
        throw new IntegrityError(`${promise.format} body is malformed: ${err.message}`);
      throw err;
    }
  }
}

function expectLength(want: number, got: number, what: string): void {
  if (got !== want) throw new IntegrityError(`${what} body is ${got} bytes, its header describes ${want}`);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
