import type { Context } from 'hono';
import type { AppEnv } from '../hono-env.js';

/** A runtime's Hono `getConnInfo` helper (`@hono/node-server/conninfo`, `hono/aws-lambda`). */
type GetConnInfo = (c: Context<AppEnv>) => { remote: { address?: string } };

/**
 * The app's `clientAddress` for a runtime entry: the caller's address as its `getConnInfo` reports it,
 * as `addr:<ip>` (the per-client limits' key when no API key names the client), or undefined.
 */
export function clientAddressOf(getConnInfo: GetConnInfo): (c: Context<AppEnv>) => string | undefined {
  return (c) => {
    const { address } = getConnInfo(c).remote;
    return address ? `addr:${address}` : undefined;
  };
}
