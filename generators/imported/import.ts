import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { digestOf } from '../../runtime/digest.js';
import { normalRows, Purpose } from '../../runtime/rng/index.js';
import type { ImportedImageManifest, ImportedIo, ImportedModelFile, OutputRange } from '../manifest.js';
import { modelDigest } from './generator.js';
import { checkModelId } from './id.js';
import {
  buildFeeds,
  describeTensors,
  type ImportedRuntime,
  type ModelSignature,
  OutputCheckError,
  outputToUnit,
  type RawOutput,
  type TensorInfo,
} from './io.js';
import { openOnnx } from './onnx.js';
import { openTfjsFile, parseModelJson } from './tfjs.js';
import { readZooManifest, writeZooEntry } from './zoo.js';

/** A model file (or TF.js folder) read into memory: its format, files and where it came from. */
export interface ModelSource {
  format: 'onnx' | 'tfjs';
  /** The file the runtime opens (`model.onnx`'s name, or `model.json`). */
  main: string;
  /** Every file, relative to the model's folder, with its bytes. */
  files: { path: string; bytes: Uint8Array }[];
  /** Where the files were read from (for messages). */
  origin: string;
}

// ONNX files are protobuf ModelProto messages; field 1 (ir_version, varint) comes first in every
// exporter's output, so its tag byte 0x08 tells an ONNX file from anything else without parsing it.
const ONNX_FIRST_BYTE = 0x08;

/**
 * Reads an ONNX file, a TF.js `model.json` (with the shards it names, from its folder) or a folder holding
 * one of them. @throws when the path is neither ("not an ONNX file or TF.js model.json")
 */
export async function readModelSource(path: string): Promise<ModelSource> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'model.json'))) return readTfjs(join(path, 'model.json'));
    const onnx = ['model.onnx', 'generator.onnx'].find((f) => existsSync(join(path, f)));
    if (onnx) return readOnnx(join(path, onnx));
    throw new Error(`${path} holds no model.json (TF.js) or model.onnx`);
  }
  const bytes = new Uint8Array(await readFile(path));
  if (path.toLowerCase().endsWith('.json') || bytes[0] === 0x7b /* { */) return readTfjs(path, bytes);
  if (bytes[0] !== ONNX_FIRST_BYTE) throw new Error(`${path} is not an ONNX file or a TF.js model.json`);
  return { format: 'onnx', main: basename(path), files: [{ path: basename(path), bytes }], origin: path };
}

async function readOnnx(path: string): Promise<ModelSource> {
  const bytes = new Uint8Array(await readFile(path));
  if (bytes[0] !== ONNX_FIRST_BYTE) throw new Error(`${path} is not an ONNX file`);
  return { format: 'onnx', main: 'model.onnx', files: [{ path: 'model.onnx', bytes }], origin: path };
}

async function readTfjs(path: string, bytes?: Uint8Array): Promise<ModelSource> {
  const json = bytes ?? new Uint8Array(await readFile(path));
  const parsed = parseModelJson(new TextDecoder().decode(json), path);
  const files = [{ path: 'model.json', bytes: json }];
  for (const shard of parsed.shards) {
    const p = join(dirname(path), shard);
    if (!existsSync(p)) throw new Error(`${path} names weight file ${shard}, which is missing`);
    files.push({ path: shard, bytes: new Uint8Array(await readFile(p)) });
  }
  return { format: 'tfjs', main: 'model.json', files, origin: path };
}

/**
 * Opens a model source on its runtime. A TF.js model is opened from the files' own folder, so `dir`
 * must hold them (the origin's folder, or a zoo folder they were copied to).
 */
export async function openSource(src: ModelSource, tfjsModelJson?: string): Promise<ImportedRuntime> {
  if (src.format === 'onnx') return openOnnx(src.files[0].bytes, src.origin);
  return openTfjsFile(
    tfjsModelJson ?? (src.origin.endsWith('.json') ? src.origin : join(src.origin, 'model.json')),
  );
}

