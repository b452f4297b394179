import { Hono } from 'hono';
import type { AppEnv } from '../hono-env.js';

/** `GET /openapi.yaml`: the contract this server validates against. */
export function contractRoutes(text: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/openapi.yaml', (c) => c.body(text, 200, { 'Content-Type': 'application/yaml; charset=utf-8' }));
  return app;
}
