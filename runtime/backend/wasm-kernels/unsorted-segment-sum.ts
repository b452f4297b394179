import {
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { KernelScope } from '../kernel-scope.js';

/**
 * `UnsortedSegmentSum` for wasm (the gradient of `Gather`, so of every embedding layer).
 *
 * out[s, ...] = Σ_{i: ids[i] = s} x[i, ...] is a `ScatterNd` with indices ids[:, None], which sums
 * duplicate indices (TensorFlow's scatter_nd semantics, and wasm's).
 */
function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: KernelBackend;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const n = util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(segmentIds.shape.length);
  const scope = new KernelScope(backend, 'wasm');
  try {
    const ids =
      segmentIds.dtype === 'int32' ? segmentIds : scope.run('Cast', { x: segmentIds }, { dtype: 'int32' });
    const indices = scope.run('Reshape', { x: ids }, { shape: [n, 1] });
    const updates = scope.run('Reshape', { x }, { shape: [n, ...rest] });
    return scope.keep(scope.run('ScatterNd', { indices, updates }, { shape: [attrs.numSegments, ...rest] }));
  } finally {
    scope.dispose();
  }
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelConfig['kernelFunc'],
};
