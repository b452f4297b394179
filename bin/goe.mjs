#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so the CLI never runs a stale build.
import { register } from 'tsx/esm/api';

// `goe … | head` closes the pipe early: stop quietly instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
