import type { Hono } from 'hono';
import { type AppOptions, buildApp } from '../../api/app.js';
import { GeneratorPool } from '../../api/generators.js';
import type { AppEnv } from '../../api/hono-env.js';
import { initBackend } from '../../runtime/backend/index.js';
import type { LogLevel } from '../../runtime/log.js';
import { tempZoo } from './zoo.js';

/** The generator id of the test zoo. */
export const MODEL = 'fashion-mnist-cgan';

/** One captured log line. */
export interface LogLine {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/** A temp zoo with a tiny random generator (fast forward passes: the tests are about the service). */
export async function apiTestZoo(): Promise<string> {
  await initBackend();
  return tempZoo({ gWidth: 4, dWidth: 4, latentDim: 16 });
}

/** An app over `zoo` with its pool and a log capture, for `app.request(...)` tests. */
export function testApp(
  zoo: string,
  options: AppOptions = {},
): { app: Hono<AppEnv>; pool: GeneratorPool; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const pool =
    options.pool ??
    new GeneratorPool({
      zoo,
      backend: async () => (await initBackend()).choice,
      batchSize: options.batchSize ?? 64,
    });
  const app = buildApp({
    log: (level, msg, fields = {}) => logs.push({ level, msg, fields }),
    ...options,
    pool,
  });
  return { app, pool, logs };
}

/** `POST /outliers` with a JSON body. */
export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** The whole body as bytes. */
export async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}
