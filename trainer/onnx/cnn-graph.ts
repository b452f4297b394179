import type onnxProto from 'onnx-proto';
import { FLOAT, INT32, INT64, OnnxGraphBuilder } from '../../runtime/onnx-graph.js';
import type * as tf from '../../runtime/tf.js';

/** One layer of a plain feed-forward image classifier, as {@link cnnLayers} reads it from a TF.js model. */
export type CnnLayer =
  | {
      kind: 'conv';
      name: string;
      filters: number;
      kernel: number;
      stride: number;
      /** TF.js 'same' padding of this layer's input: [top, bottom, left, right]. */
      pads: [number, number, number, number];
      relu: boolean;
      /** Input [H, W, C] and output [H, W, C] of this layer (batch aside). */
      input: [number, number, number];
      output: [number, number, number];
    }
  | {
      kind: 'pool';
      name: string;
      size: number;
      input: [number, number, number];
      output: [number, number, number];
    }
  | { kind: 'flatten'; name: string; input: [number, number, number] }
  | { kind: 'dense'; name: string; units: number; relu: boolean };

/**
 * The layers of `model` when it is a sequential stack of conv2d (square kernel and stride, 'same' or 'valid'
 * padding, ReLU or linear), max-pooling (square, stride = size, 'valid'), flatten and dense (ReLU or linear)
 * layers, channels-last, without batch norm or dropout — goe's small and reference CNNs; undefined otherwise.
 */
export function cnnLayers(model: tf.LayersModel): CnnLayer[] | undefined {
  const layers: CnnLayer[] = [];
  for (const l of model.layers) {
    const c = l.getConfig() as Record<string, unknown>;
    const act = c.activation as string | undefined;
    if (act !== undefined && act !== 'relu' && act !== 'linear') return undefined;
    const inShape = (l.input as tf.SymbolicTensor).shape.slice(1) as number[];
    const outShape = (l.outputShape as number[]).slice(1);
    const sq = (v: unknown) => {
      const a = Array.isArray(v) ? (v as number[]) : [v as number, v as number];
      return a[0] === a[1] ? a[0] : undefined;
    };
    switch (l.getClassName()) {
      case 'Conv2D': {
        const kernel = sq(c.kernelSize);
        const stride = sq(c.strides);
        if (!kernel || !stride || (sq(c.dilationRate) ?? 1) !== 1 || c.dataFormat === 'channelsFirst') return;
        if (c.useBias === false) return;
        const [H, W] = inShape;
        const [Ho, Wo] = outShape;
        const pad = (n: number, no: number) => {
          if (c.padding === 'valid') return [0, 0];
          // TF 'same': total padding so that the output is ⌈n / stride⌉, the odd one at the end.
          const total = Math.max((no - 1) * stride + kernel - n, 0);
          return [Math.floor(total / 2), total - Math.floor(total / 2)];
        };
        const [pt, pb] = pad(H, Ho);
        const [pl, pr] = pad(W, Wo);
        layers.push({
          kind: 'conv',
          name: l.name,
          filters: c.filters as number,
          kernel,
          stride,
          pads: [pt, pb, pl, pr],
          relu: act === 'relu',
          input: inShape as [number, number, number],
          output: outShape as [number, number, number],
        });
        break;
      }
      case 'MaxPooling2D': {
        const size = sq(c.poolSize);
        if (!size || sq(c.strides) !== size || c.padding !== 'valid') return;
        layers.push({
          kind: 'pool',
          name: l.name,
          size,
          input: inShape as [number, number, number],
          output: outShape as [number, number, number],
        });
        break;
      }
      case 'Flatten':
        layers.push({ kind: 'flatten', name: l.name, input: inShape as [number, number, number] });
        break;
      case 'Dense':
        if (c.useBias === false) return;
        layers.push({ kind: 'dense', name: l.name, units: c.units as number, relu: act === 'relu' });
        break;
      default:
        return undefined;
    }
  }
  return layers.length && layers[layers.length - 1].kind === 'dense' ? layers : undefined;
}

/** Names of a layer's parameters as graph inputs and gradient outputs (TF.js layouts, the model's order). */
export const kernelOf = (layer: string) => `${layer}.kernel`;
export const biasOf = (layer: string) => `${layer}.bias`;
export const gradOf = (param: string) => `grad.${param}`;
/** The graph input of one of the model's trainable weights (TF.js names them `layer/kernel`, `layer/bias`). */
export function paramOf(weight: tf.LayerVariable): string {
  const [layer, kind] = weight.originalName.split('/');
  return kind === 'kernel' ? kernelOf(layer) : biasOf(layer);
}