/** What an import is told; everything left out is inferred from the model or defaulted. */
export interface ImportOptions {
  id: string;
  latentInput?: string;
  classInput?: string;
  classEncoding?: 'one-hot' | 'index';
  classes?: string[];
  constants?: Record<string, number>;
  output?: string;
  /** H, W, C of one row. */
  outputShape?: [number, number, number];
  outputLayout?: 'NCHW' | 'NHWC' | 'flat';
  outputRange?: OutputRange;
  sigma2?: number;
  sigma2Range?: [number, number];
  license?: string;
  source?: string;
  author?: string;
  /** The command that imported it (recorded in the provenance). */
  command?: string;
}

/** Rows of the import's test forward pass (σ² = 1 and σ² = the default, seed 0). */
const TEST_ROWS = 4;

/**
 * Works out the manifest of an imported generator from its model's own signature and the options, then
 * runs the test forward pass (output shape matches H×W×C in the layout, values finite and within the
 * declared range, at σ² = 1 and at the default σ²). Nothing is written.
 * @throws with a one-line message naming the flag and listing what the model has, on any mismatch
 */
export async function planImport(
  src: ModelSource,
  runtime: ImportedRuntime,
  o: ImportOptions,
): Promise<ImportedImageManifest> {
  checkModelId(o.id);
  const sig = runtime.signature;
  const inputs = sig.inputs;
  const has = (name: string) => inputs.some((t) => t.name === name);
  const list = `the model's inputs: ${describeTensors(inputs)}`;
  const constants = o.constants ?? {};
  for (const name of Object.keys(constants)) {
    if (!has(name)) throw new Error(`--const ${name}: the model has no input "${name}" (${list})`);
  }
  if (o.classInput && !has(o.classInput)) {
    throw new Error(`--class-input ${o.classInput}: the model has no such input (${list})`);
  }
  let latentName = o.latentInput;
  if (latentName && !has(latentName))
    throw new Error(`--latent-input ${latentName}: the model has no such input (${list})`);
  if (!latentName) {
    const free = inputs.filter((t) => t.name !== o.classInput && !(t.name in constants));
    if (free.length !== 1) {
      throw new Error(`cannot tell the latent input: name it with --latent-input (${list})`);
    }
    latentName = free[0].name;
  }
  const fed = new Set([latentName, ...(o.classInput ? [o.classInput] : []), ...Object.keys(constants)]);
  const unfed = inputs.filter((t) => !fed.has(t.name));
  if (unfed.length > 0) {
    throw new Error(
      `input(s) ${unfed.map((t) => t.name).join(', ')} would get no value: name them with --class-input or --const (${list})`,
    );
  }
  const latentInfo = inputs.find((t) => t.name === latentName) as TensorInfo;
  const latentShape = (latentInfo.shape ?? []).slice(1);
  if (latentShape.length === 0 || !latentShape.every((d) => typeof d === 'number' && d > 0)) {
    throw new Error(
      `latent input ${latentName} has shape [${(latentInfo.shape ?? []).join(', ')}]: it needs a batch dimension and fixed sizes after it (${list})`,
    );
  }
  const latentDim = (latentShape as number[]).reduce((a, b) => a * b, 1);

  let classes: string[] = [];
  let classIo: ImportedIo['class'];
  if (o.classInput) {
    const info = inputs.find((t) => t.name === o.classInput) as TensorInfo;
    const dims = info.shape ?? [];
    const encoding =
      o.classEncoding ?? (dims.length === 2 || info.dtype.startsWith('float') ? 'one-hot' : 'index');
    const width = encoding === 'one-hot' && typeof dims[1] === 'number' ? dims[1] : undefined;
    if (o.classes) classes = o.classes;
    else if (width) classes = Array.from({ length: width }, (_, i) => String(i));
    else
      throw new Error(
        `--classes is needed: ${o.classInput} does not say how many classes there are (${list})`,
      );
    if (width !== undefined && width !== classes.length) {
      throw new Error(
        `--classes names ${classes.length} classes, but one-hot input ${o.classInput} has ${width} (${list})`,
      );
    }
    classIo = { name: o.classInput, encoding };
  } else if (o.classes) {
    throw new Error('--classes needs --class-input (the model input the class is fed to)');
  }

  const outputs = sig.outputs;
  const outList = `the model's outputs: ${describeTensors(outputs)}`;
  const outputName = o.output ?? (outputs.length === 1 ? outputs[0].name : undefined);
  if (!outputName)
    throw new Error(`cannot tell which output is the image: name it with --output (${outList})`);
  if (!outputs.some((t) => t.name === outputName)) {
    throw new Error(`--output ${outputName}: the model has no such output (${outList})`);
  }

  const defaultSigma2 = o.sigma2 ?? 50;
  const sigma2Range = o.sigma2Range ?? [0, 1000];
  if (defaultSigma2 < sigma2Range[0] || defaultSigma2 > sigma2Range[1]) {
    throw new Error(`--sigma2 ${defaultSigma2} is outside the σ² range [${sigma2Range.join(', ')}]`);
  }
  const io: ImportedIo = {
    latent: { name: latentName, shape: latentShape as number[] },
    ...(classIo ? { class: classIo } : {}),
    constants,
    output: { name: outputName, layout: o.outputLayout ?? 'flat', range: o.outputRange ?? [-1, 1] },
  };
  // A first pass at σ² = 1 tells the output's dims and value range where the flags leave them open.
  const probe = await forward(runtime, io, classes.length, 1);
  const { layout, shape } = inferLayout(probe, o, src.format);
  io.output.layout = layout;
  io.output.range = o.outputRange ?? inferRange(probe.data);
  const files: ImportedModelFile[] = src.files.map((f) => ({
    path: f.path,
    digest: digestOf(f.bytes),
    bytes: f.bytes.length,
  }));
  const manifest: ImportedImageManifest = {
    id: o.id,
    kind: 'imported',
    modality: 'image',
    format: src.format,
    classes,
    latentDim,
    shape,
    defaultSigma2,
    sigma2Range,
    weights: { file: src.main, digest: modelDigest(files) },
    files,
    io,
    provenance: {
      source: o.source ?? `imported from ${basename(src.origin)}`,
      license: o.license ?? 'unknown',
      ...(o.author ? { author: o.author } : {}),
      importedAt: new Date().toISOString(),
      ...(o.command ? { command: o.command } : {}),
    },
  };
  for (const sigma2 of new Set([1, defaultSigma2])) {
    const raw = sigma2 === 1 ? probe : await forward(runtime, io, classes.length, sigma2);
    try {
      outputToUnit(raw, manifest, TEST_ROWS, true);
    } catch (err) {
      if (err instanceof OutputCheckError)
        throw new Error(`test forward pass at σ² = ${sigma2}: ${err.message}`);
      throw err;
    }
  }
  return manifest;
}

