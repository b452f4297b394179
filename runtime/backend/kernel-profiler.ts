import {
  getKernelsForBackend,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';

/** Time spent in one kernel while profiling. */
export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

/**
 * Wall-clock time per kernel on a synchronous backend (wasm, cpu), by wrapping every registered kernel
 * function. Nested calls (a composed kernel calling others through `KernelScope`) count in both the
 * outer and the inner kernel, so the sum can exceed the step time; the "self" column is exclusive.
 * `tf.profile` would report the same through `backend.time()`, but wasm's timer only covers whole ops.
 */
export class KernelProfiler {
  private readonly originals: KernelConfig[];
  private readonly totals = new Map<string, { calls: number; ms: number; self: number }>();
  private depthChildMs: number[] = [];

  constructor(readonly backendName: string) {
    this.originals = getKernelsForBackend(backendName);
  }

  /** Starts wrapping kernels; call `stop()` to restore them. */
  start(): this {
    for (const config of this.originals) {
      const inner = config.kernelFunc;
      const wrapped: KernelFunc = (args) => {
        this.depthChildMs.push(0);
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          const ms = performance.now() - t0;
          const childMs = this.depthChildMs.pop() ?? 0;
          if (this.depthChildMs.length > 0) this.depthChildMs[this.depthChildMs.length - 1] += ms;
          const entry = this.totals.get(config.kernelName) ?? { calls: 0, ms: 0, self: 0 };
          entry.calls++;
          entry.ms += ms;
          entry.self += ms - childMs;
          this.totals.set(config.kernelName, entry);
        }
      };
      unregisterKernel(config.kernelName, this.backendName);
      registerKernel({ ...config, kernelFunc: wrapped, setupFunc: undefined });
    }
    return this;
  }

  /** Restores the original kernels. */
  stop(): void {
    for (const config of this.originals) {
      unregisterKernel(config.kernelName, this.backendName);
      registerKernel({ ...config, setupFunc: undefined });
    }
  }

  /** Kernels by exclusive time, largest first. */
  report(): (KernelTime & { selfMs: number })[] {
    return [...this.totals.entries()]
      .map(([kernel, t]) => ({ kernel, calls: t.calls, ms: t.ms, selfMs: t.self }))
      .sort((a, b) => b.selfMs - a.selfMs);
  }

  reset(): void {
    this.totals.clear();
  }
}
