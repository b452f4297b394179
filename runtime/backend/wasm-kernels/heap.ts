import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Direct access to tensors in the wasm heap, for the few loops that XNNPACK has no kernel for
 * (im2col, col2im, max-pool routing). The views are only valid until the next allocation: the heap
 * may grow and detach them, so allocate every output first, then take the views.
 */
interface BackendWasmHeap {
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: Float32Array): TensorInfo;
}

function asWasm(backend: KernelBackend): BackendWasmHeap {
  return backend as unknown as BackendWasmHeap;
}

/** A float32 view of `info` in the heap. */
export function f32(backend: KernelBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return asWasm(backend).typedArrayFromHeap(info) as Float32Array;
}

/** A new float32 tensor in the heap; `zero` fills it with zeros (the heap is not cleared on reuse). */
export function allocF32(backend: KernelBackend, shape: number[], zero = false): TensorInfo {
  const out = asWasm(backend).makeOutput(shape, 'float32');
  if (zero) f32(backend, out).fill(0);
  return out;
}
