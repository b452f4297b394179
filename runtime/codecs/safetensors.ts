/**
 * safetensors (spec: the huggingface/safetensors README): a streaming writer that emits the header and
 * then each tensor's bytes in declared order, an incremental reader that emits the first tensor row by
 * row and later tensors whole, and sync helpers. The usual stream is an `images` tensor written row by
 * row followed by a small `classes` tensor.
 */
import { ByteQueue } from './byte-queue.js';
import { dtypeOf, fromLittleEndianBytes, type NumericArray } from './dtype.js';
import { CodecError } from './errors.js';
import type { AnyNdArray } from './npy.js';
import { RowAssembler, RowSink } from './rows.js';
import {
  encodeSafetensorsHeader,
  parseSafetensorsHeader,
  type SafetensorsHeader,
  safetensorsHeaderLength,
  type TensorInfo,
  type TensorSpec,
} from './safetensors-header.js';
import { codecStream } from './stream.js';

/** What a safetensors stream declares before its data. */
export interface SafetensorsSpec {
  /** Tensors in the order their bytes will be written. */
  tensors: readonly TensorSpec[];
  /** Free-form string metadata (`__metadata__`). */
  metadata?: Readonly<Record<string, string>>;
}

/** One write: whole rows of the named tensor. */
export interface SafetensorsChunk {
  tensor: string;
  data: NumericArray;
}

/**
 * Writes one safetensors file: `header()` once, then `write(tensor, rows)` with each tensor's rows in
 * declared order (a tensor must be complete before the next one starts), then `end()`, which throws
 * `too_little_data` if any tensor is short. Each call returns the bytes to send.
 */
export class SafetensorsWriter {
  readonly header: SafetensorsHeader;
  #headerBytes: Uint8Array;
  #sinks: RowSink[];
  #current = 0;
  #state: 'new' | 'open' | 'ended' = 'new';

  constructor(spec: SafetensorsSpec) {
    const { bytes, header } = encodeSafetensorsHeader(spec.tensors, spec.metadata);
    this.header = header;
    this.#headerBytes = bytes;
    this.#sinks = header.tensors.map((t) => new RowSink(t.dtype, t.shape, `safetensors tensor '${t.name}'`));
  }

