import { mkdir } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { type Command, Option } from 'commander';
import { copyFileAtomic, writeFileAtomic } from '../../runtime/atomic-write.js';
import { goeEnv } from '../../runtime/config.js';
import {
  createGoeClient,
  GoeApiError,
  GoeNetworkError,
  GoeProtocolError,
  type OpenedOutliers,
  type OutlierFormat,
  type OutlierRequest,
} from '../../sdk/index.js';
import { note, printJson } from '../output.js';
import { nonNegativeNumber, positiveInt, positiveNumber, uint32 } from '../parse.js';
import { type CacheEntry, PullCache, type PullMeta, pullCacheDir, requestKey } from '../pull-cache.js';
import { BodyCheck, IntegrityError } from '../pull-check.js';
import { withAbort } from '../signals.js';

interface Opts {
  api?: string;
  apiKey?: string;
  model: string;
  seed: number;
  count: number;
  sigma2?: number;
  temperature?: number;
  classes?: string;
  start: number;
  float32?: boolean;
  out: string;
  expectModelDigest?: string;
  expectBodySha256?: string;
  /** The deprecated name of expectModelDigest. */
  expectDigest?: string;
  cache: boolean;
  offline?: boolean;
  json?: boolean;
  retries: number;
}

/** Exit codes of `goe pull`, for CI scripts (also listed in `goe pull --help`). */
export const PULL_EXIT = { ok: 0, error: 1, usage: 2, server: 3, network: 4, integrity: 5 } as const;

const FORMATS: Record<string, OutlierFormat> = {
  '.npy': 'npy',
  '.npz': 'npz',
  '.safetensors': 'safetensors',
  '.ndjson': 'ndjson',
  '.png': 'png',
};

// A body that breaks mid-download is fetched again whole: binary formats cannot be resumed by row.
const DOWNLOAD_TRIES = 3;

