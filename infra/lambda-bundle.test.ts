import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, MODEL } from '../test/helpers/api.js';
import { functionUrlEvent } from '../test/helpers/lambda-event.js';
import { type S3rverHandle, startS3rver } from '../test/helpers/s3rver.js';
import { buildLambdaBundle, REPO_ROOT } from './lambda/bundle.js';

/**
 * The Lambda bundle as AWS runs it: built by the same esbuild call the stack uses, loaded by plain Node
 * from a folder outside the repository (no node_modules, no TypeScript loader), its cold start reading the
 * keys from a Secrets Manager endpoint and the zoo from an S3 endpoint, then invoked with Function URL
 * events through the streaming shim. Its bodies must equal `goe serve`'s byte for byte.
 */

const BUCKET = 'goe-lambda-e2e';
const SECRET_ID = 'goe/api-keys';
const KEYS = 'first-test-key,second-test-key';
const AUTH = { authorization: 'Bearer second-test-key' };
const NPY_REQUEST = { model: MODEL, count: 700, seed: 42, sigma2: 30, classes: ['Sandal', 'Bag', 'Coat'] };
const NDJSON_QUERY = `model=${MODEL}&count=5&seed=3&format=ndjson`;

let work: string;
let zoo: string;
let s3: S3rverHandle;
let secrets: Server;
const secretCalls: unknown[] = [];
let serve: ChildProcess;
let serveUrl: string;
let bundleBytes: number;
let results: { meta: Meta; body: Buffer }[];
let lambdaLog: string;

interface Meta {
  statusCode: number;
  headers: Record<string, string>;
  chunks: number;
  bytes: number;
}

