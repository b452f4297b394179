/**
 * The safetensors header (spec: the huggingface/safetensors README, "Format"):
 *
 *   N (u64 little-endian)  N bytes of UTF-8 JSON starting with '{', optionally padded with spaces
 *   the byte buffer
 *
 * The JSON maps each tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the
 * byte buffer, end exclusive), plus an optional `__metadata__` map of strings to strings. Data is
 * little-endian and C order; the tensors must cover the buffer exactly, with no holes or overlaps.
 */
import type { DType } from './dtype.js';
import { CodecError } from './errors.js';
import { checkShape, type RowLayout, rowLayout } from './shape.js';

/** Safetensors' dtype names for the dtypes the codecs support. */
export const SAFETENSORS_DTYPE: Readonly<Record<DType, string>> = {
  uint8: 'U8',
  float32: 'F32',
  int32: 'I32',
};

const DTYPE_OF_NAME: Readonly<Record<string, DType>> = { U8: 'uint8', F32: 'float32', I32: 'int32' };

// The reference implementation's MAX_HEADER_SIZE: beyond it a file is rejected as hostile.
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor as declared before its data. */
export interface TensorSpec<D extends DType = DType> {
  name: string;
  dtype: D;
  shape: readonly number[];
}

/** One tensor of a parsed header, with its place in the byte buffer. */
export interface TensorInfo extends RowLayout {
  name: string;
  dtype: DType;
  shape: number[];
  /** Offset of the first byte, relative to the byte buffer. */
  begin: number;
  /** Offset one past the last byte, relative to the byte buffer. */
  end: number;
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  /** Tensors in byte-buffer order (the order their data arrives). */
  tensors: TensorInfo[];
  /** The `__metadata__` map (empty if absent). */
  metadata: Record<string, string>;
  /** Bytes before the byte buffer: 8 + N. */
  dataOffset: number;
  /** Size of the byte buffer. */
  byteLength: number;
}

/** Checks tensor specs and metadata and returns the header bytes, with tensors laid out in the given order. */
export function encodeSafetensorsHeader(
  tensors: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
): { bytes: Uint8Array; header: SafetensorsHeader } {
  const entries: string[] = [];
  const metaEntries = Object.entries(metadata);
  for (const [key, value] of metaEntries) {
    if (typeof value !== 'string') {
      throw new CodecError('bad_argument', `safetensors metadata ${JSON.stringify(key)} must be a string`, {
        value,
      });
    }
  }
  // Built by hand rather than JSON.stringify(object): key order is the layout order, and a tensor named
  // "__proto__" stays a plain key.
  if (metaEntries.length > 0) {
    const meta = metaEntries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
    entries.push(`"__metadata__":{${meta}}`);
  }
  const infos: TensorInfo[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const tensor of tensors) {
    const { name, dtype } = tensor;
    if (typeof name !== 'string' || name === '__metadata__' || names.has(name)) {
      throw new CodecError(
        'bad_argument',
        `safetensors tensor name ${JSON.stringify(name)} is reserved or repeated`,
        {
          value: name,
        },
      );
    }
    if (!(dtype in SAFETENSORS_DTYPE)) {
      throw new CodecError('unsupported_dtype', `safetensors dtype ${String(dtype)} is not supported`, {
        value: dtype,
      });
    }
    names.add(name);
    const shape = checkShape(tensor.shape, dtype, `tensor '${name}' shape`);
    const layout = rowLayout(shape, dtype);
    const info: TensorInfo = {
      name,
      dtype,
      shape,
      begin: offset,
      end: offset + layout.byteLength,
      ...layout,
    };
    offset = info.end;
    infos.push(info);
    const json = { dtype: SAFETENSORS_DTYPE[dtype], shape, data_offsets: [info.begin, info.end] };
    entries.push(`${JSON.stringify(name)}:${JSON.stringify(json)}`);
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  // Pad with spaces so the byte buffer starts 8-byte aligned, as the reference writer does.
  const n = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + n);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length);
  return {
    bytes,
    header: {
      tensors: infos,
      metadata: Object.fromEntries(metaEntries),
      dataOffset: 8 + n,
      byteLength: offset,
    },
  };
}

