import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import * as tf from '../../runtime/tf.js';
import type { Feed, ImportedRuntime, ModelSignature, RawOutput, TensorInfo } from './io.js';

/** A parsed TF.js `model.json`: its format and the weight shard paths it names (relative to it). */
export interface TfjsModelJson {
  format: 'layers-model' | 'graph-model';
  shards: string[];
  json: tf.io.ModelJSON;
}

/**
 * Parses a TF.js `model.json` (LayersModel or GraphModel, as `tfjs.converters.save_keras_model` or
 * `tensorflowjs_converter` write it).
 * @throws when it is not JSON, has no topology, or names a shard outside its folder
 */
export function parseModelJson(text: string, what: string): TfjsModelJson {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
  } catch (err) {
    throw new Error(`${what} is not a TF.js model.json: ${(err as Error).message}`);
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof json.modelTopology !== 'object' ||
    !json.modelTopology
  ) {
    throw new Error(`${what} is not a TF.js model.json: it has no modelTopology`);
  }
  const topology = json.modelTopology as { node?: unknown; class_name?: unknown };
  const format =
    json.format === 'graph-model' || Array.isArray(topology.node) ? 'graph-model' : 'layers-model';
  const shards: string[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths ?? []) {
      const path = normalize(p);
      // Shards are read from the model's own folder; a path that climbs out of it is not a model file.
      if (path.startsWith('..') || path.startsWith('/'))
        throw new Error(`${what} names a weight file outside its folder: ${p}`);
      shards.push(path);
    }
  }
  return { format, shards, json };
}

/**
 * Opens a TF.js model from `model.json` and its shards (read from the same folder) through a file IO
 * handler; the TF.js backend must already be initialised.
 * @throws when a shard is missing or TF.js cannot build the model
 */
export async function openTfjsFile(modelJsonPath: string): Promise<ImportedRuntime> {
  const parsed = parseModelJson(await readFile(modelJsonPath, 'utf8'), modelJsonPath);
  const dir = dirname(modelJsonPath);
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(parsed.json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const bytes = await readFile(join(dir, normalize(p))).catch(() => {
              throw new Error(`${modelJsonPath}: weight file ${p} is missing`);
            });
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      }),
  };
  try {
    if (parsed.format === 'graph-model') return graphRuntime(await tf.loadGraphModel(handler), modelJsonPath);
    return layersRuntime(await tf.loadLayersModel(handler), modelJsonPath);
  } catch (err) {
    throw new Error(
      `${modelJsonPath}: TF.js cannot load the model: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}

function tensorOf(f: Feed): tf.Tensor {
  // TF.js has no int64: integer inputs are int32.
  return tf.tensor(f.data, f.shape, f.dtype === 'float32' ? 'float32' : 'int32');
}

async function readOut(t: tf.Tensor): Promise<RawOutput> {
  const data = (await t.data()) as Float32Array | Int32Array;
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), dims: [...t.shape] };
}

function graphRuntime(model: tf.GraphModel, what: string): ImportedRuntime {
  const info = (t: { name: string; shape?: number[]; dtype: string }): TensorInfo => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape?.map((d) => (d < 0 ? null : d)),
  });
  const signature: ModelSignature = { inputs: model.inputs.map(info), outputs: model.outputs.map(info) };
  return {
    signature,
    async run(feeds, output) {
      const inputs: tf.NamedTensorMap = {};
      for (const f of feeds) inputs[f.name] = tensorOf(f);
      try {
        const out = (await model.executeAsync(inputs, output)) as tf.Tensor;
        const raw = await readOut(out);
        out.dispose();
        return raw;
      } catch (err) {
        throw new Error(`${what}: TF.js rejected the inputs: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        tf.dispose(Object.values(inputs));
      }
    },
    async dispose() {
      model.dispose();
    },
  };
}

function layersRuntime(model: tf.LayersModel, what: string): ImportedRuntime {
  // A functional model names its inputs and outputs by layer (from model.json, so stable); a Sequential
  // model leaves them unset and its symbolic tensors get a new suffix on every load: it has one of each,
  // called `input` and `output` here.
  const inputNames = model.inputs.map((_, i) => model.inputNames?.[i] ?? (i === 0 ? 'input' : `input_${i}`));
  const outputNames = model.outputs.map(
    (_, i) => model.outputNames?.[i] ?? (i === 0 ? 'output' : `output_${i}`),
  );
  const signature: ModelSignature = {
    inputs: model.inputs.map((t, i) => ({
      name: inputNames[i],
      dtype: t.dtype,
      shape: t.shape.map((d) => d),
    })),
    outputs: model.outputs.map((t, i) => ({
      name: outputNames[i],
      dtype: t.dtype,
      shape: t.shape.map((d) => d),
    })),
  };
  return {
    signature,
    async run(feeds, output) {
      const index = outputNames.indexOf(output);
      const byName = new Map(feeds.map((f) => [f.name, f]));
      const missing = inputNames.filter((n) => !byName.has(n));
      if (missing.length > 0) throw new Error(`${what}: no value for input(s) ${missing.join(', ')}`);
      const inputs = inputNames.map((n) => tensorOf(byName.get(n) as Feed));
      try {
        const out = tf.tidy(() => {
          const y = model.predict(inputs.length === 1 ? inputs[0] : inputs);
          return Array.isArray(y) ? y[index] : y;
        });
        const raw = await readOut(out);
        out.dispose();
        return raw;
      } catch (err) {
        throw new Error(`${what}: TF.js rejected the inputs: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        tf.dispose(inputs);
      }
    },
    async dispose() {
      model.dispose();
    },
  };
}
