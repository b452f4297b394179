import {
  BatchMatMul,
  getKernel,
  type KernelConfig,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { wrapBatchMatMul } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** The gradient kernels tfjs-backend-wasm 4.22 lacks. */
export const missingWasmKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
];

/** Kernels wasm has but runs far slower than these (each file says by how much). */
export const fasterWasmKernels: readonly KernelConfig[] = [conv2DBackpropInputConfig, maxPoolGradConfig];

/** What `registerWasmGradientKernels` changed. */
export interface WasmKernelChanges {
  added: string[];
  replaced: string[];
}

let done: WasmKernelChanges | undefined;

/**
 * Makes wasm able to train, and fast at it: adds the missing gradient kernels and replaces the slow ones.
 * Runs once; must run before the wasm backend initialises so that kept setup functions run.
 */
export function registerWasmGradientKernels(): WasmKernelChanges {
  if (done) return done;
  const added: string[] = [];
  const replaced: string[] = [];
  for (const config of missingWasmKernels) {
    if (getKernel(config.kernelName, 'wasm')) continue; // upstream gained it: prefer theirs
    registerKernel(config);
    added.push(config.kernelName);
  }
  for (const config of fasterWasmKernels) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
    replaced.push(config.kernelName);
  }
  const matmul = getKernel(BatchMatMul, 'wasm');
  if (matmul) {
    unregisterKernel(BatchMatMul, 'wasm');
    registerKernel(wrapBatchMatMul(matmul));
    replaced.push(BatchMatMul);
  }
  done = { added, replaced };
  return done;
}
