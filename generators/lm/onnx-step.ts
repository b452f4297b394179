import { INT64, OnnxGraphBuilder } from '../../runtime/onnx-graph.js';
import { type OnnxGraph, openOnnxGraph } from '../imported/onnx.js';
import type { LmConfig } from './config.js';
import { type LmVars, positionalEncoding } from './model.js';

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
  const g = new OnnxGraphBuilder();
  const { int, float } = g;
  const op = g.op.bind(g);
  const weight = (name: string) => {
    const t = w[name];
    if (!t) throw new Error(`the language model has no weight "${name}"`);
    return g.weight(name, t.data, t.shape);
  };
  const dense = (x: string, p: string) =>
    op('Add', [op('MatMul', [x, weight(`${p}.weight`)]), weight(`${p}.bias`)]);
  const layerNorm = (x: string, p: string) =>
    op(
      'LayerNormalization',
      [x, weight(`${p}.gain`), weight(`${p}.bias`)],
      [int('axis', -1), float('epsilon', 1e-5)],
    );
  const headShape = g.i64([-1, c.heads, 1, dh], 'heads');
  const rowShape = g.i64([-1, d], 'rows');

  // As model.ts `embed`: embedding · √d + the position's sinusoid.
  let x = op('Add', [
    op('Mul', [op('Gather', [weight('embedding'), 'ids']), g.f32(Math.sqrt(d), 'sqrt_d')]),
    'position',
  ]);
  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}`;
    const qkv = dense(x, `${p}.qkv`);
    const [q, kk, v] = [0, 1, 2].map((i) => `split_${l}_${i}`);
    g.opN('Split', [qkv, g.i64([d, d, d], 'split')], [q, kk, v], [int('axis', -1)]);
    const keys = op('Concat', [pastK(l), op('Reshape', [kk, headShape])], [int('axis', 2)], presentK(l));
    const values = op('Concat', [pastV(l), op('Reshape', [v, headShape])], [int('axis', 2)], presentV(l));
    const scores = op('Div', [
      op('MatMul', [op('Reshape', [q, headShape]), op('Transpose', [keys], [g.ints('perm', [0, 1, 3, 2])])]),
      g.f32(Math.sqrt(dh), 'sqrt_dh'),
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

  const cache = (t: string) => ['batch', c.heads, t, dh];
  const layers = Array.from({ length: c.layers }, (_, l) => l);
  g.input('ids', ['batch'], INT64);
  g.input('position', [1, d]);
  for (const l of layers) for (const n of [pastK(l), pastV(l)]) g.input(n, cache('t'));
  g.output('logits', ['batch', c.vocabSize]);
  for (const l of layers) for (const n of [presentK(l), presentV(l)]) g.output(n, cache('t1'));
  return g.encode('lm_step');
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