/** Registers `goe pull`: a fixed-seed batch from a goe server to a file, cached and verified. */
export function registerPull(program: Command): void {
  const cmd = program
    .command('pull')
    .summary('download a fixed-seed batch of outliers from a goe server (cached, verified)')
    .description(
      'download outliers from a goe server (`goe serve`) for CI: the same request gives the same bytes. ' +
        'The format follows --out: .npy, .npz (images + classes + indices, for NumPy alone), .safetensors, ' +
        '.ndjson or .png (a preview grid, count ≤ 1024). ' +
        'A second pull of the same request is served from the local cache once the server confirms the ETag ' +
        "(If-None-Match → 304) and the cached body's sha256 checks; a corrupted entry is downloaded again. " +
        'The cache is $GOE_CACHE_DIR/pulls (default ~/.cache/goe/pulls). The file is written atomically ' +
        '(temp file + rename): it is complete or absent.',
    )
    .option('--api <url>', 'server base URL, e.g. http://127.0.0.1:8080 (required unless --offline)')
    .addOption(new Option('--api-key <key>', 'bearer API key').env('GOE_API_KEY'))
    .requiredOption('--model <id>', 'generator id (see GET /models)')
    .requiredOption('--seed <n>', 'seed (uint32; 0 is a seed)', uint32)
    .requiredOption('--count <n>', 'number of rows', positiveInt)
    .addOption(
      new Option('--sigma2 <x>', 'latent variance σ² (image models)')
        .argParser(nonNegativeNumber)
        .conflicts('temperature'),
    )
    .addOption(
      new Option('--temperature <t>', 'sampling temperature T (text models)').argParser(positiveNumber),
    )
    .option('--classes <list>', 'class names or indices, comma-separated (default: all)')
    .option('--start <n>', 'index of the first row (a slice of the same stream)', uint32, 0)
    .option('--float32', 'float32 pixels in [0, 1] instead of uint8 (.npy, .npz, .safetensors, .ndjson)')
    .requiredOption('--out <file>', 'output file: .npy, .npz, .safetensors, .ndjson or .png')
    .option(
      '--expect-model-digest <sha256>',
      "fail (exit 5) unless the generator's weights digest (Goe-Model-Digest, GET /models) is this",
    )
    .option(
      '--expect-body-sha256 <hex>',
      'fail (exit 5), writing nothing, unless the sha256 of the pulled file is this (pins the bytes)',
    )
    // Deprecated: the name did not say which digest; it keeps working (with a warning) for existing CI scripts.
    .addOption(new Option('--expect-digest <sha256>').hideHelp())
    .option('--no-cache', 'neither read nor fill the local cache')
    .option('--offline', 'serve from the local cache only, without asking the server')
    .option('--retries <n>', 'retries of 429/503 and failed connections, with backoff', wholeNumber, 5)
    .option('--json', 'print what was pulled as JSON on stdout')
    .addHelpText(
      'after',
      '\nExit codes:\n' +
        '  0  the file was written (downloaded, or a verified cache hit)\n' +
        '  1  any other error (e.g. the file cannot be written)\n' +
        '  2  usage error (bad or missing flags)\n' +
        '  3  the server refused the request (a 4xx problem: unknown model or class, bad σ², auth, …)\n' +
        '  4  the server could not be reached, or kept failing (network errors, 5xx), after retries\n' +
        '  5  integrity failure: the generator digest differs from --expect-model-digest,\n' +
        "     the file's sha256 from --expect-body-sha256, or the body is not what was\n" +
        '     announced',
    )
    .action(async (o: Opts) => {
      const format = FORMATS[extname(o.out).toLowerCase()];
      if (!format)
        cmd.error(`error: --out must end in .npy, .npz, .safetensors, .ndjson or .png, got "${o.out}"`);
      if (format === 'png' && o.float32) cmd.error('error: --float32 does not apply to a .png preview');
      if (o.api === undefined && !o.offline)
        cmd.error('error: required option --api <url> not specified (only --offline works without it)');
      if (o.expectDigest !== undefined) {
        note(
          'warning: --expect-digest is deprecated: it pins the generator (Goe-Model-Digest); say ' +
            '--expect-model-digest, or --expect-body-sha256 to pin the pulled bytes',
        );
        if (o.expectModelDigest !== undefined && o.expectModelDigest !== o.expectDigest)
          cmd.error(
            'error: --expect-digest and --expect-model-digest disagree; give only --expect-model-digest',
          );
        o.expectModelDigest ??= o.expectDigest;
      }
      if (o.expectBodySha256 !== undefined && !/^(sha256:)?[0-9a-fA-F]{64}$/.test(o.expectBodySha256))
        cmd.error(`error: --expect-body-sha256 must be 64 hex digits, got "${o.expectBodySha256}"`);
      try {
        await withAbort((signal) => pull(o, format, signal));
      } catch (err) {
        process.stderr.write(`goe: error: ${err instanceof Error ? err.message : String(err)}\n`);
        if (goeEnv('GOE_LOG') === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
        process.exitCode = exitCodeOf(err);
      }
    });
}

/** The exit code for an error of a pull. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof IntegrityError || err instanceof GoeProtocolError) return PULL_EXIT.integrity;
  if (err instanceof GoeApiError) return err.status < 500 ? PULL_EXIT.server : PULL_EXIT.network;
  if (err instanceof GoeNetworkError) return PULL_EXIT.network;
  return PULL_EXIT.error;
}

async function pull(o: Opts, format: OutlierFormat, signal: AbortSignal): Promise<void> {
  const request: OutlierRequest = {
    model: o.model,
    seed: o.seed,
    count: o.count,
    start: o.start,
    format,
    ...(o.sigma2 === undefined ? {} : { sigma2: o.sigma2 }),
    ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
    ...(o.classes === undefined ? {} : { classes: parseClasses(o.classes) }),
    ...(o.float32 ? { dtype: 'float32' as const } : {}),
  };
  const cache = o.cache ? new PullCache(pullCacheDir()) : undefined;
  if (o.offline && !cache)
    throw new GoeNetworkError('--offline needs the cache (drop --no-cache)', { attempts: 0 });
  const key = o.api === undefined ? undefined : requestKey(o.api, request);

  let cached: CacheEntry | undefined;
  if (cache) {
    cached = key === undefined ? await offlineEntry(cache, request) : await cache.lookup(key);
    if (cached && !(await cache.verify(cached))) {
      note(`cache: entry ${cached.dir} is corrupted (sha256 mismatch); downloading again`);
      await cache.remove(cached);
      cached = undefined;
    }
  }
  if (o.offline) {
    if (!cached) throw new GoeNetworkError('--offline: this request is not in the cache', { attempts: 0 });
    return serveFromCache(o, cached, 'offline');
  }

  // Checked in the action: only --offline goes without --api.
  const api = o.api!;
  const client = createGoeClient({ baseUrl: api, apiKey: o.apiKey });
  const retry = {
    retries: o.retries,
    onRetry: (e: { reason: string; status?: number; delayMs: number }) =>
      note(`retrying in ${(e.delayMs / 1000).toFixed(1)} s after ${e.status ?? e.reason}`),
  };
  for (let attempt = 1; ; attempt++) {
    const { data: opened, error } = await client.openOutliers(request, {
      // The cacheable GET form, unless a class name holds a comma (GET sends `classes` comma-separated).
      method: request.classes?.some((c) => String(c).includes(',')) ? 'POST' : 'GET',
      format,
      ifNoneMatch: cached?.meta.etag,
      signal,
      retry,
    });
    if (error) throw error;
    if (opened.info.status === 304) {
      if (!cached) throw new GoeProtocolError('the server answered 304 to a request without If-None-Match');
      return serveFromCache(o, cached, 'hit');
    }
    checkDigest(o, opened.info.modelDigest, opened.body);
    try {
      return await download(o, api, request, format, opened, cache, key!);
    } catch (err) {
      if (signal.aborted || !(err instanceof BrokenBody) || attempt >= DOWNLOAD_TRIES) {
        throw err instanceof BrokenBody
          ? new GoeNetworkError(err.message, { cause: err.cause, attempts: attempt })
          : err;
      }
      note(`download broke (${err.message}); trying again (${attempt + 1}/${DOWNLOAD_TRIES})`);
      cached = undefined;
    }
  }
}

class BrokenBody extends Error {}

async function download(
  o: Opts,
  api: string,
  request: OutlierRequest,
  format: OutlierFormat,
  opened: OpenedOutliers,
  cache: PullCache | undefined,
  key: string,
): Promise<void> {
  const { info } = opened;
  await mkdir(dirname(o.out) || '.', { recursive: true });
  // A cached pull lands in the cache's temp folder (committed there by a rename), else beside --out;
  // either way written atomically, so a broken body leaves nothing under the final name.
  const target = cache ? await cache.tempFile() : o.out;
  const check = new BodyCheck();
  const body = opened.body!;
  async function* checked(): AsyncGenerator<Uint8Array> {
    const reader = body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        throw new BrokenBody(`the body broke after ${check.bytes} bytes`, { cause });
      }
      if (chunk.done) break;
      check.update(chunk.value);
      yield chunk.value;
    }
    check.verify({ format, count: info.count, rowShape: info.rowShape, dtype: info.dtype });
  }
  let summary: { sha256: string; bytes: number } | undefined;
  await writeFileAtomic(target, checked(), {
    // Checked before the rename: a pin that fails (a changed body, or a stale pin) leaves nothing behind.
    beforeRename: async () => {
      summary = check.finish();
      checkBodySha256(o, summary.sha256);
    },
  });
  const { sha256, bytes } = summary!;
  const meta: PullMeta = {
    etag: info.etag ?? '',
    format,
    api,
    request: { ...request },
    modelDigest: info.modelDigest,
    seed: info.seed,
    count: info.count,
    rowShape: info.rowShape,
    dtype: info.dtype,
    backend: info.backend,
    sha256,
    bytes,
    createdAt: new Date().toISOString(),
  };
  if (cache && info.etag) {
    const entry = await cache.commit(key, target, meta);
    await copyFileAtomic(entry.body, o.out);
  }
  report(o, meta, 'miss');
}

async function serveFromCache(o: Opts, entry: CacheEntry, how: 'hit' | 'offline'): Promise<void> {
  checkDigest(o, entry.meta.modelDigest, null);
  checkBodySha256(o, entry.meta.sha256);
  note(`cache hit: ${entry.meta.etag} (sha256 ${entry.meta.sha256.slice(0, 12)}… verified)`);
  await mkdir(dirname(o.out) || '.', { recursive: true });
  await copyFileAtomic(entry.body, o.out);
  report(o, entry.meta, how === 'hit' ? 'hit' : 'offline');
}

function report(o: Opts, meta: PullMeta, cache: 'hit' | 'miss' | 'offline'): void {
  note(
    `wrote ${meta.count ?? '?'} rows of ${o.model} (seed ${meta.seed ?? o.seed}, ${meta.bytes} bytes, ` +
      `sha256 ${meta.sha256.slice(0, 12)}…) to ${o.out}${cache === 'miss' ? '' : ` from the cache`}`,
  );
  if (o.json) {
    printJson({
      out: o.out,
      cache,
      format: meta.format,
      bytes: meta.bytes,
      sha256: meta.sha256,
      etag: meta.etag,
      modelDigest: meta.modelDigest,
      seed: meta.seed,
      count: meta.count,
      rowShape: meta.rowShape,
      dtype: meta.dtype,
      backend: meta.backend,
    });
  }
}

const bare = (d: string) => d.replace(/^sha256:/, '').toLowerCase();

function checkDigest(o: Opts, digest: string | undefined, body: ReadableStream | null): void {
  if (o.expectModelDigest === undefined) return;
  if (digest === undefined || bare(digest) !== bare(o.expectModelDigest)) {
    body?.cancel().catch(() => undefined);
    throw new IntegrityError(
      `generator digest ${digest ?? '(none sent)'} is not the expected ${o.expectModelDigest} ` +
        `(--expect-model-digest${o.expectDigest === undefined ? '' : ', given as --expect-digest'})`,
    );
  }
}

function checkBodySha256(o: Opts, sha256: string): void {
  if (o.expectBodySha256 === undefined || bare(o.expectBodySha256) === sha256) return;
  throw new IntegrityError(
    `the pulled body's sha256 ${sha256} is not the expected ${bare(o.expectBodySha256)} (--expect-body-sha256); ` +
      `${o.out} was not written`,
  );
}

/** The cache entry for `request` from any server (`--offline` without `--api`); several bodies are ambiguous. */
async function offlineEntry(cache: PullCache, request: OutlierRequest): Promise<CacheEntry | undefined> {
  const found = await cache.findByRequest({ ...request });
  const apis = new Set(found.map((e) => e.meta.api));
  if (new Set(found.map((e) => e.meta.sha256)).size > 1)
    throw new GoeNetworkError(
      `--offline: the cache holds different bodies for this request from ${[...apis].join(', ')}; ` +
        'name one with --api',
      { attempts: 0 },
    );
  return found[0];
}

/** `"0,3"` → [0, 3]; `"Sandal,Bag"` → names; mixed lists work too. */
function parseClasses(list: string): (string | number)[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function wholeNumber(value: string): number {
  return value === '0' ? 0 : positiveInt(value);
}
