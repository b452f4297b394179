import {
  backend_util,
  type KernelBackend,
  type KernelConfig,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { allocF32, f32 } from './heap.js';

/**
 * A faster `MaxPoolGrad` for wasm: each output's gradient goes to the first maximum of its window,
 * exactly the cpu backend's rule (`maxPoolPositions`: strict `>` from −∞, row-major window order).
 *
 * wasm's kernel took 45 ms on the reference CNN's pool (B=128, 28×28×16); this loop over the heap ~9 ms
 * (branch mispredictions on the comparisons dominate). No composition of wasm kernels reproduces first-maximum routing on ties without several
 * passes (an `Equal` mask doubles the gradient of tied maxima), hence the loop.
 */
function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: KernelBackend;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const g = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const dxInfo = allocF32(backend, [...input.shape], true);
  const x = f32(backend, input);
  const dyv = f32(backend, dy);
  const dx = f32(backend, dxInfo);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = g;
  const { top, left } = g.padInfo;
  const pairs = KH === 2 && KW === 2 && SH === 2 && SW === 2 && top === 0 && left === 0;
  let o = 0;
  for (let b = 0; b < g.batchSize; b++) {
    const xb = b * H * W * C;
    for (let y = 0; y < OH; y++) {
      const y0 = y * SH - top;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(H, y0 + KH);
      for (let xo = 0; xo < OW; xo++, o += C) {
        const x0 = xo * SW - left;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(W, x0 + KW);
        if (pairs && yEnd - yStart === 2 && xEnd - xStart === 2) {
          // The common 2×2/2 pool, unrolled: a third faster than the general loop below.
          const p0 = xb + (yStart * W + xStart) * C;
          const p1 = p0 + C;
          const p2 = p0 + W * C;
          const p3 = p2 + C;
          for (let c = 0; c < C; c++) {
            // Starts from the first pixel rather than −∞: differs from cpu only where that pixel is NaN.
            let at = p0 + c;
            let best = x[at];
            if (x[p1 + c] > best) {
              at = p1 + c;
              best = x[at];
            }
            if (x[p2 + c] > best) {
              at = p2 + c;
              best = x[at];
            }
            if (x[p3 + c] > best) at = p3 + c;
            dx[at] += dyv[o + c];
          }
          continue;
        }
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let yy = yStart; yy < yEnd; yy++) {
            let p = xb + (yy * W + xStart) * C + c;
            for (let xx = xStart; xx < xEnd; xx++, p += C) {
              if (x[p] > best) {
                best = x[p];
                at = p;
              }
            }
          }
          if (at >= 0) dx[at] += dyv[o + c];
        }
      }
    }
  }
  return dxInfo;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
