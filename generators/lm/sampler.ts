import { Purpose, RngArgumentError, sampleStream, uniformIntRows } from '../../runtime/rng/index.js';
import type { Vocab } from '../../runtime/text/vocab.js';
import * as tf from '../../runtime/tf.js';
import type { LmConfig } from './config.js';
import { emptyCache, type KvCache, type LmVars, lmStep } from './model.js';
import type { LmOnnxStepper } from './onnx-step.js';

/** What to sample: row i depends only on (weights, T, classes, seed, i). */
export interface TextSampleRequest {
  /** Softmax temperature T > 0: T > 1 flattens the distribution (GOE's outliers, paper: T = 2). */
  temperature: number;
  /** Class indices to draw from, uniformly; default all. */
  classes?: readonly number[];
  seed: number;
  start?: number;
  count: number;
  /** Tokens per sample; default the model's trained length. */
  length?: number;
  /** Rows decoded together (does not change the values). */
  batchSize?: number;
  /** Whether `<unk>` may be drawn (default true: Brown text has it). At T ≤ 1 a word LM's most frequent
   * token dominates; without it low-temperature samples are fluent near-distribution text. */
  allowUnk?: boolean;
}

/** One batch of generated rows, in request order. */
export interface TextBatch {
  start: number;
  count: number;
  /** count×length token ids, row-major. */
  tokens: Int32Array;
  length: number;
  classes: Int32Array;
}

/** Text rows with the vocabulary that turns their token ids into words (what the row encoders take). */
export interface DecodableTextBatch extends TextBatch {
  vocab: Vocab;
}

/**
 * Autoregressive sampling with a key/value cache. Sample i reads its class from the (seed, i, CLASS)
 * stream and its t-th token from the t-th uniform of the (seed, i, TOKEN) stream, drawn in float64 by
 * inverse CDF from softmax(logits / T): given the same logits the same token on any backend and in any
 * batch. Special tokens (class tokens) are never drawn. With `onnx` (the model's step on ONNX Runtime,
 * onnx-step.ts) the logits come from it rather than TF.js: the same function to float rounding, so a
 * token can differ where two candidates' cumulative weights sit within rounding of the uniform (the
 * runtime is part of the rows' identity, as for a cGAN's twin).
 */
export async function* sampleTexts(
  vars: LmVars,
  config: LmConfig,
  req: TextSampleRequest,
  onnx?: LmOnnxStepper,
): AsyncGenerator<TextBatch> {
  const classes = req.classes ?? config.classTokens.map((_, i) => i);
  const start = req.start ?? 0;
  const batch = req.batchSize ?? 64;
  const length = req.length ?? config.length;
  const V = config.vocabSize;
  checkTemperature(req.temperature);
  const weights = new Float64Array(V);
  // The decoder's bias is added here, not by a broadcast Add kernel: a float32 sum computed in float64
  // and stored in a Float32Array rounds once more, which gives the float32 sum exactly (double rounding
  // is harmless for +: 53 ≥ 2·24 + 2 bits, Figueroa 1995), so the logits are bit-for-bit the kernel's —
  // and this loop is a pass the draw's memory traffic mostly hides.
  const bias = vars['decoder.bias'].dataSync() as Float32Array;
  for (let done = 0; done < req.count; ) {
    const n = Math.min(batch, req.count - done);
    const first = start + done;
    const pick = uniformIntRows(req.seed, first, n, classes.length, Purpose.CLASS);
    const cls = Int32Array.from(pick, (k) => classes[k]);
    const streams = Array.from({ length: n }, (_, r) => sampleStream(req.seed, first + r, Purpose.TOKEN));
    const tokens = new Int32Array(n * length);
    const logitsOf = onnx ? onnx.start(n, length) : tfjsLogits(vars, config);
    try {
      let ids = Int32Array.from(cls, (k) => config.classTokens[k]);
      for (let t = 0; t < length; t++) {
        const logits = await logitsOf.next(ids);
        for (let r = 0; r < n; r++) {
          for (let j = 0, i = r * V; j < V; j++, i++) logits[i] += bias[j];
        }
        const next = new Int32Array(n);
        for (let r = 0; r < n; r++) {
          next[r] = drawToken(
            logits,
            r * V,
            V,
            config.specials,
            req.temperature,
            streams[r].uniform(),
            weights,
            req.allowUnk ?? true,
          );
          tokens[r * length + t] = next[r];
        }
        ids = next;
      }
    } finally {
      logitsOf.done();
    }
    yield { start: first, count: n, tokens, length, classes: cls };
    done += n;
  }
}

