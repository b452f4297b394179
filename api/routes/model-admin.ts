import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import {
  checkModelId,
  type ImportOptions,
  importModel,
  onnxSource,
  readZooManifest,
  removeZooEntry,
} from '../../generators/imported/index.js';
import type { OutputRange } from '../../generators/manifest.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';
import { problem } from '../problems.js';
import { detail } from './models.js';

/** The header that carries the admin key of `PUT|DELETE /models/{id}` (separate from request keys). */
export const ADMIN_KEY_HEADER = 'goe-admin-key';

const isAdminRoute = (method: string, path: string) =>
  (method === 'PUT' || method === 'DELETE') && /^\/models\/[^/]+$/.test(path);

/**
 * Guards `PUT|DELETE /models/{id}` with the admin key (`GOE_ADMIN_KEY`) in the `Goe-Admin-Key` header,
 * compared by digest in constant time, before the upload's body is read. Without a configured key the
 * routes are closed. A wrong or missing key is a 401 `unauthorized`.
 */
export function adminGuard(adminKey: string | undefined): MiddlewareHandler<AppEnv> {
  if (adminKey !== undefined && !/^[\x21-\x7e]{16,256}$/.test(adminKey)) {
    throw new Error('GOE_ADMIN_KEY must be 16 to 256 printable ASCII characters without spaces');
  }
  const want = adminKey === undefined ? undefined : digest(adminKey);
  return async function adminGuardMiddleware(c, next) {
    if (!isAdminRoute(c.req.method, c.req.path)) return next();
    if (!want) {
      throw problem(
        'unauthorized',
        'adding and removing models is turned off on this server (set GOE_ADMIN_KEY)',
      );
    }
    const given = c.req.header(ADMIN_KEY_HEADER);
    if (!given) throw problem('unauthorized', `an admin key is required (${'Goe-Admin-Key'} header)`);
    if (!timingSafeEqual(digest(given), want)) throw problem('unauthorized', 'the admin key is not valid');
    return next();
  };
}

/** Whether a request is a model upload (it gets the upload size limit instead of the request body limit). */
export function isModelUpload(method: string, path: string): boolean {
  return method === 'PUT' && isAdminRoute(method, path);
}

const RANGES: Record<string, OutputRange> = { '-1,1': [-1, 1], '0,1': [0, 1], '0,255': [0, 255] };
const LAYOUTS = { nchw: 'NCHW', nhwc: 'NHWC', flat: 'flat' } as const;

/**
 * `PUT /models/{id}` (an ONNX file as the body, `application/octet-stream`; the manifest fields as
 * query parameters, named as `goe models add`'s flags in camelCase) and `DELETE /models/{id}`. An upload
 * passes the same test forward pass as the CLI's import and is written atomically into the pool's zoo;
 * any failure leaves nothing behind. Only imported models can be replaced (`replace=true`) or deleted.
 */
export function modelAdminRoutes(pool: GeneratorPool): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.put('/models/:id', async (c) => {
    const id = c.req.param('id');
    checkId(id);
    const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/octet-stream' && type !== 'application/onnx') {
      throw problem(
        'unsupported-media-type',
        `upload the ONNX file as application/octet-stream, not ${type || 'no content type'}`,
      );
    }
    const q = (name: string) => c.req.query(name);
    const replace = q('replace') === 'true';
    const existing = await readZooManifest(pool.zoo, id);
    if (existing && existing.kind !== 'imported') {
      throw invalid('/id', `${id} is one of goe's own models; it cannot be replaced through the API`);
    }
    if (existing && !replace)
      throw invalid('/id', `model "${id}" already exists (pass replace=true to overwrite it)`);
    const options: ImportOptions = { id, ...parseFields(q, c.req.queries('const') ?? []) };
    let bytes = c.get('body');
    if (bytes.length === 0) throw invalid('/body', 'the body is empty: upload the ONNX file');
    try {
      const manifest = await importModel(onnxSource(bytes, `the uploaded file`), options, pool.zoo, replace);
      bytes = new Uint8Array(0);
      await pool.forget(id);
      return c.json(detail(manifest), existing ? 200 : 201);
    } catch (err) {
      throw invalid(
        '/body',
        (err as Error).message.replace(/--([a-z-]+)/g, (_, f: string) => camel(f)),
      );
    }
  });
  app.delete('/models/:id', async (c) => {
    const id = c.req.param('id');
    checkId(id);
    const existing = await readZooManifest(pool.zoo, id);
    if (!existing) throw problem('unknown-model', `no generator "${id}" (see GET /models)`);
    if (existing.kind !== 'imported') {
      throw invalid('/id', `${id} is one of goe's own models; it cannot be deleted through the API`);
    }
    await removeZooEntry(pool.zoo, id);
    await pool.forget(id);
    return c.body(null, 204);
  });
  return app;
}

function parseFields(q: (name: string) => string | undefined, consts: string[]): Omit<ImportOptions, 'id'> {
  const out: Omit<ImportOptions, 'id'> = {};
  const text = (name: 'latentInput' | 'classInput' | 'output' | 'license' | 'source' | 'author') => {
    const v = q(name);
    if (v !== undefined) out[name] = v;
  };
  for (const f of ['latentInput', 'classInput', 'output', 'license', 'source', 'author'] as const) text(f);
  const encoding = q('classEncoding');
  if (encoding !== undefined) {
    if (encoding !== 'one-hot' && encoding !== 'index')
      throw invalid('/classEncoding', 'must be one-hot or index');
    out.classEncoding = encoding;
  }
  const classes = q('classes');
  if (classes !== undefined)
    out.classes = classes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (consts.length > 0) {
    out.constants = {};
    for (const c of consts) {
      const m = /^([^=]+)=(.+)$/.exec(c);
      if (!m || !Number.isFinite(Number(m[2]))) throw invalid('/const', `expected name=number, got "${c}"`);
      out.constants[m[1]] = Number(m[2]);
    }
  }
  const shape = q('outputShape');
  if (shape !== undefined) {
    const parts = shape.split(',').map(Number);
    if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n >= 1)) {
      throw invalid('/outputShape', 'must be H,W,C (three whole numbers ≥ 1)');
    }
    out.outputShape = parts as [number, number, number];
  }
  const layout = q('outputLayout');
  if (layout !== undefined) {
    const l = LAYOUTS[layout.toLowerCase() as keyof typeof LAYOUTS];
    if (!l) throw invalid('/outputLayout', 'must be nchw, nhwc or flat');
    out.outputLayout = l;
  }
  const range = q('outputRange');
  if (range !== undefined) {
    const r = RANGES[range.replace(/\s|\[|\]/g, '')];
    if (!r) throw invalid('/outputRange', 'must be -1,1 or 0,1 or 0,255');
    out.outputRange = r;
  }
  const sigma2 = q('sigma2');
  if (sigma2 !== undefined) {
    const s = Number(sigma2);
    if (!Number.isFinite(s) || s < 0) throw invalid('/sigma2', 'must be a number ≥ 0');
    out.sigma2 = s;
  }
  return out;
}

function checkId(id: string): void {
  try {
    checkModelId(id);
  } catch (err) {
    throw invalid('/id', (err as Error).message);
  }
}

function invalid(path: string, message: string) {
  return problem('invalid-request', message, { errors: [{ path, message }] });
}

// The import's messages name CLI flags; over HTTP they are query parameters.
function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