  /** The header bytes; must be called once, first. */
  headerBytes(): Uint8Array {
    if (this.#state !== 'new') throw new CodecError('misuse', 'safetensors headerBytes() called twice');
    this.#state = 'open';
    return this.#headerBytes;
  }

  /** The bytes of a batch of whole rows of `tensor` (copied). */
  write(tensor: string, rows: NumericArray): Uint8Array {
    if (this.#state !== 'open') {
      throw new CodecError(
        'misuse',
        `safetensors write() ${this.#state === 'new' ? 'before headerBytes()' : 'after end()'}`,
      );
    }
    const index = this.header.tensors.findIndex((t) => t.name === tensor);
    if (index < 0) {
      throw new CodecError('bad_argument', `safetensors tensor '${tensor}' was not declared`, {
        value: tensor,
      });
    }
    if (rows.length === 0) return new Uint8Array(0);
    // Bytes are laid out in declared order, so a tensor can start only once every earlier one is full.
    while (this.#current < index && this.#sinks[this.#current].complete) this.#current += 1;
    if (index !== this.#current) {
      const expected = this.header.tensors[this.#current].name;
      throw new CodecError(
        index < this.#current ? 'too_much_data' : 'too_little_data',
        index < this.#current
          ? `safetensors tensor '${tensor}' is already complete`
          : `safetensors tensor '${tensor}' written before '${expected}' was complete`,
        { value: tensor },
      );
    }
    return this.#sinks[index].accept(rows);
  }

  /** Checks that every declared tensor was filled. */
  end(): void {
    if (this.#state !== 'open') {
      throw new CodecError(
        'misuse',
        `safetensors end() ${this.#state === 'new' ? 'before headerBytes()' : 'twice'}`,
      );
    }
    this.#state = 'ended';
    for (const sink of this.#sinks) sink.end();
  }
}

/** A `TransformStream` from {@link SafetensorsChunk}s to safetensors bytes; the header is enqueued at once. */
export function safetensorsEncoderStream(
  spec: SafetensorsSpec,
): TransformStream<SafetensorsChunk, Uint8Array> {
  return codecStream(() => {
    const writer = new SafetensorsWriter(spec);
    return {
      start: () => [writer.headerBytes()],
      push: ({ tensor, data }) => {
        const bytes = writer.write(tensor, data);
        return bytes.length === 0 ? [] : [bytes];
      },
      end: () => {
        writer.end();
        return [];
      },
    };
  });
}

/** What the incremental safetensors reader emits. */
export type SafetensorsEvent =
  | { type: 'header'; header: SafetensorsHeader }
  | {
      /** A row of the first tensor in the byte buffer, as soon as its bytes arrive. */
      type: 'row';
      tensor: string;
      index: number;
      /** Flat C-order values of one row, in a buffer of its own. */
      data: NumericArray;
    }
  | {
      /** A later tensor, whole, once all its bytes arrived. */
      type: 'tensor';
      tensor: string;
      array: AnyNdArray;
    };

/**
 * Incremental safetensors reader: feed chunks of any size with `push()`; each call returns the events it
 * completed. The first tensor in the byte buffer streams as rows (the large one); later tensors come
 * whole. `end()` throws `truncated` if the input stopped early; bytes past the buffer are `trailing_data`.
 */
export class SafetensorsDecoder {
  #queue = new ByteQueue();
  #header: SafetensorsHeader | undefined;
  #rows: RowAssembler | undefined;
  #next = 1; // index of the next whole tensor
  #ended = false;

  /** The header, once it has been read. */
  get header(): SafetensorsHeader | undefined {
    return this.#header;
  }

  /** Adds a chunk and returns the events it completed. */
  push(chunk: Uint8Array): SafetensorsEvent[] {
    if (this.#ended) throw new CodecError('misuse', 'safetensors push() after end()');
    this.#queue.push(chunk);
    const events: SafetensorsEvent[] = [];
    if (this.#header === undefined) {
      const length = safetensorsHeaderLength(this.#queue.peek(Math.min(this.#queue.length, 9)));
      if (length === undefined || this.#queue.length < length) return events;
      const header = parseSafetensorsHeader(this.#queue.read(length));
      this.#header = header;
      events.push({ type: 'header', header });
      const first = header.tensors[0];
      if (first !== undefined) this.#rows = new RowAssembler(first.dtype, first.shape);
    }
    const { tensors } = this.#header;
    if (this.#rows !== undefined && !this.#rows.done) {
      const name = tensors[0].name;
      this.#rows.drain(this.#queue, (index, data) => events.push({ type: 'row', tensor: name, index, data }));
      if (!this.#rows.done) return events;
    }
    while (this.#next < tensors.length && this.#queue.length >= tensors[this.#next].byteLength) {
      const info = tensors[this.#next];
      events.push({
        type: 'tensor',
        tensor: info.name,
        array: arrayOf(info, this.#queue.read(info.byteLength)),
      });
      this.#next += 1;
    }
    if (this.#next >= tensors.length && this.#queue.length > 0) {
      throw new CodecError('trailing_data', 'safetensors stream has bytes after the declared byte buffer', {
        value: this.#queue.length,
        offset: this.#queue.consumed,
      });
    }
    return events;
  }

  /** Marks the end of input; throws `truncated` unless the header and every tensor were complete. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const at = this.#queue.consumed + this.#queue.length;
    if (this.#header === undefined) {
      throw new CodecError('truncated', `safetensors stream ended inside the header after ${at} bytes`, {
        value: at,
        offset: at,
      });
    }
    if (this.#rows !== undefined && !this.#rows.done) {
      const { name } = this.#header.tensors[0];
      throw new CodecError(
        'truncated',
        `safetensors stream ended after ${this.#rows.nextRow} of ${this.#rows.layout.rowCount} rows of '${name}'`,
        { value: this.#rows.nextRow, offset: at },
      );
    }
    if (this.#next < this.#header.tensors.length) {
      const info = this.#header.tensors[this.#next];
      throw new CodecError(
        'truncated',
        `safetensors stream ended with ${this.#queue.length} of ${info.byteLength} bytes of tensor '${info.name}'`,
        { value: info.name, offset: at },
      );
    }
  }
}

/** A `TransformStream` from safetensors bytes to {@link SafetensorsEvent}s. */
export function safetensorsDecoderStream(): TransformStream<Uint8Array, SafetensorsEvent> {
  return codecStream(() => {
    const decoder = new SafetensorsDecoder();
    return {
      push: (chunk) => decoder.push(chunk),
      end: () => {
        decoder.end();
        return [];
      },
    };
  });
}

/** A whole tensor to encode. */
export interface SafetensorsInput {
  name: string;
  data: NumericArray;
  shape: readonly number[];
}

/** A whole decoded file: tensors by name (in byte-buffer order) and the metadata. */
export interface SafetensorsFile {
  tensors: Record<string, AnyNdArray>;
  metadata: Record<string, string>;
}

/** Encodes whole tensors, laid out in the given order; each dtype follows its typed array. */
export function encodeSafetensors(
  tensors: readonly SafetensorsInput[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const writer = new SafetensorsWriter({
    tensors: tensors.map(({ name, data, shape }) => ({ name, dtype: dtypeOf(data), shape })),
    metadata,
  });
  const parts = [writer.headerBytes()];
  for (const [i, { name, data }] of tensors.entries()) {
    const { size } = writer.header.tensors[i];
    if (data.length !== size) {
      throw new CodecError(
        'bad_argument',
        `encodeSafetensors: tensor '${name}' has ${data.length} values, shape needs ${size}`,
        {
          value: data.length,
        },
      );
    }
    parts.push(writer.write(name, data));
  }
  writer.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Decodes a whole safetensors file; throws `truncated` or `trailing_data` if its length disagrees with its header. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const length = safetensorsHeaderLength(bytes.subarray(0, 9));
  if (length === undefined || bytes.length < length) {
    throw new CodecError(
      'truncated',
      `safetensors file ended inside the header after ${bytes.length} bytes`,
      {
        value: bytes.length,
      },
    );
  }
  const header = parseSafetensorsHeader(bytes.subarray(0, length));
  const end = header.dataOffset + header.byteLength;
  if (bytes.length !== end) {
    throw new CodecError(
      bytes.length < end ? 'truncated' : 'trailing_data',
      `safetensors file is ${bytes.length} bytes, its header declares ${end}`,
      { value: bytes.length, offset: Math.min(bytes.length, end) },
    );
  }
  const entries = header.tensors.map((info): [string, AnyNdArray] => [
    info.name,
    arrayOf(info, bytes.subarray(header.dataOffset + info.begin, header.dataOffset + info.end)),
  ]);
  return { tensors: Object.fromEntries(entries), metadata: header.metadata };
}

function arrayOf(info: TensorInfo, bytes: Uint8Array): AnyNdArray {
  return {
    dtype: info.dtype,
    shape: info.shape,
    data: fromLittleEndianBytes(info.dtype, bytes),
  } as AnyNdArray;
}
