#!/usr/bin/env node
// Invokes a built Lambda bundle in plain Node the way a response-streaming Function URL does, with no
// AWS and no TypeScript loader in the process (the bundle must stand alone, as it will in Lambda).
//
//   node infra/lambda/invoke-local.mjs BUNDLE_DIR EVENTS.json OUT_DIR
//
// EVENTS.json holds one Function URL event (payload 2.0) or an array of them, invoked in order in one
// process (so the second sees a warm instance). For event i it writes OUT_DIR/i.json
// ({statusCode, headers, cookies, chunks, bytes}) and OUT_DIR/i.body (the streamed bytes).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const [bundleDir, eventsFile, outDir] = process.argv.slice(2);
if (!bundleDir || !eventsFile || !outDir) {
  process.stderr.write('usage: node infra/lambda/invoke-local.mjs BUNDLE_DIR EVENTS.json OUT_DIR\n');
  process.exit(2);
}

/** Collects what a handler streams, and the status and headers it sends first. */
function responseStream() {
  const captured = { metadata: undefined, chunks: [] };
  const stream = new Writable({
    write(chunk, _encoding, done) {
      captured.chunks.push(Buffer.from(chunk));
      done();
    },
  });
  stream.captured = captured;
  return stream;
}

// What the Lambda Node.js runtime defines before it loads a handler module: `streamifyResponse` marks
// a handler as streaming, and `HttpResponseStream.from` sends the status and headers before the body.
globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, metadata) {
      stream.captured.metadata = metadata;
      return stream;
    },
  },
};

const { handler } = await import(pathToFileURL(resolve(bundleDir, 'lambda', 'index.mjs')).href);
const parsed = JSON.parse(await readFile(eventsFile, 'utf8'));
const events = Array.isArray(parsed) ? parsed : [parsed];
await mkdir(outDir, { recursive: true });
for (const [i, event] of events.entries()) {
  const stream = responseStream();
  const ended = new Promise((done) => stream.on('finish', done));
  await handler(event, stream, { awsRequestId: `local-${i}`, getRemainingTimeInMillis: () => 900_000 });
  await ended;
  const { metadata, chunks } = stream.captured;
  const body = Buffer.concat(chunks);
  await writeFile(join(outDir, `${i}.body`), body);
  await writeFile(
    join(outDir, `${i}.json`),
    `${JSON.stringify({ ...metadata, chunks: chunks.length, bytes: body.length }, null, 2)}\n`,
  );
}
