export { CONTENT_TYPES, negotiateFormat } from './media-types.js';
export { type EncodableBatch, type EncodeOptions, encodeBatches } from './stream.js';
