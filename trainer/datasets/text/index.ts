export {
  BROWN_VOCAB_SIZE,
  brownClasses,
  brownClassNames,
  brownDocs,
  brownStreams,
  brownVocab,
  classToken,
  DEFAULT_SAMPLE_LENGTH,
  loadBrown,
} from './brown.js';
export { type TextSet, textSetOf, windowsOf } from './text-set.js';
export {
  DEFAULT_TEXT_OOD_COUNT,
  randomTokens,
  resolveTextOodSet,
  TEXT_OOD_SET_NAMES,
  textFileOutliers,
  wordnetOutliers,
} from './text-sources.js';
