export { accessLog } from './access-log.js';
export { type BearerAuthOptions, bearerAuth } from './auth.js';
export { bodyLimit } from './body-limit.js';
export { type BodyOutcome, onBodyDone } from './on-body-done.js';
export { type RateLimitOptions, rateLimit } from './rate-limit.js';
export { requestId } from './request-id.js';
