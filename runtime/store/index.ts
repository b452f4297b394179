export { type ByteStream, type ByteStreamOptions, toByteStream } from './byte-stream.js';
export {
  StoreError,
  StoreKeyError,
  StoreNotFoundError,
  StoreUnavailableError,
  StoreUrlError,
} from './errors.js';
export { FileStore } from './file-store.js';
export { assertKey } from './key.js';
export { defaultStoreUrl, embeddedStoreUrl, type OpenStoreOptions, openStore } from './open-store.js';
export { type S3Credentials, S3Store, type S3StoreOptions } from './s3-store.js';
export {
  DEFAULT_CONTENT_TYPE,
  type ObjectInfo,
  type PutBody,
  type PutOptions,
  type Store,
  type StreamOptions,
} from './store.js';
