export { KernelProfiler, type KernelTime } from './kernel-profiler.js';
export { KernelScope } from './kernel-scope.js';
export { type BackendChoice, BackendError, type BackendInfo, backendChoices, initBackend } from './select.js';
export {
  fasterWasmKernels,
  missingWasmKernels,
  registerWasmGradientKernels,
  type WasmKernelChanges,
} from './wasm-kernels/index.js';
