import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { KernelScope } from '../kernel-scope.js';
import { allocF32, f32 } from './heap.js';
import { im2colTransposed } from './im2col.js';

/**
 * `Conv2DBackpropFilter` for wasm, which ships without it (tfjs 4.22).
 *
 * dW[i,j,c,o] = Σ_{b,y,x} xpad[b, y·s+i, x·s+j, c] · dy[b,y,x,o], i.e. dW[K, co] = colsᵀ[K, N] · dy[N, co]:
 * the patch gather is a JS loop over the heap, the reduction is wasm's (XNNPACK) matmul.
 * Measured on the reference CNN's first layer (B=128, 28×28×1→16): 22 ms as one "batch-as-channels"
 * Conv2D between two transposes, vs. a few ms this way (`goe bench train-step --profile`).
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got dataFormat=${dataFormat}`);
  }
  const g = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
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
    const colsT = scope.adopt(allocF32(backend, [1, K, N]));
    im2colTransposed(f32(backend, x), g, f32(backend, colsT));
    const dy3 = scope.run('Reshape', { x: dy }, { shape: [1, N, g.outChannels] });
    const dw = scope.run('BatchMatMul', { a: colsT, b: dy3 }, { transposeA: false, transposeB: false });
    return scope.keep(scope.run('Reshape', { x: dw }, { shape: filterShape }));
  } finally {
    scope.dispose();
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
