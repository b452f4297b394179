import { once } from 'node:events';
import { type Command, InvalidArgumentError } from 'commander';
import { generatorPoolFor } from '../../api/app.js';
import { startServer } from '../../api/entries/node.js';
import { appOptionsFromEnv } from '../../api/env.js';
import { note } from '../output.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port in 0..65535, got "${value}"`);
  }
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('serve the outlier API over HTTP (POST /outliers, GET /models, /healthz)')
    .description(
      'Serves the goe HTTP API (openapi.yaml) from the zoo, on loopback unless --host says otherwise. Prints the\n' +
        'URL on stdout; logs one JSON line per request on stderr. Environment: GOE_API_KEYS (comma-separated\n' +
        'bearer keys; unset = no auth), GOE_MAX_COUNT, GOE_RATE_LIMIT, GOE_RATE_BURST, GOE_MAX_CONCURRENCY,\n' +
        'GOE_STORE (response cache), GOE_ZOO, GOE_WORKERS (compute worker threads; default one per core).',
    )
    .option('--host <host>', 'interface to bind (0.0.0.0 exposes the service)', '127.0.0.1')
    .option('--port <n>', 'port; 0 picks a free one', port, 8080)
    .option(
      '--store <url>',
      'response cache store: file://dir, s3://bucket/prefix or none (default: GOE_STORE, file://.goe)',
    )
    .action(async (o: { host: string; port: number; store?: string }) => {
      const options = appOptionsFromEnv(process.env, { storeUrl: o.store });
      const pool = generatorPoolFor(options);
      // Every worker's backend starts before listening, so the first request does not pay for it.
      const backend = await pool.rows.warm();
      const server = await startServer({ ...options, pool, host: o.host, port: o.port });
      process.stdout.write(`${server.url}\n`);
      const workers = pool.rows.workers === 0 ? 'in-thread' : `${pool.rows.workers} workers`;
      note(
        `goe serve: ${server.url} (backend ${backend}, ${workers}, cache ${options.store?.url ?? 'off'}, ` +
          `auth ${options.keys && options.keys.length > 0 ? `${options.keys.length} key(s)` : 'off'})`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      note('goe serve: stopping');
      await server.close();
      await pool.close();
      await options.store?.close();
    });
}
