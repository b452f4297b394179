import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { KernelScope } from '../kernel-scope.js';
import { allocF32, f32 } from './heap.js';
import { col2imAdd } from './im2col.js';

/**
 * A faster `Conv2DBackpropInput` for wasm (also the kernel behind `conv2dTranspose`, so generators).
 *
 * dx = col2im(dy[N, co] · Wᵀ[co, K]): XNNPACK does the matmul, a JS loop over the heap scatters the
 * patches back. wasm's own kernel is a direct loop: 35 ms vs. a few ms for the reference CNN's
 * stride-2 layer (B=128, 7×7×32 → 14×14×16), measured with `goe bench train-step --profile`.
 */
function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: KernelBackend;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput on wasm supports NHWC only, got dataFormat=${dataFormat}`);
  }
  const g = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const N = g.batchSize * g.outHeight * g.outWidth;
  const scope = new KernelScope(backend, 'wasm');
  try {
    const w2 = scope.run('Reshape', { x: filter }, { shape: [K, g.outChannels] });
    const wT = scope.run('Transpose', { x: w2 }, { perm: [1, 0] });
    const wT3 = scope.run('Reshape', { x: wT }, { shape: [1, g.outChannels, K] });
    const dy3 = scope.run('Reshape', { x: dy }, { shape: [1, N, g.outChannels] });
    const cols = scope.run('BatchMatMul', { a: dy3, b: wT3 }, { transposeA: false, transposeB: false });
    const dx = allocF32(backend, [...inputShape], true);
    col2imAdd(f32(backend, cols), g, f32(backend, dx));
    return dx;
  } finally {
    scope.dispose();
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
