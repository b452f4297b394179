import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestZoo, testApp } from '../../test/helpers/api.js';
import { pageRoutes } from './index.js';

let zoo: string;
beforeAll(async () => {
  zoo = await apiTestZoo();
});
afterAll(async () => {
  await rm(zoo, { recursive: true, force: true });
});

describe('the preview page routes', () => {
  it('serve the page, its script and stylesheet without a key when keys are set, with a same-origin CSP', async () => {
    const { app } = testApp(zoo, { keys: ['a-long-test-key'] });
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/page/page.js', 'text/javascript'],
      ['/page/page.css', 'text/css'],
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(new RegExp(`^${type}`));
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    }
    expect((await app.request('/models')).status).toBe(401);
  });

  it('load nothing from another origin', async () => {
    const { app } = testApp(zoo);
    const html = await (await app.request('/')).text();
    const js = await (await app.request('/page/page.js')).text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(js).not.toMatch(/fetch\(['"`]https?:/);
  });

  it('answer other methods with 405 and unknown assets with 404 problems', async () => {
    const { app } = testApp(zoo);
    const post = await app.request('/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const missing = await app.request('/page/other.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('fail at construction when a file is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'goe-page-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html>');
    expect(() => pageRoutes(dir)).toThrow(/page\.css/);
    await rm(dir, { recursive: true, force: true });
  });
});