/** An activation the forward graph hands to the backward graph (float32, or int32 arg-max indices). */
export interface Activation {
  name: string;
  dtype: 'float32' | 'int32';
}

/**
 * The ONNX graphs (opset 17, IR 8) of a training step of a {@link cnnLayers} classifier on ONNX Runtime,
 * built in memory. Parameters are graph inputs in TF.js layouts (conv kernel [k, k, in, out], dense
 * [in, out], biases [n]), fed each step, so the graphs never hold stale weights.
 * - `forward`: `x` float32 [B, H, W, C] (NHWC, as TF.js) → `logits` [B, K] and the `activations` the
 *   backward pass reads (each layer's input and ReLU output, max-pooling's arg-max as int32).
 * - `backward`: `x`, those activations and `dlogits` [B, K] (∂loss/∂logits, from TF.js: any loss of the
 *   logits) → every parameter's gradient `grad.<name>` in its TF.js layout.
 * - `crossEntropy`: both in one graph for the mean softmax cross-entropy of `labels` int32 [B] (the baselines'
 *   loss, trainer/losses/cross-entropy.ts), its ∂/∂logits = (softmax − one-hot) / B in the graph:
 *   `x`, `labels` → `loss` (scalar) and every `grad.<name>`. One run, no activations handed over.
 * Backward rules (the adjoints of each op, as in any autodiff text, e.g. Goodfellow et al. 2016 §6.5):
 * dense dW = xᵀ·dy, dx = dy·Wᵀ; ReLU masks by output > 0; max-pooling routes each gradient to its arg-max
 * (ONNX MaxPool's indices, scattered back; as TF.js, one position per window); conv dx = the correlation of
 * dy with the kernel turned 180° (ConvTranspose for stride > 1), dW = the patch matrix of x times dy (one
 * GEMM). Profile of a reference-CNN step (batch 128) and what each choice measured: README, issue 13.
 */
export function cnnStepGraphs(
  layers: CnnLayer[],
  inputShape: [number, number, number],
): { forward: Uint8Array; backward: Uint8Array; crossEntropy: Uint8Array; activations: Activation[] } {
  const forward = build(layers, inputShape, 'forward');
  const backward = build(layers, inputShape, 'backward');
  const crossEntropy = build(layers, inputShape, 'cross-entropy');
  return {
    forward: forward.bytes,
    backward: backward.bytes,
    crossEntropy: crossEntropy.bytes,
    activations: forward.kept,
  };
}

