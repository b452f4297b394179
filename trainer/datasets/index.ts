export { gunzipIfNeeded, isGzip, readBytes } from './bytes.js';
export { DATASET_SOURCES, type DatasetSource, type EnsureOptions, ensureDataset } from './download.js';
export { DatasetError, type DatasetErrorCode, type DatasetErrorOptions, isDatasetError } from './errors.js';
export {
  FASHION_MNIST_CLASSES,
  loadFashionMnist,
  loadIdxPair,
  loadMnistTest,
  MNIST_CLASSES,
} from './fashion-mnist.js';
export { checkGenerateArgs, type GenerateOptions } from './generate-args.js';
export {
  decodeIdx,
  encodeIdx,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  type IdxArray,
  looksLikeIdx,
  readIdxFile,
} from './idx.js';
export { concatSets, expectImageShape, IMAGE_SIZE, type ImageSet } from './image-set.js';
export {
  type DatasetSpec,
  datasetCacheDir,
  datasets,
  type Located,
  locateDataset,
  PHOTO_FILE,
  repoRoot,
  requireDataset,
} from './locate.js';
export { listPhotos, MIN_CROP_FRACTION, type NaturalOptions, naturalOutliers } from './natural.js';
export { GAUSSIAN_NOISE, gaussianNoise, uniformNoise } from './noise.js';
export {
  DEFAULT_OOD_COUNT,
  NATURAL_TEST_START,
  OOD_SET_NAMES,
  OOD_TEST_SEED,
  type OodSetName,
  type OodSetOptions,
  parseOodList,
  resolveOodSet,
} from './ood-sets.js';
export { areaResample, loadPhoto, type Photo, WORKING_SHORT_SIDE } from './photo.js';
export { pixelToFloat, quantizePixel } from './pixels.js';
export { DatasetPurpose } from './purpose.js';
export { type RowSet, rowsOf, subset } from './row-set.js';
export { loadImagePath } from './user-path.js';
export { decodeUserText, firstInvalidUtf8, readUserText, type TextEncoding } from './user-text.js';