async function forward(
  runtime: ImportedRuntime,
  io: ImportedIo,
  numClasses: number,
  sigma2: number,
): Promise<RawOutput> {
  const latentDim = io.latent.shape.reduce((a, b) => a * b, 1);
  const z = normalRows(0, 0, TEST_ROWS, latentDim, sigma2, Purpose.LATENT);
  const classes = io.class ? Int32Array.from({ length: TEST_ROWS }, (_, i) => i % numClasses) : undefined;
  return runtime.run(buildFeeds(io, runtime.signature, numClasses, z, classes, TEST_ROWS), io.output.name);
}

/** Layout and H×W×C from the flags, else from the output's dims: [N,C,H,W] / [N,H,W,C] with C ∈ {1, 3}, or [N, H·W] square grey. */
function inferLayout(
  raw: RawOutput,
  o: ImportOptions,
  format: ModelSource['format'],
): { layout: ImportedIo['output']['layout']; shape: [number, number, number] } {
  const d = raw.dims.slice(1);
  const where = `output dims [${raw.dims.join(', ')}]`;
  if (o.outputShape) {
    const [h, w, c] = o.outputShape;
    if (o.outputLayout) return { layout: o.outputLayout, shape: o.outputShape };
    if (d.length === 3 && d[0] === c && d[1] === h && d[2] === w)
      return { layout: 'NCHW', shape: o.outputShape };
    if (d.length === 3 && d[0] === h && d[1] === w && d[2] === c)
      return { layout: 'NHWC', shape: o.outputShape };
    return { layout: 'flat', shape: o.outputShape };
  }
  if (d.length === 3) {
    const chw = [1, 3].includes(d[0]);
    const hwc = [1, 3].includes(d[2]);
    // Both readings fit (e.g. [3, 3, 1]): the framework's own convention decides (PyTorch → ONNX is NCHW, TF.js NHWC).
    const layout =
      o.outputLayout ??
      (chw && hwc ? (format === 'onnx' ? 'NCHW' : 'NHWC') : chw ? 'NCHW' : hwc ? 'NHWC' : undefined);
    if (layout === 'NCHW' && chw) return { layout, shape: [d[1], d[2], d[0]] };
    if (layout === 'NHWC' && hwc) return { layout, shape: [d[0], d[1], d[2]] };
  }
  if (d.length === 1 && (o.outputLayout ?? 'flat') === 'flat') {
    const side = Math.round(Math.sqrt(d[0]));
    if (side * side === d[0]) return { layout: 'flat', shape: [side, side, 1] };
  }
  throw new Error(`cannot tell the row shape from ${where}: give --output-shape H,W,C (and --output-layout)`);
}

