import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from '../hono-env.js';

/**
 * The preview page's files, served as they are (plain HTML/CSS/JS, no build step, nothing from a CDN).
 * They sit in `static/` beside this module; the Lambda bundle copies them beside its `index.mjs`
 * (infra/lambda/bundle.ts), where this module's code then runs, so the same relative path works in both.
 */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');

/** File name → media type of what `GET /` and its assets serve. */
export const PAGE_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
};

// A tight policy: the page loads only its own files and talks only to this origin; images are blob: URLs
// of fetched PNGs (fetch, not <img src>, so that the API key header is sent and problems can be read).
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

/**
 * `GET /` (the preview page) and `GET /page/{file}` (its stylesheet and script). The files are read once,
 * here, so that a missing file fails at start-up rather than on a request.
 *
 * @throws {Error} (ENOENT) when a file of {@link PAGE_FILES} is missing from `dir`.
 */
export function pageRoutes(dir: string = PAGE_DIR): Hono<AppEnv> {
  const files = new Map(
    Object.entries(PAGE_FILES).map(([name, type]) => [name, { type, body: readFileSync(join(dir, name)) }]),
  );
  const serve = (name: string) => {
    const f = files.get(name)!;
    return new Response(f.body, {
      headers: {
        'Content-Type': f.type,
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  };
  const app = new Hono<AppEnv>();
  app.get('/', () => serve('index.html'));
  app.get('/page/page.css', () => serve('page.css'));
  app.get('/page/page.js', () => serve('page.js'));
  return app;
}

/** The paths {@link pageRoutes} answers: open without a key (the page asks for one itself). */
export const PAGE_PATHS = ['/', '/page/page.css', '/page/page.js'] as const;
