import {
  backend_util,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { KernelScope } from '../kernel-scope.js';

/**
 * The depthwise-convolution gradients for wasm, through the dense convolution gradients.
 *
 * A depthwise filter w[kh, kw, ci, m] is the dense filter W[i, j, c, c'·m + k] = w[i, j, c, k]·δ(c, c'),
 * block-diagonal over channels. So dx is the dense `Conv2DBackpropInput` with W, and dw is the diagonal of
 * the dense `Conv2DBackpropFilter`. This costs ci times the FLOPs of a dedicated kernel; goe's models use
 * no depthwise layers, so correctness (checked against the cpu backend in tests) is what matters here.
 */
interface WasmOutputMaker {
  makeOutput(shape: number[], dtype: 'float32', memoryOffset: undefined, values: Float32Array): TensorInfo;
}

function eye(scope: KernelScope, backend: KernelBackend, ci: number): TensorInfo {
  const values = new Float32Array(ci * ci);
  for (let c = 0; c < ci; c++) values[c * ci + c] = 1;
  // BackendWasm has no `makeTensorInfo`; `makeOutput` with values is how its own kernels upload constants.
  const wasm = backend as unknown as WasmOutputMaker;
  return scope.adopt(wasm.makeOutput([1, 1, ci, ci, 1], 'float32', undefined, values));
}

function checkAttrs(dilations: number | [number, number], dataFormat?: string): void {
  const d = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`depthwise gradients on wasm need dilations 1, got ${d}`);
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`depthwise gradients on wasm support NHWC only, got ${dataFormat}`);
  }
}

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  checkAttrs(attrs.dilations);
  const [kh, kw, ci, m] = filter.shape;
  const scope = new KernelScope(backend, 'wasm');
  try {
    const w5 = scope.run('Reshape', { x: filter }, { shape: [kh, kw, ci, 1, m] });
    const dense5 = scope.run('Multiply', { a: w5, b: eye(scope, backend, ci) });
    const dense = scope.run('Reshape', { x: dense5 }, { shape: [kh, kw, ci, ci * m] });
    return scope.keep(
      scope.run(Conv2DBackpropInput, { dy, filter: dense }, {
        strides: attrs.strides,
        pad: attrs.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: attrs.dimRoundingMode,
        inputShape: attrs.inputShape,
      } as unknown as Record<string, never>),
    );
  } finally {
    scope.dispose();
  }
}

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  checkAttrs(attrs.dilations);
  const [kh, kw, ci, m] = attrs.filterShape;
  // Validates the shapes the same way the cpu kernel does.
  backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const scope = new KernelScope(backend, 'wasm');
  try {
    const dense = scope.run(Conv2DBackpropFilter, { x, dy }, {
      strides: attrs.strides,
      pad: attrs.pad,
      dataFormat: 'NHWC',
      dimRoundingMode: attrs.dimRoundingMode,
      filterShape: [kh, kw, ci, ci * m],
    } as unknown as Record<string, never>);
    const dense5 = scope.run('Reshape', { x: dense }, { shape: [kh, kw, ci, ci, m] });
    const diagonal = scope.run('Multiply', { a: dense5, b: eye(scope, backend, ci) });
    return scope.keep(scope.run('Sum', { x: diagonal }, { axis: [3], keepDims: false }));
  } finally {
    scope.dispose();
  }
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
