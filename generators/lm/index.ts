export { defaultLmShape, type LmConfig } from './config.js';
export { exportLm } from './export.js';
export { writeTinyLm } from './fixture.js';
export { type LoadedLm, loadLm } from './load.js';
export { emptyCache, initLm, type KvCache, type LmVars, lmLogits, lmLoss, lmStep } from './model.js';
export { textNdjsonEncoder } from './ndjson.js';
export { type TextSampleFile, writeTextSamples } from './sample-file.js';
export {
  type DecodableTextBatch,
  sampleTexts,
  type TextBatch,
  type TextSampleRequest,
  textRow,
} from './sampler.js';
export {
  type LabelledStream,
  type LmProgress,
  type LmRun,
  type LmTrainOptions,
  lmBatch,
  perplexity,
  trainLm,
} from './train.js';
