import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Calls other kernels of one backend from inside a kernel, and frees the intermediates.
 *
 * A kernel may not call `tf.*` ops (the engine would track their outputs in the caller's scope and tape);
 * calling registered kernel functions directly on `TensorInfo`s is how the backends compose kernels.
 */
export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs kernel `name` and remembers its output for `dispose()`. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(name, this.backendName);
    if (!kernel) throw new Error(`kernel ${name} is not registered for backend ${this.backendName}`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** Puts a tensor made by the backend (e.g. `makeTensorInfo`) in the scope. */
  adopt(info: TensorInfo): TensorInfo {
    this.temps.push(info);
    return info;
  }

  /** Takes `info` out of the scope so that it survives `dispose()` (the kernel's result). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.temps.indexOf(info);
    if (i >= 0) this.temps.splice(i, 1);
    return info;
  }

  /** Frees every intermediate that was not kept. */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}
