import onnxProto from 'onnx-proto';
import { type OnnxGraph, openOnnxGraph } from '../imported/onnx.js';
import type { LmConfig } from './config.js';
import { type LmVars, positionalEncoding } from './model.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** The weights the step graph reads, by their safetensors names (model.ts `initLm`), row-major float32. */
export type LmWeights = Record<string, { data: Float32Array; shape: readonly number[] }>;

const pastK = (l: number) => `past_key_${l}`;
const pastV = (l: number) => `past_value_${l}`;
const presentK = (l: number) => `key_${l}`;
const presentV = (l: number) => `value_${l}`;

/**
 * One cached decoding step of goe's language model (model.ts `lmStep`, `decoderBias: false`) as an ONNX
 * graph, built in memory from the loaded weights (so it can never be stale: no file, no digest).
 * Inputs: `ids` int64 [B] (the previous token of each row), `position` float32 [1, d] (the sinusoidal
 * row of this step, model.ts `positionalEncoding`), and per layer l `past_key_l`, `past_value_l` float32
 * [B, H, t, d/H] (t = 0 at the first step). Outputs: `logits` [B, V] without the decoder's bias (the sampler
 * adds it in float64 while reading them) and the grown cache `key_l`, `value_l` [B, H, t + 1, d/H].
 * Post-norm encoder layers as PyTorch's `TransformerEncoderLayer` (ReLU, layer-norm ε = 1e-5), opset 17
 * (for `LayerNormalization`), IR version 8; operators as in onnx.ai/onnx/operators.
 */