/**
 * Looks at the first bytes of a stream and returns the byte-buffer offset (8 + N) once the length field
 * is complete, or `undefined` while more bytes are needed. A length past the limit, or a header that
 * does not start with `{`, is rejected as soon as it is visible.
 */
export function safetensorsHeaderLength(prefix: Uint8Array): number | undefined {
  if (prefix.length < 8) return undefined;
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES) || n < 2n) {
    throw new CodecError(
      n < 2n ? 'bad_header' : 'header_too_large',
      `safetensors header length ${n} is outside 2..${MAX_HEADER_BYTES}`,
      { value: n.toString(), offset: 0 },
    );
  }
  if (prefix.length > 8 && prefix[8] !== 0x7b) {
    throw new CodecError('bad_magic', "not a safetensors stream: the header does not start with '{'", {
      value: prefix[8],
      offset: 8,
    });
  }
  return 8 + Number(n);
}

/** Parses a complete header (`bytes` holds at least the byte-buffer offset's worth of bytes). */
export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  const dataOffset = safetensorsHeaderLength(bytes.subarray(0, 9));
  if (dataOffset === undefined || bytes.length < dataOffset) {
    throw new CodecError('truncated', `safetensors header is incomplete (${bytes.length} bytes)`, {
      value: bytes.length,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataOffset));
  } catch (cause) {
    throw new CodecError('bad_utf8', 'safetensors header is not valid UTF-8', { offset: 8, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CodecError('bad_header', `safetensors header is not valid JSON: ${(cause as Error).message}`, {
      value: text.slice(0, 200),
      offset: 8,
      cause,
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CodecError('bad_header', 'safetensors header is not a JSON object', {
      value: text.slice(0, 200),
    });
  }
  const metadata: [string, string][] = [];
  const tensors: TensorInfo[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new CodecError('bad_header', 'safetensors __metadata__ must be an object of strings', {
          value: raw,
        });
      }
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== 'string') {
          throw new CodecError(
            'bad_header',
            `safetensors __metadata__ ${JSON.stringify(key)} is not a string`,
            {
              value,
            },
          );
        }
        metadata.push([key, value]);
      }
      continue;
    }
    tensors.push(parseTensorInfo(name, raw));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  // The spec requires the tensors to index the whole buffer with no holes, which also rules out overlaps.
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.begin !== offset) {
      throw new CodecError(
        'bad_header',
        `safetensors tensor '${tensor.name}' starts at ${tensor.begin}, expected ${offset} (hole or overlap)`,
        { value: [tensor.begin, tensor.end] },
      );
    }
    offset = tensor.end;
  }
  // fromEntries defines keys, so a "__proto__" key stays data.
  return { tensors, metadata: Object.fromEntries(metadata), dataOffset, byteLength: offset };
}

function parseTensorInfo(name: string, raw: unknown): TensorInfo {
  const bad = (why: string, value: unknown): CodecError =>
    new CodecError('bad_header', `safetensors tensor '${name}': ${why}`, { value });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('entry is not an object', raw);
  const { dtype: dtypeName, shape: rawShape, data_offsets: offsets } = raw as Record<string, unknown>;
  const dtype = typeof dtypeName === 'string' ? DTYPE_OF_NAME[dtypeName] : undefined;
  if (dtype === undefined || !Object.hasOwn(DTYPE_OF_NAME, dtypeName as string)) {
    throw new CodecError(
      'unsupported_dtype',
      `safetensors tensor '${name}' has dtype ${JSON.stringify(dtypeName)}; supported: U8, F32, I32`,
      { value: dtypeName },
    );
  }
  let shape: number[];
  try {
    shape = checkShape(rawShape, dtype);
  } catch {
    throw bad('shape must be an array of non-negative integers', rawShape);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw bad('data_offsets must be [begin, end]', offsets);
  }
  const [begin, end] = offsets as [number, number];
  const layout = rowLayout(shape, dtype);
  if (end - begin !== layout.byteLength) {
    throw bad(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape needs ${layout.byteLength}`,
      offsets,
    );
  }
  return { name, dtype, shape, begin, end, ...layout };
}
