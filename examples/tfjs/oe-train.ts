/**
 * Outlier Exposure in an existing TensorFlow.js training loop, with outliers streamed from a goe server.
 *
 * The model is an ordinary `tf.LayersModel`, first trained as usual with `model.fit`. Then each step pairs
 * an in-distribution batch with a batch of generated outliers (`streamOutliers` + `oeBatches` of the goe
 * SDK) and minimises L = CE(f(x), y) + λ·mean_out(logsumexp(f(x')) − mean_c f_c(x'))  (Hendrycks et al.).
 * Finally it writes MSP scores (higher = more OOD) of the ID test set and of uniform-noise images as a CSV
 * for `goe metrics --scores`.
 *
 *   npx tsx examples/tfjs/oe-train.ts --api http://127.0.0.1:8080 [--synthetic 512] [--epochs 2]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { streamOutliers } from '../../sdk/index.js';
import { oeBatches } from '../../sdk/tfjs.js';

const { values: opt } = parseArgs({
  options: {
    api: { type: 'string', default: process.env.GOE_API ?? 'http://127.0.0.1:8080' },
    model: { type: 'string', default: 'fashion-mnist-cgan' },
    sigma2: { type: 'string', default: '50' },
    seed: { type: 'string', default: '7' },
    data: {
      type: 'string',
      default: process.env.GOE_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist',
    },
    synthetic: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    scores: { type: 'string', default: 'scores.csv' },
  },
});
const seed = Number(opt.seed);
const batch = Number(opt.batch);
const epochs = Number(opt.epochs);
const LAMBDA = 0.5;

/** Images uint8 [n, 28, 28, 1] and labels. */
interface Data {
  x: Uint8Array;
  y: Int32Array;
  n: number;
}

/** One IDX file (the MNIST family's format), gzipped. */
function readIdx(path: string): { data: Uint8Array; shape: number[] } {
  const bytes = gunzipSync(readFileSync(path));
  const ndim = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  return { data: bytes.subarray(4 + 4 * ndim), shape };
}

function fashionMnist(split: 'train' | 't10k'): Data {
  const x = readIdx(join(opt.data, `${split}-images-idx3-ubyte.gz`));
  const y = readIdx(join(opt.data, `${split}-labels-idx1-ubyte.gz`));
  return { x: x.data, y: Int32Array.from(y.data), n: x.shape[0] };
}

/** A tiny stand-in for Fashion-MNIST (quick runs): class k is a bright bar at row 2k+3, plus noise. */
function synthetic(n: number, salt: number): Data {
  let s = (seed * 9973 + salt) >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Uint8Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rand() * 10);
    y[i] = k;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const col = p % 28;
      x[i * 784 + p] = row >= 2 * k + 3 && row < 2 * k + 6 && col >= 4 && col < 24 ? 220 : rand() * 60;
    }
  }
  return { x, y, n };
}

function images(d: Data, from: number, to: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf
      .tensor4d(d.x.subarray(from * 784, to * 784), [to - from, 28, 28, 1], 'int32')
      .toFloat()
      .div(255),
  );
}

/** In-distribution batches as tensors; the loop disposes each after its step. */
function* inBatches(d: Data): Generator<{ x: tf.Tensor4D; y: tf.Tensor1D }> {
  for (let i = 0; i + batch <= d.n; i += batch) {
    yield { x: images(d, i, i + batch), y: tf.tensor1d(d.y.subarray(i, i + batch), 'int32') };
  }
}

/** CE on the in-distribution batch + λ · cross-entropy of the outliers to the uniform distribution. */
function oeLoss(logitsIn: tf.Tensor2D, y: tf.Tensor1D, logitsOut: tf.Tensor2D): tf.Scalar {
  const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), logitsIn);
  const uniform = tf.logSumExp(logitsOut, 1).sub(tf.mean(logitsOut, 1)).mean();
  return ce.add(uniform.mul(LAMBDA)) as tf.Scalar;
}

/** MSP score, higher = more OOD: −max softmax. */
function mspScores(model: tf.LayersModel, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor2D).softmax().max(1).neg().dataSync() as Float32Array);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const n = Number(opt.synthetic);
  const train = n > 0 ? synthetic(n, 1) : fashionMnist('train');
  const test = n > 0 ? synthetic(Math.max(64, n / 4), 2) : fashionMnist('t10k');

  // The existing model and its usual training.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: tf.losses.softmaxCrossEntropy });
  const xTrain = images(train, 0, train.n);
  const yTrain = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10);
  await model.fit(xTrain, yTrain, { epochs, batchSize: batch, verbose: 0 });
  tf.dispose([xTrain, yTrain]);

  // OE fine-tuning: one outlier batch per in-distribution batch, streamed as the loop asks for them.
  const optimizer = tf.train.adam(5e-4);
  const steps = Math.floor(train.n / batch);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const outliers = streamOutliers(
      // A different seed per epoch: new outliers each time, still reproducible.
      { model: opt.model, sigma2: Number(opt.sigma2), count: steps * batch, seed: seed + epoch },
      { baseUrl: opt.api, apiKey: process.env.GOE_API_KEY, batchSize: batch },
    );
    for await (const { x, y, outliers: xOut } of oeBatches(inBatches(train), outliers)) {
      optimizer.minimize(() =>
        oeLoss(
          model.apply(x, { training: true }) as tf.Tensor2D,
          y,
          model.apply(xOut, { training: true }) as tf.Tensor2D,
        ),
      );
      tf.dispose([x, y]);
    }
  }

  const xId = images(test, 0, test.n);
  const xOod = tf.randomUniform([test.n, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  const accuracy = tf.tidy(
    () =>
      (model.predict(xId) as tf.Tensor2D).argMax(1).equal(tf.tensor1d(test.y, 'int32')).mean().dataSync()[0],
  );
  const rows = [
    ...Array.from(mspScores(model, xId), (s) => `${s},0`),
    ...Array.from(mspScores(model, xOod), (s) => `${s},1`),
  ];
  writeFileSync(opt.scores, `score,is_ood\n${rows.join('\n')}\n`);
  tf.dispose([xId, xOod]);
  console.log(JSON.stringify({ steps: steps * epochs, testAccuracy: accuracy, scores: opt.scores }));
}

main().catch((e) => {
  console.error(`oe-train: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
