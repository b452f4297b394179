import type { Feed } from '../../generators/imported/io.js';
import {
  type GraphOutput,
  type OnnxGraph,
  onnxRuntimeInstalled,
  openOnnxGraph,
} from '../../generators/imported/onnx.js';
import { runtimePreference } from '../../generators/twin.js';
import * as tf from '../../runtime/tf.js';
import { cnnLayers, cnnStepGraphs, gradOf, paramOf } from './cnn-graph.js';

/** Where a classifier's training steps run: TF.js (wasm or native) or ONNX Runtime ({@link openOnnxGradients}). */
export type TrainingRuntime = 'tfjs' | 'onnx';

/** A classifier's loss gradients on ONNX Runtime, one batch at a time. */
export interface OnnxGradients {
  /**
   * The loss `lossOf(logits)` of the image batch `x` float32 [B, H, W, C] and its gradient for each of the
   * model's trainable weights, named by variable as `optimizer.applyGradients` takes them (the caller
   * disposes them). The weights are read from the model at each call. `lossOf` runs on TF.js: any loss of
   * the logits works.
   * @throws {Error} naming the model when ONNX Runtime rejects the batch
   */
  gradients(
    x: tf.Tensor,
    lossOf: (logits: tf.Tensor2D) => tf.Scalar,
  ): Promise<{ loss: number; grads: { name: string; tensor: tf.Tensor }[] }>;
  /**
   * {@link gradients} for the mean softmax cross-entropy of `labels` (int32 [B]; trainer/losses/cross-entropy.ts)
   * in one graph run ({@link cnnStepGraphs} `crossEntropy`): the baselines' step, without handing the
   * activations through JavaScript. Its time counts in `ms.crossEntropy`.
   */
  crossEntropyGradients(
    x: tf.Tensor,
    labels: Int32Array,
  ): Promise<{ loss: number; grads: { name: string; tensor: tf.Tensor }[] }>;
  /** Milliseconds spent so far in each phase of {@link gradients}, summed over its calls (`goe bench train-step`). */
  readonly ms: { forward: number; loss: number; backward: number; crossEntropy: number };
  dispose(): Promise<void>;
}

/**
 * The runtime `goe train`/`goe finetune` use for `model`: ONNX Runtime when onnxruntime-node is installed,
 * `GOE_RUNTIME` is not `tfjs`, the run is on one worker (data-parallel workers run TF.js) and the model is
 * a plain CNN {@link cnnLayers} can read (goe's small and reference CNNs; not the GRU nor the wide ResNet,
 * whose batch norm it does not model); TF.js otherwise. Measured in `goe bench train-step` (README).
 */
export function trainingRuntime(model: tf.LayersModel, workers = 1): TrainingRuntime {
  if (workers > 1 || runtimePreference() === 'tfjs' || !onnxRuntimeInstalled()) return 'tfjs';
  return cnnLayers(model) ? 'onnx' : 'tfjs';
}

/**
 * Opens the forward and backward graphs of `model` ({@link cnnStepGraphs}) on ONNX Runtime.
 * Each step runs the forward graph for the logits and the activations the backward pass reads, TF.js for
 * ∂loss/∂logits (a [B, K] tensor), then the backward graph on them. Handing the activations over measured
 * faster than recomputing them in the backward graph (README, `goe bench train-step`).
 * @throws {Error} when the model is not one {@link cnnLayers} reads
 */
export async function openOnnxGradients(model: tf.LayersModel, what: string): Promise<OnnxGradients> {
  const layers = cnnLayers(model);
  if (!layers) throw new Error(`${what}: not a plain CNN, so it cannot train on ONNX Runtime`);
  const inputShape = model.inputs[0].shape.slice(1) as number[] as [number, number, number];
  const graphs = cnnStepGraphs(layers, inputShape);
  // Each graph's session is opened at its first use: a baseline (cross-entropy) run never needs the two-graph
  // pair, a fine-tuning run (OE or energy loss) never needs the cross-entropy graph.
  const opened: Promise<OnnxGraph>[] = [];
  const lazily = (bytes: Uint8Array, label: string) => {
    let session: Promise<OnnxGraph> | undefined;
    return () => {
      if (!session) {
        session = openOnnxGraph(bytes, `${what} (${label})`);
        opened.push(session);
      }
      return session;
    };
  };
  const forward = lazily(graphs.forward, 'forward');
  const backward = lazily(graphs.backward, 'backward');
  const crossEntropy = lazily(graphs.crossEntropy, 'cross-entropy step');
  const weights = model.trainableWeights;
  const names = weights.map(paramOf);
  const ms = { forward: 0, loss: 0, backward: 0, crossEntropy: 0 };
  const paramFeeds = (): Feed[] =>
    weights.map((w, i) => ({
      name: names[i],
      dtype: 'float32',
      shape: w.shape as number[],
      data: w.read().dataSync() as Float32Array,
    }));
  const xFeedOf = (x: tf.Tensor): Feed => ({
    name: 'x',
    dtype: 'float32',
    shape: x.shape,
    data: x.dataSync() as Float32Array,
  });
  const gradsOf = (out: Record<string, GraphOutput>) =>
    weights.map((w, i) => {
      const g = out[gradOf(names[i])];
      return { name: (w.read() as tf.Variable).name, tensor: tf.tensor(g.data as Float32Array, [...g.dims]) };
    });
  return {
    ms,
    async crossEntropyGradients(x, labels) {
      const t0 = performance.now();
      const out = await (await crossEntropy()).run([
        xFeedOf(x),
        { name: 'labels', dtype: 'int32', shape: [labels.length], data: labels },
        ...paramFeeds(),
      ]);
      const grads = gradsOf(out);
      ms.crossEntropy += performance.now() - t0;
      return { loss: (out.loss.data as Float32Array)[0], grads };
    },
    async gradients(x, lossOf) {
      const t0 = performance.now();
      const params = paramFeeds();
      const xFeed = xFeedOf(x);
      const fwd = await (await forward()).run([xFeed, ...params]);
      const logits = fwd.logits;
      const [B, K] = logits.dims;
      const t1 = performance.now();
      const { value, grad } = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => lossOf(l as tf.Tensor2D))(
          tf.tensor2d(logits.data as Float32Array, [B, K]),
        );
        return { value: tf.keep(value), grad: tf.keep(grad) };
      });
      const loss = value.dataSync()[0];
      const dlogits = grad.dataSync() as Float32Array;
      tf.dispose([value, grad]);
      const t2 = performance.now();
      const out = await (await backward()).run([
        xFeed,
        ...params,
        ...graphs.activations.map(({ name, dtype }): Feed => {
          const a = fwd[name];
          return { name, dtype, shape: [...a.dims], data: a.data };
        }),
        { name: 'dlogits', dtype: 'float32', shape: [B, K], data: dlogits },
      ]);
      const grads = gradsOf(out);
      ms.forward += t1 - t0;
      ms.loss += t2 - t1;
      ms.backward += performance.now() - t2;
      return { loss, grads };
    },
    async dispose() {
      for (const session of opened) await (await session).dispose();
    },
  };
}
