export { loadImported, modelDigest, openImportedRuntime, sampleImported } from './generator.js';
export { checkModelId, MODEL_ID } from './id.js';
export {
  type ImportOptions,
  importModel,
  type ModelSource,
  onnxSource,
  openSource,
  planImport,
  readModelSource,
  signatureLines,
} from './import.js';
export {
  buildFeeds,
  describeTensors,
  type Feed,
  type ImportedRuntime,
  type ModelSignature,
  OutputCheckError,
  outputToUnit,
  type RawOutput,
  type TensorInfo,
} from './io.js';
export { openOnnx, openOnnxFile, ortProviders } from './onnx.js';
export { openTfjsFile, parseModelJson } from './tfjs.js';
export { readZooManifest, removeZooEntry, writeZooEntry, type ZooFile } from './zoo.js';
