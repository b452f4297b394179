export { loadImported, modelDigest, openImportedRuntime, sampleImported } from './generator.js';
export {
  checkModelId,
  type ImportOptions,
  MODEL_ID,
  type ModelSource,
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
