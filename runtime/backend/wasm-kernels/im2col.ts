import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * The patch layout shared by the convolution gradients: patch row n = (b, y, x) over the output grid,
 * patch column k = (i, j, c) over the filter, i.e. the HWIO filter's first three axes flattened. With it,
 * conv2d(x, w) = cols · w[K, co], which is how the gradients become matmuls (Chellapilla et al., 2006,
 * "High performance convolutional neural networks for document processing").
 */
export type ConvGeometry = Pick<
  backend_util.Conv2DInfo,
  | 'batchSize'
  | 'inHeight'
  | 'inWidth'
  | 'inChannels'
  | 'outHeight'
  | 'outWidth'
  | 'filterHeight'
  | 'filterWidth'
  | 'strideHeight'
  | 'strideWidth'
  | 'dilationHeight'
  | 'dilationWidth'
  | 'padInfo'
>;

/**
 * Writes the patches of NHWC `x` transposed, as colsT[k, n] (K × N row-major), zero where a patch hangs
 * over the padding. Transposed because wasm's matmul is ~10× slower with `transposeA` than without.
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, colsT: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = g;
  const { dilationHeight: DH, dilationWidth: DW } = g;
  const { top, left } = g.padInfo;
  const N = g.batchSize * OH * OW;
  for (let i = 0; i < KH; i++) {
    for (let j = 0; j < KW; j++) {
      for (let c = 0; c < C; c++) {
        const rowBase = ((i * KW + j) * C + c) * N;
        let n = 0;
        // Output columns whose tap lands inside the image: [oxLo, oxHi). Outside it, zeros.
        const oxLo = Math.min(OW, Math.max(0, Math.ceil((left - j * DW) / SW)));
        const oxHi = Math.max(oxLo, Math.min(OW, Math.floor((W - 1 + left - j * DW) / SW) + 1));
        for (let b = 0; b < g.batchSize; b++) {
          const xb = b * H * W * C;
          for (let y = 0; y < OH; y++, n += OW) {
            const yy = y * SH + i * DH - top;
            const row = rowBase + n;
            if (yy < 0 || yy >= H) {
              colsT.fill(0, row, row + OW);
              continue;
            }
            if (oxLo > 0) colsT.fill(0, row, row + oxLo);
            if (oxHi < OW) colsT.fill(0, row + oxHi, row + OW);
            let src = xb + yy * W * C + c + (oxLo * SW + j * DW - left) * C;
            const step = SW * C;
            for (let ox = oxLo; ox < oxHi; ox++, src += step) colsT[row + ox] = x[src];
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: dx[b, y·s + i − top, x·s + j − left, c] += cols[n, (i, j, c)] for every patch
 * position inside the image. `dx` must be zeroed by the caller.
 */
export function col2imAdd(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = g;
  const { dilationHeight: DH, dilationWidth: DW } = g;
  const { top, left } = g.padInfo;
  const K = KH * KW * C;
  let n = 0;
  for (let b = 0; b < g.batchSize; b++) {
    const xb = b * H * W * C;
    for (let y = 0; y < OH; y++) {
      for (let x = 0; x < OW; x++, n++) {
        const colBase = n * K;
        for (let i = 0; i < KH; i++) {
          const yy = y * SH + i * DH - top;
          if (yy < 0 || yy >= H) continue;
          for (let j = 0; j < KW; j++) {
            const xx = x * SW + j * DW - left;
            if (xx < 0 || xx >= W) continue;
            const dst = xb + (yy * W + xx) * C;
            const src = colBase + (i * KW + j) * C;
            for (let c = 0; c < C; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}
