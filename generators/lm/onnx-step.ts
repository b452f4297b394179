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
 * row of this step, model.ts `positionalEncoding`), `mask` float32 [1, L] (0 for the t cached positions,
 * −∞ after them) and per layer l the cache of L positions: `past_key_l` [B, H, d/H, L] (keys stored
 * transposed, as the scores' MatMul reads them) and `past_value_l` [B, H, L, d/H]. Outputs: `logits` [B, V]
 * without the decoder's bias (the sampler adds it in float64 while reading them) and this step's `key_l`,
 * `value_l` [B, H, 1, d/H], which the caller writes into position t of its cache.
 * Attention scores the L cached positions (masked) and this step's own key apart, then softmaxes them
 * together: no step copies the cache (a growing one, concatenated and handed back each step, made the
 * last steps 3× the first; issue 13). Post-norm encoder layers as PyTorch's `TransformerEncoderLayer`
 * (ReLU, layer-norm ε = 1e-5), opset 17 (for `LayerNormalization`), IR version 8; operators as in
 * onnx.ai/onnx/operators.
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
  const sqrtDh = g.f32(Math.sqrt(dh), 'sqrt_dh');
  const axisLast = g.i64([-1], 'axis_last');
  const [zero, minusOne, end] = [g.i64([0], 'zero'), g.i64([-1], 'minus_one'), g.i64([2 ** 31 - 1], 'end')];
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
    const query = op('Reshape', [q, headShape]);
    const key = op('Reshape', [kk, headShape], [], presentK(l));
    const value = op('Reshape', [v, headShape], [], presentV(l));
    // [B, H, 1, L] over the cache, masked past t, beside [B, H, 1, 1] of this step's own key.
    const past = op('Add', [op('MatMul', [query, pastK(l)]), 'mask']);
    const own = op('ReduceSum', [op('Mul', [query, key]), axisLast], [int('keepdims', 1)]);
    const weights = op(
      'Softmax',
      [op('Div', [op('Concat', [past, own], [int('axis', -1)]), sqrtDh])],
      [int('axis', -1)],
    );
    const wPast = op('Slice', [weights, zero, minusOne, axisLast]);
    const wOwn = op('Slice', [weights, minusOne, end, axisLast]);
    const context = op('Reshape', [
      op('Add', [op('MatMul', [wPast, pastV(l)]), op('Mul', [wOwn, value])]),
      rowShape,
    ]);
    const h = layerNorm(op('Add', [x, dense(context, `${p}.out`)]), `${p}.norm1`);
    const f = dense(op('Relu', [dense(h, `${p}.ff1`)]), `${p}.ff2`);
    x = layerNorm(op('Add', [h, f]), `${p}.norm2`);
  }
  op('MatMul', [x, weight('decoder.weight')], [], 'logits');

  g.input('ids', ['batch'], INT64);
  g.input('position', [1, d]);
  g.input('mask', [1, 'L']);
  for (let l = 0; l < c.layers; l++) {
    g.input(pastK(l), ['batch', c.heads, dh, 'L']);
    g.input(pastV(l), ['batch', c.heads, 'L', dh]);
  }
  g.output('logits', ['batch', c.vocabSize]);
  for (let l = 0; l < c.layers; l++)
    for (const n of [presentK(l), presentV(l)]) g.output(n, ['batch', c.heads, 1, dh]);
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
  /**
   * A fresh decoding of `rows` sequences of up to `length` tokens (its own key/value cache of `length`
   * positions, starting at position 0).
   */
  start(rows: number, length: number): LmOnnxDecoding;
  dispose(): Promise<void>;
}

/**
 * Opens {@link lmStepGraph} of the loaded weights on ONNX Runtime (threads as every goe session:
 * generators/imported/onnx.ts). The cache lives in JavaScript, allocated once per decoding at its full
 * length; each step writes its own keys and values into position t (ONNX Runtime reads the inputs in place).
 */
export async function openLmStepper(c: LmConfig, vars: LmVars, what: string): Promise<LmOnnxStepper> {
  const w: LmWeights = Object.fromEntries(
    Object.entries(vars).map(([name, v]) => [name, { data: v.dataSync() as Float32Array, shape: v.shape }]),
  );
  const rt: OnnxGraph = await openOnnxGraph(lmStepGraph(c, w), what);
  const dh = c.dModel / c.heads;
  return {
    start(rows, length) {
      let t = 0;
      const heads = rows * c.heads;
      const keys = Array.from({ length: c.layers }, () => new Float32Array(heads * dh * length));
      const values = Array.from({ length: c.layers }, () => new Float32Array(heads * length * dh));
      const mask = new Float32Array(length).fill(Number.NEGATIVE_INFINITY);
      return {
        async next(ids) {
          if (t >= length)
            throw new Error(`${what}: a decoding of ${length} tokens asked for token ${t + 1}`);
          const f32 = (name: string, shape: number[], data: Float32Array) =>
            ({ name, dtype: 'float32', shape, data }) as const;
          const out = await rt.run([
            { name: 'ids', dtype: 'int64', shape: [rows], data: ids },
            f32('position', [1, c.dModel], positionalEncoding(t, 1, c.dModel)),
            f32('mask', [1, length], mask),
            ...keys.map((data, l) => f32(pastK(l), [rows, c.heads, dh, length], data)),
            ...values.map((data, l) => f32(pastV(l), [rows, c.heads, length, dh], data)),
          ]);
          for (let l = 0; l < c.layers; l++) {
            const k = out[presentK(l)].data as Float32Array;
            const v = out[presentV(l)].data as Float32Array;
            const [K, V] = [keys[l], values[l]];
            for (let h = 0; h < heads; h++) {
              // Keys are stored transposed ([d/H, L] per head): this step's key is column t.
              for (let i = 0, at = h * dh * length + t; i < dh; i++, at += length) K[at] = k[h * dh + i];
              V.set(v.subarray(h * dh, (h + 1) * dh), (h * length + t) * dh);
            }
          }
          mask[t] = 0;
          t++;
          return out.logits.data as Float32Array;
        },
        done() {},
      };
    },
    dispose: () => rt.dispose(),
  };
}