function build(
  layers: CnnLayer[],
  inputShape: [number, number, number],
  graph: 'forward' | 'backward' | 'cross-entropy',
): { bytes: Uint8Array; kept: Activation[] } {
  const backward = graph !== 'forward';
  const g = new OnnxGraphBuilder();
  const { int, ints } = g;
  const op = g.op.bind(g);
  const i64 = (values: number[]) => g.i64(values);
  const kept: Activation[] = [];
  const param = (name: string, dims: number[]) => g.input(name, dims);
  /** Marks a forward tensor [batch, …dims] as one the backward pass reads. */
  const keep = (name: string, dims: number[], dtype: Activation['dtype'] = 'float32') => {
    if (graph === 'cross-entropy' || kept.some((a) => a.name === name)) return name;
    kept.push({ name, dtype });
    const type = dtype === 'int32' ? INT32 : FLOAT;
    if (backward) g.input(name, ['batch', ...dims], type);
    else g.output(name, ['batch', ...dims], type);
    return name;
  };
  const transpose = (x: string, perm: number[], out?: string) =>
    op('Transpose', [x], [ints('perm', perm)], out);
  const chw = (s: [number, number, number]) => [s[2], s[0], s[1]];
  g.input('x', ['batch', ...inputShape]);

  // Forward. NCHW inside (ONNX's conv layout), NHWC at flatten (TF.js's dense kernels read that order).
  type Saved = { layer: CnnLayer; x: string; y: string; indices?: string; w?: string };
  const saved: Saved[] = [];
  let x = transpose('x', [0, 3, 1, 2]);
  let width = 0; // of the dense layers' input
  for (const [i, l] of layers.entries()) {
    if (l.kind === 'conv') {
      const w = transpose(param(kernelOf(l.name), [l.kernel, l.kernel, l.input[2], l.filters]), [3, 2, 0, 1]);
      const [pt, pb, pl, pr] = l.pads;
      let y = op(
        'Conv',
        [x, w, param(biasOf(l.name), [l.filters])],
        [
          ints('kernel_shape', [l.kernel, l.kernel]),
          ints('strides', [l.stride, l.stride]),
          ints('pads', [pt, pl, pb, pr]),
        ],
      );
      if (l.relu) y = keep(op('Relu', [y], [], `relu_${l.name}`), chw(l.output));
      // The first layer's input is the graph's own `x`: the backward graph transposes it again.
      if (i > 0) keep(x, chw(l.input));
      saved.push({ layer: l, x, y, w });
      x = y;
    } else if (l.kind === 'pool') {
      const y = `pool_${l.name}`;
      const indices = `argmax64_${l.name}`;
      g.opN(
        'MaxPool',
        [x],
        [y, indices],
        [ints('kernel_shape', [l.size, l.size]), ints('strides', [l.size, l.size])],
      );
      keep(x, chw(l.input));
      const idx = keep(op('Cast', [indices], [int('to', INT32)], `argmax_${l.name}`), chw(l.output), 'int32');
      saved.push({ layer: l, x, y, indices: idx });
      x = y;
    } else if (l.kind === 'flatten') {
      width = l.input[0] * l.input[1] * l.input[2];
      const y = op('Reshape', [transpose(x, [0, 2, 3, 1]), i64([-1, width])], [], `flat_${l.name}`);
      saved.push({ layer: l, x, y });
      x = y;
    } else {
      const w = param(kernelOf(l.name), [width, l.units]);
      keep(x, [width]);
      let y = op('Add', [op('MatMul', [x, w]), param(biasOf(l.name), [l.units])], [], `dense_${l.name}`);
      if (l.relu) y = keep(op('Relu', [y], [], `relu_${l.name}`), [l.units]);
      saved.push({ layer: l, x, y, w });
      width = l.units;
      x = y;
    }
  }
  const K = width;
  if (!backward) {
    op('Identity', [x], [], 'logits');
    g.outputs.unshift(OnnxGraphBuilder.tensor('logits', ['batch', K]));
  } else {
    const zero = g.f32(0, 'zero');
    const reluMask = (dy: string, y: string) => op('Where', [op('Greater', [y, zero]), dy, zero]);
    let dy = 'dlogits';
    if (graph === 'cross-entropy') {
      g.input('labels', ['batch'], INT32);
      const logp = op('LogSoftmax', [x], [int('axis', 1)]);
      const offOn = g.weight(g.name('off_on'), Float32Array.of(0, 1), [2]);
      // ONNX Runtime's OneHot takes int64 indices with float values and an int64 depth.
      const labels64 = op('Cast', ['labels'], [int('to', INT64)]);
      const oneHot = op('OneHot', [labels64, i64([K]), offOn], [int('axis', -1)]);
      const picked = op('ReduceSum', [op('Mul', [logp, oneHot]), i64([1])]);
      op('Neg', [op('ReduceMean', [picked], [int('keepdims', 0)])], [], 'loss');
      g.outputs.unshift(OnnxGraphBuilder.tensor('loss', []));
      const rows = op('Cast', [op('Gather', [op('Shape', [x]), i64([0])])], [int('to', FLOAT)]);
      dy = op('Div', [op('Sub', [op('Exp', [logp]), oneHot]), rows]);
    } else {
      g.input('dlogits', ['batch', K]);
    }
    for (let i = saved.length - 1; i >= 0; i--) {
      const s = saved[i];
      const l = s.layer;
      const first = i === 0;
      if (l.kind === 'dense') {
        if (l.relu) dy = reluMask(dy, s.y);
        op('MatMul', [transpose(s.x, [1, 0]), dy], [], gradOf(kernelOf(l.name)));
        op('ReduceSum', [dy, i64([0])], [int('keepdims', 0)], gradOf(biasOf(l.name)));
        if (!first) dy = op('MatMul', [dy, transpose(s.w!, [1, 0])]);
      } else if (l.kind === 'flatten') {
        const [h, w, c] = l.input;
        dy = transpose(op('Reshape', [dy, i64([-1, h, w, c])]), [0, 3, 1, 2]);
      } else if (l.kind === 'pool') {
        // Each output's gradient goes to the input position its max came from (no overlaps: stride = size).
        const flat = op('Reshape', [op('ConstantOfShape', [op('Shape', [s.x])]), i64([-1])]);
        const scattered = op(
          'ScatterElements',
          [flat, op('Reshape', [s.indices!, i64([-1])]), op('Reshape', [dy, i64([-1])])],
          [int('axis', 0)],
        );
        dy = op('Reshape', [scattered, op('Shape', [s.x])]);
      } else {
        if (l.relu) dy = reluMask(dy, s.y);
        const [pt, pb, pl, pr] = l.pads;
        const [H, W] = l.input;
        const [Ho, Wo] = l.output;
        // Rows and columns of the padded input no output reads (stride > 1): ConvTranspose adds them back.
        const extraH = (H + pt + pb - l.kernel) % l.stride;
        const extraW = (W + pl + pr - l.kernel) % l.stride;
        // dW[a, b, i, o] = Σ_n,h,w x_pad[n, i, s·h + a, s·w + b] · dy[n, o, h, w]: one GEMM P·DY, P the
        // [k·k·in × K] patch matrix (the k·k shifted views of the channel-major padded input, stacked) and DY
        // dy as [K × out], K = B·Ho·Wo; its rows come out in TF.js's (a, b, i) order. Measured ≈ 2× faster
        // than the same sums as per-offset GEMMs with a transposed operand or as one dilated Conv of xᵀ by dyᵀ.
        const K = (n: string) => op('Reshape', [n, i64([0, -1])]);
        const dyRows = op('Reshape', [transpose(dy, [0, 2, 3, 1]), i64([-1, l.filters])]);
        const xPad = op('Pad', [transpose(s.x, [1, 0, 2, 3]), i64([0, 0, pt, pl, 0, 0, pb, pr])]);
        const taps: string[] = [];
        for (let a = 0; a < l.kernel; a++) {
          for (let b = 0; b < l.kernel; b++) {
            taps.push(
              op('Slice', [
                xPad,
                i64([a, b]),
                i64([a + l.stride * (Ho - 1) + 1, b + l.stride * (Wo - 1) + 1]),
                i64([2, 3]),
                i64([l.stride, l.stride]),
              ]),
            );
          }
        }
        const patches = K(op('Concat', taps, [int('axis', 0)]));
        op(
          'Reshape',
          [op('MatMul', [patches, dyRows]), i64([l.kernel, l.kernel, l.input[2], l.filters])],
          [],
          gradOf(kernelOf(l.name)),
        );
        op('ReduceSum', [dy, i64([0, 2, 3])], [int('keepdims', 0)], gradOf(biasOf(l.name)));
        if (!first && l.stride === 1) {
          // Stride 1: dx is the correlation of dy with the kernel turned 180° and in/out swapped, padded to
          // "full" — a plain Conv, which ONNX Runtime runs faster than ConvTranspose (44 vs 56 ms here).
          const flipped = op('Slice', [
            transpose(s.w!, [1, 0, 2, 3]),
            i64([-1, -1]),
            i64([-(l.kernel + 1), -(l.kernel + 1)]),
            i64([2, 3]),
            i64([-1, -1]),
          ]);
          const full = [l.kernel - 1 - pt, l.kernel - 1 - pl, l.kernel - 1 - pb, l.kernel - 1 - pr];
          dy = op('Conv', [dy, flipped], [ints('kernel_shape', [l.kernel, l.kernel]), ints('pads', full)]);
        } else if (!first) {
          dy = op(
            'ConvTranspose',
            [dy, s.w!],
            [
              ints('kernel_shape', [l.kernel, l.kernel]),
              ints('strides', [l.stride, l.stride]),
              ints('pads', [pt, pl, pb, pr]),
              ints('output_padding', [extraH, extraW]),
            ],
          );
        }
      }
    }
    for (const l of layers) {
      if (l.kind !== 'conv' && l.kind !== 'dense') continue;
      const kernel = g.inputs.find((i) => i.name === kernelOf(l.name))!;
      const dims = kernel.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
      g.output(gradOf(kernelOf(l.name)), dims);
      g.output(gradOf(biasOf(l.name)), [l.kind === 'conv' ? l.filters : l.units]);
    }
    if (graph === 'backward')
      g.nodes = withoutForward(
        g.nodes,
        new Set(kept.map((a) => a.name)),
        g.outputs.map((o) => o.name!),
      );
  }
  return { bytes: g.encode(`cnn_${graph.replace('-', '_')}`), kept };
}

/**
 * The backward graph's nodes once the kept activations are its inputs: the nodes that made them go, and so
 * does whatever only fed those (nodes are in topological order: one reverse sweep from the outputs).
 */
function withoutForward(
  nodes: onnxProto.onnx.INodeProto[],
  given: Set<string>,
  outputs: string[],
): onnxProto.onnx.INodeProto[] {
  const wanted = new Set(outputs);
  const kept: onnxProto.onnx.INodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!n.output!.some((o) => wanted.has(o)) || n.output!.some((o) => given.has(o))) continue;
    kept.push(n);
    for (const input of n.input!) if (!given.has(input)) wanted.add(input);
  }
  return kept.reverse();
}
