import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { generatorPoolFor } from '../../api/app.js';
import { startServer } from '../../api/entries/node.js';
import { appOptionsFromEnv } from '../../api/env.js';
import { note } from '../output.js';
import { watchParent } from '../parent-watch.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port in 0..65535, got "${value}"`);
  }
  return n;
}

interface Opts {
  host: string;
  port: number;
  store?: string;
  pidFile?: string;
  exitWithParent?: boolean;
}

/** Removes the pid file if it still names this process (another server may have taken the path since). */
async function removePidFile(path: string): Promise<void> {
  const held = await readFile(path, 'utf8').catch(() => '');
  if (held.trim() === String(process.pid)) await rm(path, { force: true });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('serve the outlier API over HTTP (POST /outliers, GET /models, /healthz)')
    .description(
      'Serves the goe HTTP API (openapi.yaml) from the zoo, on loopback unless --host says otherwise. Prints the\n' +
        'URL on stdout; logs one JSON line per request on stderr. Environment: GOE_API_KEYS (comma-separated\n' +
        'bearer keys; unset = no auth), GOE_MAX_COUNT, GOE_RATE_LIMIT, GOE_RATE_BURST, GOE_MAX_CONCURRENCY,\n' +
        'GOE_STORE (response cache), GOE_ZOO, GOE_WORKERS (compute worker threads; default one per core).\n\n' +
        'Stopping it: Ctrl-C or SIGTERM. Under npx or npm (`npx goe serve &` then `kill $!`, which kills ' +
        "npm's wrapper only) the server exits by itself within a second of its launcher exiting " +
        '(--exit-with-parent, on by default there); --pid-file names a file holding its own pid.',
    )
    .option('--host <host>', 'interface to bind (0.0.0.0 exposes the service)', '127.0.0.1')
    .option('--port <n>', 'port; 0 picks a free one', port, 8080)
    .option(
      '--store <url>',
      'response cache store: file://dir, s3://bucket/prefix or none (default: GOE_STORE, else store/ in the user cache directory)',
    )
    .option('--pid-file <path>', "write the server's pid to this file (removed when it stops)")
    .option(
      '--exit-with-parent',
      'exit when the launching process exits (default: on when started by npm/npx)',
    )
    .option('--no-exit-with-parent', 'keep serving after the launching process exits')
    .action(async (o: Opts) => {
      const options = appOptionsFromEnv(process.env, { storeUrl: o.store });
      // npm sets npm_command for what it runs (`exec` for npx): then the launcher is a wrapper, not a shell.
      // Watching starts first, so a launcher killed while the server starts up is noticed too.
      const withParent = o.exitWithParent ?? process.env.npm_command !== undefined;
      let stopWatching = () => {};
      const parentGone = new Promise<void>((resolve) => {
        if (withParent)
          stopWatching = watchParent((why) => {
            note(`goe serve: ${why}`);
            resolve();
          });
      });
      const pool = generatorPoolFor(options);
      // Each generator's runtime is chosen now: GOE_RUNTIME=onnx with an unusable ONNX twin fails here in
      // one line, and auto's fall-back warning comes at start-up rather than with a first request.
      for (const m of await pool.list()) await pool.runtime(m.id);
      // Every worker's backend starts before listening, so the first request does not pay for it and
      // /healthz is quick.
      const backend = await pool.rows.warm();
      const server = await startServer({ ...options, pool, host: o.host, port: o.port });
      // Before the URL: whoever waits for the URL can then read the pid file.
      if (o.pidFile) await writeFile(o.pidFile, `${process.pid}\n`);
      process.stdout.write(`${server.url}\n`);
      const workers = pool.rows.workers === 0 ? 'in-thread' : `${pool.rows.workers} workers`;
      note(
        `goe serve: ${server.url} (backend ${backend}, GOE_RUNTIME ${pool.runtimePreference}, ${workers}, cache ${options.store?.url ?? 'off'}, ` +
          `auth ${options.keys && options.keys.length > 0 ? `${options.keys.length} key(s)` : 'off'})`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM'), parentGone]);
      stopWatching();
      note('goe serve: stopping');
      await server.close();
      await pool.close();
      await options.store?.close();
      if (o.pidFile) await removePidFile(o.pidFile);
    });
}
