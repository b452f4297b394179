import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../api/contract.js';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { PROBLEM_BASE, PROBLEMS } from '../../api/problems.js';
import { compileSchema } from '../../api/validation/index.js';
import { initBackend } from '../../runtime/backend/index.js';
import { apiTestZoo, MODEL } from '../helpers/api.js';

/**
 * Hundreds of invalid requests, made by mutating valid ones, against a real server: not one may get a
 * 5xx, and every answer must be a problem document with a type from the contract.
 */

const VALID = {
  model: MODEL,
  classes: ['Bag', 3],
  sigma2: 20,
  count: 4,
  seed: 7,
  start: 2,
  format: 'ndjson',
  dtype: 'uint8',
};

/** Values that make each field invalid (wrong type, out of range, unknown name...). */
const BAD_VALUES: Record<string, unknown[]> = {
  model: [
    null,
    1,
    true,
    [],
    {},
    '',
    'x'.repeat(129),
    'nope',
    '../zoo',
    'fashion-mnist-cgan/',
    '.',
    '..',
    ' fashion-mnist-cgan',
    '\u0000',
    '%2e%2e',
    'fashion-mnist-cgan\n',
  ],
  classes: [
    null,
    'Bag',
    3,
    true,
    {},
    [],
    [null],
    [true],
    [-1],
    [1.5],
    ['Hat'],
    [10],
    [99999999999],
    ['bag', 'Hat'],
    [''],
    Array(1025).fill(0),
    [[0]],
    [{}],
    ['x'.repeat(129)],
    ['Bag', -3],
  ],
  sigma2: [null, '20', true, [], {}, -1, -1e-9, 1000.5, 1e308, 'NaN', 'Infinity'],
  temperature: [2, 0, -1, '2', null, 1e-9, []],
  count: [null, '4', true, [], {}, 0, -1, 1.5, 1_000_001, 1e12, 2 ** 53, 'all', -0.5],
  seed: [null, '7', true, -1, 1.5, 2 ** 32, 1e20, [], {}, -(2 ** 31)],
  start: [null, '0', true, -1, 0.5, 2 ** 53, 1e300, {}, [], 2 ** 53 - 2],
  format: [null, 1, true, 'NPY', 'gif', '', ['npy'], 'csv', 'json', {}],
  dtype: [null, 1, 'int8', 'float64', 'UINT8', '', true, ['uint8']],
};

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
}