export function lmStepGraph(c: LmConfig, w: LmWeights): Uint8Array {
  const d = c.dModel;
  const dh = d / c.heads;
  const initializer: onnxProto.onnx.ITensorProto[] = [];
  const node: onnxProto.onnx.INodeProto[] = [];
  const weight = (name: string) => {
    const t = w[name];
    if (!t) throw new Error(`the language model has no weight "${name}"`);
    initializer.push({
      name,
      dims: [...t.shape],
      dataType: FLOAT,
      // Little-endian float32 bytes, as ONNX's raw_data asks (every platform Node runs on is little-endian).
      rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    });
    return name;
  };
  let k = 0;
  const constant = (name: string, values: number[], type = INT64) => {
    const id = `${name}_${k++}`;
    initializer.push(
      type === INT64
        ? { name: id, dims: [values.length], dataType: INT64, int64Data: values }
        : { name: id, dims: [], dataType: FLOAT, floatData: values },
    );
    return id;
  };
  const op = (
    opType: string,
    input: string[],
    attribute: onnxProto.onnx.IAttributeProto[] = [],
    out?: string,
  ) => {
    const output = out ?? `${opType}_${k++}`;
    node.push({ opType, input, output: [output], attribute, name: output });
    return output;
  };
  const int = (name: string, i: number) => ({ name, i, type: onnx.AttributeProto.AttributeType.INT });
  const ints = (name: string, v: number[]) => ({
    name,
    ints: v,
    type: onnx.AttributeProto.AttributeType.INTS,
  });
  const float = (name: string, f: number) => ({ name, f, type: onnx.AttributeProto.AttributeType.FLOAT });
  const dense = (x: string, p: string) =>
    op('Add', [op('MatMul', [x, weight(`${p}.weight`)]), weight(`${p}.bias`)]);
  const layerNorm = (x: string, p: string) =>
    op(
      'LayerNormalization',
      [x, weight(`${p}.gain`), weight(`${p}.bias`)],
      [int('axis', -1), float('epsilon', 1e-5)],
    );
  const headShape = constant('heads', [-1, c.heads, 1, dh]);
  const rowShape = constant('rows', [-1, d]);

  // As model.ts `embed`: embedding · √d + the position's sinusoid.
  let x = op('Add', [
    op('Mul', [op('Gather', [weight('embedding'), 'ids']), constant('sqrt_d', [Math.sqrt(d)], FLOAT)]),
    'position',
  ]);
  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}`;
    const qkv = dense(x, `${p}.qkv`);
    const [q, kk, v] = [0, 1, 2].map((i) => `split_${l}_${i}`);
    node.push({
      opType: 'Split',
      input: [qkv, constant('split', [d, d, d])],
      output: [q, kk, v],
      attribute: [int('axis', -1)],
      name: `split_${l}`,
    });
    const keys = op('Concat', [pastK(l), op('Reshape', [kk, headShape])], [int('axis', 2)], presentK(l));
    const values = op('Concat', [pastV(l), op('Reshape', [v, headShape])], [int('axis', 2)], presentV(l));
    const scores = op('Div', [
      op('MatMul', [op('Reshape', [q, headShape]), op('Transpose', [keys], [ints('perm', [0, 1, 3, 2])])]),
      constant('sqrt_dh', [Math.sqrt(dh)], FLOAT),
    ]);
    const context = op('Reshape', [
      op('MatMul', [op('Softmax', [scores], [int('axis', -1)]), values]),
      rowShape,
    ]);
    const h = layerNorm(op('Add', [x, dense(context, `${p}.out`)]), `${p}.norm1`);
    const f = dense(op('Relu', [dense(h, `${p}.ff1`)]), `${p}.ff2`);
    x = layerNorm(op('Add', [h, f]), `${p}.norm2`);
  }
  op('MatMul', [x, weight('decoder.weight')], [], 'logits');

  const tensor = (name: string, elemType: number, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((v) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v })) },
      },
    },
  });
  const cache = (name: string, t: string) => tensor(name, FLOAT, ['batch', c.heads, t, dh]);
  const layers = Array.from({ length: c.layers }, (_, l) => l);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'goe',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'lm_step',
      node,
      initializer,
      input: [
        tensor('ids', INT64, ['batch']),
        tensor('position', FLOAT, [1, d]),
        ...layers.flatMap((l) => [cache(pastK(l), 't'), cache(pastV(l), 't')]),
      ],
      output: [
        tensor('logits', FLOAT, ['batch', c.vocabSize]),
        ...layers.flatMap((l) => [cache(presentK(l), 't1'), cache(presentV(l), 't1')]),
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** One sequence batch's decoding on ONNX Runtime: call `next` with each step's input tokens. */
export interface LmOnnxDecoding {
  /** Logits [rows, V] (row-major, without the decoder's bias) of the token after `ids` [rows]. */
  next(ids: Int32Array): Promise<Float32Array>;
  /** Ends the decoding; its cache is plain JavaScript arrays, so nothing is left to free. */
  done(): void;
}

/** goe's language model on ONNX Runtime, one cached step at a time ({@link lmStepGraph}). */
export interface LmOnnxStepper {
  /** A fresh decoding of `rows` sequences (its own key/value cache, starting at position 0). */
  start(rows: number): LmOnnxDecoding;
  dispose(): Promise<void>;
}

/**
 * Opens {@link lmStepGraph} of the loaded weights on ONNX Runtime (threads as every goe session:
 * generators/imported/onnx.ts). The cache lives in JavaScript between steps and is fed back in.
 * Measured on the 2-core VM with both cores busy (batch 64, zoo/brown-lm): 1,551–1,615 tokens/s against
 * 1,010–1,028 on TF.js/wasm in the same process, logits within 4.3e-6 of TF.js's.
 */
export async function openLmStepper(c: LmConfig, vars: LmVars, what: string): Promise<LmOnnxStepper> {
  const w: LmWeights = Object.fromEntries(
    Object.entries(vars).map(([name, v]) => [name, { data: v.dataSync() as Float32Array, shape: v.shape }]),
  );
  const rt: OnnxGraph = await openOnnxGraph(lmStepGraph(c, w), what);
  const dh = c.dModel / c.heads;
  return {
    start(rows) {
      let t = 0;
      let cache: Float32Array[] = Array.from({ length: 2 * c.layers }, () => new Float32Array(0));
      return {
        async next(ids) {
          const shape = [rows, c.heads, t, dh];
          const out = await rt.run([
            { name: 'ids', dtype: 'int64', shape: [rows], data: ids },
            {
              name: 'position',
              dtype: 'float32',
              shape: [1, c.dModel],
              data: positionalEncoding(t, 1, c.dModel),
            },
            ...cache.map((data, i) => ({
              name: i % 2 === 0 ? pastK(i >> 1) : pastV(i >> 1),
              dtype: 'float32' as const,
              shape,
              data,
            })),
          ]);
          cache = cache.map(
            (_, i) => out[i % 2 === 0 ? presentK(i >> 1) : presentV(i >> 1)].data as Float32Array,
          );
          t++;
          return out.logits.data as Float32Array;
        },
        done() {},
      };
    },
    dispose: () => rt.dispose(),
  };
}
