import { readFile } from 'node:fs/promises';
import { decodeSafetensors, encodeSafetensors } from '../runtime/codecs/index.js';
import { digestOf } from '../runtime/digest.js';
import * as tf from '../runtime/tf.js';

/** Named float32 tensors, e.g. a model's variables, as they go to and come from a safetensors file. */
export type NamedArrays = Record<string, { data: Float32Array; shape: number[] }>;

/** Reads variables out of TF.js (synchronously: training loops call this between steps). */
export function snapshot(vars: Record<string, tf.Tensor>): NamedArrays {
  const out: NamedArrays = {};
  for (const [name, t] of Object.entries(vars)) {
    out[name] = { data: Float32Array.from(t.dataSync() as Float32Array), shape: [...t.shape] };
  }
  return out;
}

/** Serialises `arrays` as safetensors (names sorted, so equal weights give equal bytes). */
export function encodeWeights(arrays: NamedArrays, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(arrays).sort();
  return encodeSafetensors(
    names.map((name) => ({ name, data: arrays[name].data, shape: arrays[name].shape })),
    metadata,
  );
}

/** Parses a safetensors file of float32 tensors. */
export function decodeWeights(bytes: Uint8Array): NamedArrays {
  const file = decodeSafetensors(bytes);
  const out: NamedArrays = {};
  for (const [name, t] of Object.entries(file.tensors)) {
    if (!(t.data instanceof Float32Array)) throw new Error(`weight ${name} is ${t.dtype}, expected float32`);
    out[name] = { data: t.data, shape: [...t.shape] };
  }
  return out;
}

/**
 * Loads a safetensors weight file from disk.
 * @throws {Error} naming `path` when the file is not a safetensors file of float32 tensors (the codec's
 *   message follows; the codec error is the `cause`)
 */
export async function readWeights(path: string): Promise<{ arrays: NamedArrays; digest: string }> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    return { arrays: decodeWeights(bytes), digest: digestOf(bytes) };
  } catch (cause) {
    // The codec knows bytes, not files: without the path a user cannot tell which weights are bad.
    throw new Error(`cannot read weights ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Assigns loaded arrays to variables by name; a missing or misshaped weight is an error naming it. */
export function assignWeights(vars: Record<string, tf.Variable>, arrays: NamedArrays, what: string): void {
  for (const [name, v] of Object.entries(vars)) {
    const a = arrays[name];
    if (!a) throw new Error(`${what}: weight "${name}" is missing`);
    if (a.shape.join('x') !== v.shape.join('x')) {
      throw new Error(`${what}: weight "${name}" has shape [${a.shape}], the model expects [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(a.data, a.shape)));
  }
}

/** An optimizer's slots (Adam's moments, ...) as arrays keyed by position: TF.js restores them by order. */
export async function optimizerArrays(opt: tf.Optimizer): Promise<NamedArrays> {
  const weights = await opt.getWeights();
  const arrays: NamedArrays = {};
  weights.forEach((w, i) => {
    arrays[String(i).padStart(4, '0')] = {
      data: Float32Array.from(w.tensor.dataSync()),
      shape: [...w.tensor.shape],
    };
    // The step counter comes back as a fresh scalar (the slots are the optimizer's own variables).
    if (w.name === 'iter') w.tensor.dispose();
  });
  return arrays;
}

/** Restores an optimizer's slots saved by {@link optimizerArrays} from a safetensors file. */
export async function restoreOptimizer(opt: tf.Optimizer, path: string): Promise<void> {
  const arrays = decodeWeights(new Uint8Array(await readFile(path)));
  const names = Object.keys(arrays).sort();
  await opt.setWeights(names.map((n) => ({ name: n, tensor: tf.tensor(arrays[n].data, arrays[n].shape) })));
}
