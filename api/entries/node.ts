import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type AppOptions, buildApp, generatorPoolFor } from '../app.js';
import { clientAddressOf } from './client-address.js';

/** Options of {@link startServer}. */
export interface ServerOptions extends AppOptions {
  /** Interface to bind; default loopback only (exposing the service is an explicit choice). */
  host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  port: number;
  /** Stops accepting, cuts open streams, stops the compute workers it started; resolves when all are closed. */
  close(): Promise<void>;
}

/**
 * Serves the goe API over HTTP/1.1 with `@hono/node-server`. Rows are computed by a pool of worker threads
 * (`options.workers`, default `GOE_WORKERS` or one per core), so this thread stays free to answer.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const owned = options.pool ? undefined : generatorPoolFor(options, options.log);
  const pool = options.pool ?? owned;
  const app = buildApp({
    ...options,
    pool,
    clientAddress: options.clientAddress ?? clientAddressOf(getConnInfo),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8080 }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Why: close() waits for keep-alive and streaming sockets to end on their own.
        (server as import('node:http').Server).closeAllConnections?.();
      }).then(() => owned?.close());
      return closed;
    },
  };
}
