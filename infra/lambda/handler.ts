import { coldStart } from '../runtime/cold-start.js';

// Runs during Lambda's init phase (top-level await in an ES module): keys and zoo are ready before the
// first request, and a failure here fails the init instead of a request.
await coldStart(process.env);

// Imported only now: the entry builds its app from process.env when it is evaluated.
const entry = await import('../../api/entries/lambda.js');

/**
 * The bundle's Lambda handler (`lambda/index.handler`): `api/entries/lambda.ts`'s streaming handler,
 * after {@link coldStart} has read the API keys from Secrets Manager and copied the zoo from S3.
 */
export const handler = entry.handler;