/** Secrets Manager's GetSecretValue over its JSON protocol, for one secret. */
async function startFakeSecretsManager(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { SecretId?: string };
    secretCalls.push({ target: req.headers['x-amz-target'], ...input });
    const found =
      req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue' && input.SecretId === SECRET_ID;
    res.writeHead(found ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify(
        found
          ? {
              ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`,
              Name: SECRET_ID,
              SecretString: KEYS,
            }
          : { __type: 'ResourceNotFoundException', message: 'no such secret' },
      ),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function uploadZoo(dir: string): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  try {
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const key = `zoo/${relative(dir, path).split('\\').join('/')}`;
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(path) }));
    }
  } finally {
    client.destroy();
  }
}

async function startServe(): Promise<string> {
  serve = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'goe.mjs'), 'serve', '--port', '0', '--store', 'none'],
    {
      env: {
        ...process.env,
        GOE_ZOO: zoo,
        GOE_BACKEND: 'wasm',
        GOE_LOG: 'silent',
        GOE_API_KEYS: '',
        GOE_STORE: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    serve.once('exit', (code) => reject(new Error(`goe serve exited with ${code}`)));
  });
}

/** Runs infra/lambda/invoke-local.mjs in a clean process, as a Lambda instance: cold start, then events. */
async function invokeBundle(bundleDir: string, events: unknown[]): Promise<void> {
  const eventsFile = join(work, 'events.json');
  const outDir = join(work, 'out');
  await writeFile(eventsFile, JSON.stringify(events));
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'infra', 'lambda', 'invoke-local.mjs'), bundleDir, eventsFile, outDir],
    {
      // Only what Lambda would set, plus the endpoints standing in for S3 and Secrets Manager.
      env: {
        PATH: process.env.PATH,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        GOE_S3_ENDPOINT: s3.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
        GOE_BACKEND: 'wasm',
        GOE_STORE: `s3://${BUCKET}`,
        GOE_ZOO_S3: `s3://${BUCKET}/zoo/`,
        GOE_ZOO: join(work, 'lambda-tmp', 'goe-zoo'),
        GOE_API_KEYS_SECRET: SECRET_ID,
        GOE_LOG: 'info',
      },
      // Lambda's working directory is the task root, never the repository.
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout!.on('data', (d) => {
    log += d;
  });
  child.stderr!.on('data', (d) => {
    log += d;
  });
  const [code] = await once(child, 'exit');
  lambdaLog = log;
  if (code !== 0) throw new Error(`invoke-local exited with ${code}:\n${log}`);
  results = [];
  for (let i = 0; i < events.length; i++) {
    results.push({
      meta: JSON.parse(await readFile(join(outDir, `${i}.json`), 'utf8')) as Meta,
      body: await readFile(join(outDir, `${i}.body`)),
    });
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'goe-lambda-bundle-'));
  const bundle = buildLambdaBundle(join(work, 'asset'));
  bundleBytes = bundle.bytes;
  zoo = await apiTestZoo();
  s3 = await startS3rver({ buckets: [BUCKET] });
  secrets = await startFakeSecretsManager();
  await uploadZoo(zoo);
  serveUrl = await startServe();
  const npy = { 'content-type': 'application/json', accept: 'application/x-npy', ...AUTH };
  await invokeBundle(bundle.dir, [
    functionUrlEvent('POST', '/outliers', npy, NPY_REQUEST),
    functionUrlEvent('POST', '/outliers', npy, NPY_REQUEST),
    functionUrlEvent('GET', `/outliers?${NDJSON_QUERY}`, AUTH),
    functionUrlEvent('POST', '/outliers', { 'content-type': 'application/json' }, NPY_REQUEST),
    functionUrlEvent('GET', '/healthz'),
    functionUrlEvent('GET', '/'),
    functionUrlEvent('GET', '/page/page.js'),
  ]);
}, 180_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await once(serve, 'exit');
  }
  secrets?.close();
  await s3?.stop();
  if (zoo) await rm(zoo, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the Lambda bundle (infra/lambda/bundle.ts) invoked like a response-streaming Function URL', () => {
  it('is one self-contained ES module of a few MiB', () => {
    expect(bundleBytes).toBeGreaterThan(1 << 20);
    expect(bundleBytes).toBeLessThan(50 << 20);
  });

  it('reads the keys from Secrets Manager and the zoo from S3 at cold start', () => {
    expect(secretCalls).toEqual([{ target: 'secretsmanager.GetSecretValue', SecretId: SECRET_ID }]);
    const coldStart = lambdaLog.split('\n').find((l) => l.includes('"cold start"'));
    expect(coldStart, lambdaLog).toBeDefined();
    expect(JSON.parse(coldStart!)).toMatchObject({
      apiKeys: '2 from secret',
      zoo: { from: `s3://${BUCKET}/zoo/`, files: 2 },
    });
  });

  it('streams the same bytes and ETag as goe serve for a fixed-seed .npy request', async () => {
    const viaServe = await fetch(`${serveUrl}/outliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-npy' },
      body: JSON.stringify(NPY_REQUEST),
    });
    expect(viaServe.status).toBe(200);
    const serveBytes = Buffer.from(await viaServe.arrayBuffer());
    const [first] = results;
    expect(first.meta.statusCode).toBe(200);
    expect(first.meta.headers['content-type']).toBe('application/x-npy');
    expect(first.meta.headers['goe-backend']).toBe('wasm');
    expect(first.meta.headers.etag).toBe(viaServe.headers.get('etag'));
    expect(first.meta.headers['goe-cache']).toBe('miss');
    // Streamed as generated (one write per batch), not buffered into one body.
    expect(first.meta.chunks).toBeGreaterThan(2);
    expect(first.body.length).toBe(serveBytes.length);
    expect(Buffer.compare(first.body, serveBytes)).toBe(0);
  });

  it('serves the repeat from the shared S3 cache, still the same bytes', () => {
    const [first, again] = results;
    expect(again.meta.statusCode).toBe(200);
    expect(again.meta.headers['goe-cache']).toBe('hit');
    expect(Buffer.compare(again.body, first.body)).toBe(0);
    expect(s3.requests.some((r) => r.method === 'PUT' && r.url.includes('/cache/'))).toBe(true);
  });

  it('answers the query form like goe serve', async () => {
    const viaServe = Buffer.from(await (await fetch(`${serveUrl}/outliers?${NDJSON_QUERY}`)).arrayBuffer());
    expect(results[2].meta.statusCode).toBe(200);
    expect(results[2].meta.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(Buffer.compare(results[2].body, viaServe)).toBe(0);
  });

  it('enforces the keys from the secret, with /healthz open', () => {
    expect(results[3].meta.statusCode).toBe(401);
    expect(JSON.parse(results[3].body.toString()).type).toBe('https://goe.dev/problems/unauthorized');
    expect(results[4].meta.statusCode).toBe(200);
    expect(JSON.parse(results[4].body.toString())).toMatchObject({ status: 'ok', backend: 'wasm' });
  });

  it('serves the preview page and its script (copied beside the bundle), open without a key', async () => {
    expect(results[5].meta.statusCode).toBe(200);
    expect(results[5].meta.headers['content-type']).toMatch(/^text\/html/);
    expect(results[5].body.toString()).toBe(
      await readFile(join(REPO_ROOT, 'api', 'page', 'static', 'index.html'), 'utf8'),
    );
    expect(results[6].meta.statusCode).toBe(200);
    expect(results[6].meta.headers['content-type']).toMatch(/^text\/javascript/);
  });
});
