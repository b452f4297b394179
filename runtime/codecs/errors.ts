// The codecs' error type is defined once, in the SDK package (which ships alone and decodes NDJSON with it).
export {
  CodecError,
  type CodecErrorCode,
  type CodecErrorOptions,
  isCodecError,
} from '../../sdk/codec-error.js';