function json(name: string, body: unknown, headers: Record<string, string> = {}): Case {
  return {
    name,
    method: 'POST',
    path: '/outliers',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function cases(): Case[] {
  const out: Case[] = [];
  // 1. Every field set to every bad value, in the POST body (with and without the other fields).
  for (const [field, values] of Object.entries(BAD_VALUES)) {
    for (const value of values) {
      out.push(json(`${field}=${JSON.stringify(value)?.slice(0, 40)}`, { ...VALID, [field]: value }));
      out.push(
        json(`only model + ${field}=${JSON.stringify(value)?.slice(0, 40)}`, {
          model: field === 'model' ? value : MODEL,
          [field]: value,
        }),
      );
    }
  }
  // Two bad fields at once (errors must all be reported, not the first one only).
  const fields = Object.keys(BAD_VALUES);
  for (let round = 0; round < 3; round += 1) {
    for (let i = 0; i < fields.length; i += 1) {
      for (let j = i + 1; j < fields.length; j += 1) {
        const [f, g] = [fields[i], fields[j]];
        const a = BAD_VALUES[f][round % BAD_VALUES[f].length];
        const b = BAD_VALUES[g][(round + 1) % BAD_VALUES[g].length];
        out.push(json(`${f} and ${g} bad (${round})`, { ...VALID, [f]: a, [g]: b }));
      }
    }
  }
  // 2. Missing the required field, unknown fields, not an object.
  const { model: _model, ...noModel } = VALID;
  out.push(json('no model', noModel));
  for (const extra of ['foo', 'Model', 'constructor', 'toString', 'seeds', 'sigma', 'T', '']) {
    out.push(json(`extra field ${extra}`, { ...VALID, [extra]: 1 }));
  }
  out.push(json('__proto__ field', `{"model":"${MODEL}","__proto__":{"count":5}}`));
  for (const body of ['null', '[]', '"text"', '42', 'true', '[{"model":"fashion-mnist-cgan"}]', '{}']) {
    out.push(json(`body ${body}`, body));
  }
  // 3. Broken JSON: every proper prefix of a valid body, and a few classic breakages.
  const text = JSON.stringify(VALID);
  for (let n = 0; n < text.length; n += 1) out.push(json(`prefix ${n}`, text.slice(0, n)));
  for (const body of [
    "{'model': 'x'}",
    '{model: "x"}',
    `${text},`,
    `${text}}`,
    `${text} trailing`,
    '{"model": "x",}',
    '{"count": 01}',
    '{"count": NaN}',
    '{"count": Infinity}',
    '{"count": 1e400}',
    '{"model": "\\x41"}',
    '\ufeff{"model":"x"}',
    '['.repeat(10_000),
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  ]) {
    out.push(json(`bad json ${body.slice(0, 30)}`, body));
  }
  out.push(
    json(
      'invalid UTF-8',
      new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) as unknown as string,
    ),
  );
  // 4. Wrong content types.
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/jsonx',
    'json',
    'text/json',
    '',
  ]) {
    const c = json(`content-type ${type}`, VALID);
    c.headers = type === '' ? {} : { 'content-type': type };
    out.push(c);
  }
  // 5. Accept naming nothing served (format absent).
  const { format: _format, ...noFormat } = VALID;
  for (const accept of [
    'text/csv',
    'application/json',
    'image/jpeg',
    'text/*',
    'application/x-npy;q=0',
    'video/mp4, audio/*',
    'application/problem+json',
  ]) {
    out.push(json(`accept ${accept}`, noFormat, { accept }));
  }
  // 6. Bodies over 16 KiB: declared, and chunked without a length.
  for (const size of [16 * 1024 + 1, 100_000, 1_000_000]) {
    out.push(json(`body of ${size} bytes`, { ...VALID, pad: 'x'.repeat(size) }));
  }
  const big = new TextEncoder().encode(JSON.stringify({ ...VALID, pad: 'y'.repeat(40_000) }));
  for (const chunk of [1000, 16 * 1024]) {
    const c = json(`chunked body, ${chunk}-byte chunks`, '');
    c.body = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < big.length; i += chunk) ctl.enqueue(big.subarray(i, i + chunk));
        ctl.close();
      },
    });
    out.push(c);
  }
  // 7. Wrong methods and routes.
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    out.push({ name: `${method} /outliers`, method, path: '/outliers' });
    out.push({ name: `${method} /models`, method, path: '/models' });
  }
  for (const path of [
    '/outlier',
    '/outliers/x',
    '/models/nope',
    '/models/..%2f..%2fetc',
    `/models/${'x'.repeat(300)}`,
    '/models/%00',
    '/page/nope.js',
    '/openapi.json',
    '/healthz/x',
    '/%',
    '/models/fashion-mnist-cgan/extra',
  ]) {
    out.push({ name: `GET ${path.slice(0, 40)}`, method: 'GET', path });
  }
  // 8. The query-string form: bad values, repeats, unknown parameters.
  const query = (q: string) => ({ name: `GET ?${q.slice(0, 40)}`, method: 'GET', path: `/outliers?${q}` });
  const base = `model=${MODEL}&seed=1&count=2`;
  for (const q of [
    '',
    'count=2',
    'model=',
    'model=nope',
    `${base}&count=abc`,
    `model=${MODEL}&count=-1`,
    `model=${MODEL}&count=1e400`,
    `model=${MODEL}&count=0x10`,
    `model=${MODEL}&count=1000001`,
    `model=${MODEL}&seed=4294967296`,
    `model=${MODEL}&seed=-1`,
    `model=${MODEL}&start=-5`,
    `model=${MODEL}&sigma2=-1`,
    `model=${MODEL}&sigma2=abc`,
    `model=${MODEL}&temperature=2`,
    `model=${MODEL}&classes=Hat`,
    `model=${MODEL}&classes=`,
    `model=${MODEL}&classes=,`,
    `model=${MODEL}&classes=10`,
    `model=${MODEL}&format=gif`,
    `model=${MODEL}&dtype=int8`,
    `${base}&foo=1`,
    `${base}&count=3`,
    `${base}&model=other`,
    `model=${MODEL}&count=2000&format=png`,
    `model=${MODEL}&count=%ZZ`,
  ]) {
    out.push(query(q));
  }
  return out;
}

let server: RunningServer;
let zoo: string;

beforeAll(async () => {
  zoo = await apiTestZoo();
  server = await startServer({
    zoo,
    port: 0,
    log: () => {},
    backend: async () => (await initBackend()).choice,
    // Limits out of the way: this suite is about input, not rates.
    limits: { ratePerSecond: 1e6, burst: 1e6, concurrency: 1000 },
  });
});
afterAll(async () => {
  await server?.close();
  await rm(zoo, { recursive: true, force: true });
});

const KNOWN_TYPES = new Set(Object.keys(PROBLEMS).map((slug) => `${PROBLEM_BASE}${slug}`));
// Problem documents are checked against the contract's own `Problem` schema (its `type` is an enum there).
const problemSchema = compileSchema(loadContract(), 'Problem');

describe('bad input', () => {
  it('answers at least 500 generated invalid requests with 4xx problem documents, never a 5xx', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(500);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const c = all[next++];
        const res = await fetch(`${server.url}${c.path}`, {
          method: c.method,
          headers: c.headers,
          body: c.body as BodyInit | undefined,
          ...(c.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit);
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        let doc: { type?: string; status?: number; title?: string; detail?: string } = {};
        try {
          doc = JSON.parse(text);
        } catch {
          // reported below
        }
        const ok =
          res.status >= 400 &&
          res.status < 500 &&
          res.headers.get('content-type') === 'application/problem+json' &&
          KNOWN_TYPES.has(doc.type ?? '') &&
          problemSchema.errors(doc).length === 0 &&
          doc.status === res.status &&
          typeof doc.title === 'string' &&
          typeof doc.detail === 'string' &&
          !/\n\s+at /.test(text);
        if (!ok) failures.push(`${c.name}: ${res.status} ${text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.info(`${all.length} invalid requests: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  });
});