/** One batch's decoding: each step's logits [rows, V] (without the decoder's bias) after `ids` [rows]. */
interface Decoding {
  next(ids: Int32Array): Promise<Float32Array>;
  /** Frees what the decoding holds (TF.js's key/value cache). */
  done(): void;
}

function tfjsLogits(vars: LmVars, config: LmConfig): Decoding {
  let cache: KvCache = emptyCache();
  return {
    async next(ids) {
      const input = tf.tensor1d(ids, 'int32');
      const step = lmStep(vars, config, input, cache, { decoderBias: false });
      input.dispose();
      cache = step.cache;
      const logits = (await step.logits.data()) as Float32Array;
      step.logits.dispose();
      return logits;
    },
    done: () => tf.dispose([...cache.keys, ...cache.values]),
  };
}

function checkTemperature(temperature: number): void {
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new RngArgumentError('temperature', temperature, 'must be a finite number >= 0 (0 means argmax)');
  }
}

/**
 * The token `categoricalFromUniform(row, T, u)` draws, where `row` is `logits[offset … offset + V)` with
 * ids 1 … specials − 1 set to −Infinity (`<unk>`, id 0, stays drawable unless `allowUnk` is false): the same
 * float64 operations in the same order — max, wᵢ = exp((lᵢ − max) / T), Σw, first i with u·Σw < Σ_{j≤i} wⱼ
 * — but with no row copy, no per-row allocation (`w` is scratch of length ≥ V) and the masked ids skipped
 * (their weight is exactly 0, and x + 0 = x), so the draw is bit-for-bit the reference one. The V-wide exp
 * of every row is most of a step's JavaScript time.
 *
 * @throws {RngArgumentError} as `categoricalFromUniform` on NaN / +Infinity logits or none finite
 */
export function drawToken(
  logits: Float32Array,
  offset: number,
  V: number,
  specials: number,
  temperature: number,
  u: number,
  w: Float64Array,
  allowUnk = true,
): number {
  const from = Math.max(1, specials);
  const end = offset + V;
  // Index 0 (`<unk>`) first, then from..V−1: the reference's order with the masked ids left out.
  let max = allowUnk ? logits[offset] : Number.NEGATIVE_INFINITY;
  let argmax = 0;
  if (Number.isNaN(max)) throw badLogit(0, max);
  for (let j = offset + from; j < end; j++) {
    const l = logits[j];
    if (l > max) {
      max = l;
      argmax = j - offset;
    } else if (Number.isNaN(l)) {
      throw badLogit(j - offset, l);
    }
  }
  if (max === Number.POSITIVE_INFINITY) throw badLogit(argmax, max);
  if (max === Number.NEGATIVE_INFINITY) {
    throw new RngArgumentError('logits', logits.subarray(offset, end), 'must have at least one finite entry');
  }
  if (temperature === 0) return argmax;
  let total = allowUnk ? Math.exp((logits[offset] - max) / temperature) : 0;
  w[0] = total;
  for (let j = offset + from, i = from; j < end; j++, i++) {
    const x = Math.exp((logits[j] - max) / temperature);
    w[i] = x;
    total += x;
  }
  const target = u * total;
  let acc = 0;
  let last = argmax;
  if (w[0] !== 0) {
    acc = w[0];
    last = 0;
    if (target < acc) return 0;
  }
  for (let i = from; i < V; i++) {
    const x = w[i];
    if (x === 0) continue;
    acc += x;
    last = i;
    if (target < acc) return i;
  }
  // Rounding can leave target ≥ the summed cumulative; fall back to the last class with mass.
  return last;
}

const badLogit = (i: number, l: number) =>
  new RngArgumentError(`logits[${i}]`, l, 'must be a number < +Infinity (-Infinity masks a class)');

/** A generated row as the API's and `goe sample`'s NDJSON text row (api/CONTRACT.md). */
export function textRow(
  b: TextBatch,
  r: number,
  vocab: Vocab,
  classNames: readonly string[],
): { index: number; class: number; label: string; text: string; tokens: number[] } {
  const ids = b.tokens.subarray(r * b.length, (r + 1) * b.length);
  return {
    index: b.start + r,
    class: b.classes[r],
    label: classNames[b.classes[r]],
    text: vocab.decode(ids),
    tokens: Array.from(ids),
  };
}
