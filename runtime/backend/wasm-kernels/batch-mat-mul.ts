import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { KernelScope } from '../kernel-scope.js';

/**
 * Wraps wasm's `BatchMatMul` so transposed operands are transposed explicitly first.
 *
 * XNNPACK's fast path needs plain operands; with `transposeA`/`transposeB` wasm falls back to a loop
 * ~10× slower (128×1568 by 1568×128: 41–53 ms vs. 1 ms transpose + 3.5 ms matmul). Every dense
 * layer's backward pass asks for one of each.
 */
export function wrapBatchMatMul(original: KernelConfig): KernelConfig {
  const plain = original.kernelFunc;
  const kernelFunc = (args: {
    inputs: { a: TensorInfo; b: TensorInfo };
    backend: KernelBackend;
    attrs: BatchMatMulAttrs;
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    if (!attrs.transposeA && !attrs.transposeB) return plain(args as never) as TensorInfo;
    const scope = new KernelScope(backend, 'wasm');
    try {
      const swapLast = (t: TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        perm.push(perm.splice(-2, 1)[0]);
        return scope.run('Transpose', { x: t }, { perm });
      };
      const a = attrs.transposeA ? swapLast(inputs.a) : inputs.a;
      const b = attrs.transposeB ? swapLast(inputs.b) : inputs.b;
      return plain({
        inputs: { a, b },
        backend,
        attrs: { transposeA: false, transposeB: false },
      } as never) as TensorInfo;
    } finally {
      scope.dispose();
    }
  };
  return {
    ...original,
    kernelName: BatchMatMul,
    kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'],
  };
}