/** The declared range the values fit: [-1, 1] (tanh) when any is negative, [0, 255] when any is over 1, else [0, 1]. */
function inferRange(data: Float32Array): OutputRange {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of data) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min < 0) return [-1, 1];
  if (max > 1.001) return [0, 255];
  return [0, 1];
}

/** Inputs and outputs of a model, with shapes and dtypes: what `goe models inspect` prints. */
export function signatureLines(sig: ModelSignature): string[] {
  const line = (t: TensorInfo) =>
    `  ${t.name.padEnd(16)} [${(t.shape ?? ['?']).map((d) => d ?? '?').join(', ')}] ${t.dtype}`;
  return ['inputs:', ...sig.inputs.map(line), 'outputs:', ...sig.outputs.map(line)];
}

/** An ONNX model held in memory (an upload): checked to look like ONNX before any runtime sees it. */
export function onnxSource(bytes: Uint8Array, origin: string): ModelSource {
  if (bytes.length === 0 || bytes[0] !== ONNX_FIRST_BYTE) throw new Error(`${origin} is not an ONNX file`);
  return { format: 'onnx', main: 'model.onnx', files: [{ path: 'model.onnx', bytes }], origin };
}

/**
 * Imports a model into the zoo: opens it on its runtime, plans its manifest, runs the test forward pass,
 * and only then writes the entry (atomically, see {@link writeZooEntry}). TF.js models need the TF.js
 * backend initialised first.
 * @throws with a one-line message on any bad input; nothing is written then
 */
export async function importModel(
  src: ModelSource,
  o: ImportOptions,
  zoo: string,
  replace = false,
): Promise<ImportedImageManifest> {
  checkModelId(o.id);
  if (!replace && (await readZooManifest(zoo, o.id))) {
    throw new Error(`model "${o.id}" already exists in ${zoo} (pass --replace to overwrite it)`);
  }
  const runtime = await openSource(src);
  try {
    const manifest = await planImport(src, runtime, o);
    await writeZooEntry(zoo, manifest, src.files, replace);
    return manifest;
  } finally {
    await runtime.dispose();
  }
}
