export { type CganConfig, cganConfigFor, cganStagesFor, defaultCganConfig } from './config.js';
export { exportCgan } from './export.js';
export { type LoadedCgan, loadCgan } from './load.js';
export {
  type DiscriminatorVars,
  discriminate,
  type GeneratorVars,
  generate,
  initDiscriminator,
  initGenerator,
} from './model.js';
export { type ImageBatch, type ImageSampleRequest, sampleImages } from './sampler.js';
export {
  type CganProgress,
  type CganRun,
  type CganTrainOptions,
  type LabelledImages,
  trainCgan,
} from './train.js';
