import { getConnInfo, streamHandle } from 'hono/aws-lambda';
import { type AppOptions, buildApp } from '../app.js';
import { appOptionsFromEnv } from '../env.js';
import { clientAddressOf } from './client-address.js';

/**
 * The goe API as an AWS Lambda handler with response streaming (a Function URL with
 * `InvokeMode: RESPONSE_STREAM`): rows reach the client as they are generated, past Lambda's 6 MB
 * buffered-response limit. Configuration comes from the environment (see `api/env.ts`); without
 * `GOE_STORE` the cache lives in `/tmp`, the one writable place in a Lambda.
 *
 * Rows are computed in-thread (`workers: 0`) unless `options.workers` says otherwise: a Lambda instance
 * serves one request at a time, so there is no other request for the event loop to answer, and the
 * bundle (infra/lambda/bundle.ts) is a single file with no worker entry to start threads from.
 */
export function createLambdaHandler(options: AppOptions = {}) {
  return streamHandle(
    buildApp({
      ...options,
      workers: options.workers ?? 0,
      clientAddress: options.clientAddress ?? clientAddressOf(getConnInfo),
    }),
  );
}

/** The handler Lambda calls (`api/entries/lambda.handler`). */
export const handler = createLambdaHandler({
  ...appOptionsFromEnv(process.env, { defaultStore: 'file:///tmp/goe' }),
  // In-thread whatever GOE_WORKERS says: the bundle has no worker entry (see createLambdaHandler).
  workers: 0,
});
