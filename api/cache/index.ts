export { type CacheLookup, ResponseCache, type ResponseCacheOptions } from './response-cache.js';
