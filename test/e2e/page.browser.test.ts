import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import { GeneratorPool } from '../../api/generators.js';
import { zooDir } from '../../generators/registry.js';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeNpy } from '../../runtime/codecs/index.js';
import { launchChromium, TEST_OUTPUT } from '../helpers/browser.js';

/**
 * The preview page (`GET /`) in a real headless Chromium (Debian's `chromium`, driven by puppeteer-core)
 * against real `goe serve` servers on loopback sockets, with the zoo the repository ships.
 */

const KEY = 'page-test-key';
const backend = async () => (await initBackend()).choice;
const silent = () => {};

let browser: Browser;
let pool: GeneratorPool;
let open: RunningServer;
let keyed: RunningServer;
let limited: RunningServer;
let downloads: string;

beforeAll(async () => {
  // One pool for the three servers: the generators load once.
  pool = new GeneratorPool({ zoo: zooDir(), backend, batchSize: 64 });
  open = await startServer({ pool, port: 0, log: silent, limits: { ratePerSecond: 1e6, burst: 1e6 } });
  keyed = await startServer({ pool, port: 0, log: silent, keys: [KEY] });
  // The page makes about ten requests on load (models, model, grid, strip): a burst of 4 runs out.
  limited = await startServer({ pool, port: 0, log: silent, limits: { ratePerSecond: 0.01, burst: 4 } });
  browser = await launchChromium();
  downloads = await mkdtemp(join(tmpdir(), 'goe-page-downloads-'));
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([open?.close(), keyed?.close(), limited?.close()]);
  await rm(downloads, { recursive: true, force: true });
});

/** A new tab that records console errors, page errors and failed requests. */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const errors: string[] = [];
  page.on('console', (m) => {
    // A failed fetch is logged by Chromium as a console error too ("Failed to load resource: … 422"); the
    // tests that expect problems filter those, the others must see none at all.
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, errors };
}

/** Waits until the page has finished an update (`ready` or `problem`) and returns which. */
async function settled(page: Page, state?: 'ready' | 'problem'): Promise<string> {
  await page.waitForFunction(
    (want) => {
      const s = document.body.dataset.state;
      return want ? s === want : s === 'ready' || s === 'problem';
    },
    { timeout: 60_000 },
    state,
  );
  return page.evaluate(() => document.body.dataset.state ?? '');
}

/** The grid image's pixels (RGBA), drawn through a canvas. */
function gridPixels(page: Page): Promise<number[]> {
  return page.$eval('#grid', (img) => {
    const image = img as HTMLImageElement;
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
  });
}

describe('the preview page', () => {
  it('loads the models, a grid, the σ² strip and the snippets without console errors; screenshot', async () => {
    const { page, errors } = await newPage();
    const res = await page.goto(`${open.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await settled(page)).toBe('ready');

    const models = await page.$$eval('#model option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(models).toContain('fashion-mnist-cgan');
    expect(models).toContain('brown-lm');
    const grid = await page.$eval('#grid', (img) => ({
      w: (img as HTMLImageElement).naturalWidth,
      h: (img as HTMLImageElement).naturalHeight,
      alt: (img as HTMLImageElement).alt,
    }));
    expect(grid.w).toBeGreaterThan(28 * 8);
    expect(grid.alt).toContain('σ² = 50');
    // The strip: one column per σ² level inside the model's range [0, 1000], same seed.
    const strip = await page.$$eval('#strip figcaption', (cs) => cs.map((c) => c.textContent));
    expect(strip).toEqual(['σ² = 0', 'σ² = 1', 'σ² = 5', 'σ² = 20', 'σ² = 50', 'σ² = 100', 'σ² = 500']);
    const curl = await page.$eval('#snippet', (e) => e.textContent ?? '');
    expect(curl).toContain(`curl -s ${open.url}/outliers`);
    expect(curl).toContain('"sigma2":50');

    // Every control has a label a screen reader can read.
    const unlabelled = await page.$$eval('input, select', (els) =>
      els.filter((e) => !(e.labels && e.labels.length > 0) && !e.getAttribute('aria-label')).map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);
    expect(errors).toEqual([]);

    await page.screenshot({ path: join(TEST_OUTPUT, 'preview-page.png'), fullPage: true });
    expect((await stat(join(TEST_OUTPUT, 'preview-page.png'))).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('moving the σ² slider by keyboard fetches a new grid whose pixels differ', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${open.url}/`);
    await settled(page, 'ready');
    const before = await gridPixels(page);
    const src = await page.$eval('#grid', (img) => (img as HTMLImageElement).src);
    const bodies: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/outliers')) bodies.push(r.postData() ?? '');
    });

    await page.focus('#level');
    await page.keyboard.press('Home'); // the lowest level: σ² = 0
    await page.waitForFunction(
      (old) => (document.getElementById('grid') as HTMLImageElement).src !== old,
      {},
      src,
    );
    await settled(page, 'ready');
    expect(await page.$eval('#level-value', (e) => (e as HTMLInputElement).value)).toBe('0');
    expect(bodies.some((b) => JSON.parse(b).sigma2 === 0 && JSON.parse(b).format === 'png')).toBe(true);
    const after = await gridPixels(page);
    expect(after.length).toBe(before.length);
    const changed = after.filter((v, i) => v !== before[i]).length;
    expect(changed).toBeGreaterThan(after.length / 20);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the problem of an unknown class and of a σ² out of range inline, and recovers', async () => {
    const { page } = await newPage();
    await page.goto(`${open.url}/`);
    await settled(page, 'ready');

    await page.click('#classes', { count: 3 });
    await page.type('#classes', 'Sandal, Hat');
    await page.keyboard.press('Enter');
    await settled(page, 'problem');
    // What the server says for the same request, shown as it is.
    const direct = await fetch(`${open.url}/outliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'fashion-mnist-cgan',
        classes: ['Sandal', 'Hat'],
        count: 1,
        format: 'png',
      }),
    });
    const problem = (await direct.json()) as { title: string; detail: string };
    const shown = await page.$eval('#problem', (e) => ({
      text: e.textContent ?? '',
      hidden: (e as HTMLElement).hidden,
    }));
    expect(shown.hidden).toBe(false);
    expect(shown.text).toContain(problem.detail);
    expect(shown.text).toContain('Unknown class (422)');
    expect(shown.text).toContain('/classes/1: unknown class');

    await page.click('#classes', { count: 3 });
    await page.type('#classes', 'Sandal');
    await page.click('#level-value', { count: 3 });
    await page.type('#level-value', '5000');
    await page.keyboard.press('Enter');
    await settled(page, 'problem');
    const range = await page.$eval('#problem', (e) => e.textContent ?? '');
    expect(range).toContain('Invalid request (422)');
    expect(range).toMatch(/sigma2|σ²/);
    expect(range).toContain('5000');

    await page.click('#level-value', { count: 3 });
    await page.type('#level-value', '20');
    await page.keyboard.press('Enter');
    await settled(page, 'ready');
    expect(await page.$eval('#problem', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.close();
  });

  it('asks for a key on a keyed server (401), keeps it in sessionStorage only, then shows the grid', async () => {
    const { page } = await newPage();
    await page.goto(`${keyed.url}/`);
    await settled(page, 'problem');
    const text = await page.$eval('#problem', (e) => e.textContent ?? '');
    expect(text).toContain('Unauthorized (401)');
    expect(text).toContain('Enter an API key');

    await page.type('#api-key', KEY);
    await page.keyboard.press('Tab');
    await settled(page, 'ready');
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('goe.apiKey'),
      local: Object.keys(localStorage).length,
      cookies: document.cookie,
    }));
    expect(stored).toEqual({ session: KEY, local: 0, cookies: '' });
    // The snippets name the environment variable, never the key.
    const snippets = await page.$eval('#snippet', (e) => e.textContent ?? '');
    expect(snippets).toContain('$GOE_API_KEY');
    expect(snippets).not.toContain(KEY);
    await page.close();
  });

  it('shows 429 with its Retry-After when the rate limit is reached', async () => {
    const { page } = await newPage();
    await page.goto(`${limited.url}/`);
    await settled(page, 'problem');
    const text = await page.$eval('#problem', (e) => e.textContent ?? '');
    expect(text).toContain('Rate limited (429)');
    expect(text).toMatch(/try again in \d+ s/);
    await page.close();
  });

  it('downloads the batch as .npy (the bytes the API serves) and copies the Python snippet', async () => {
    const { page, errors } = await newPage();
    await browser
      .defaultBrowserContext()
      .overridePermissions(open.url, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    // Headless Chromium has no system clipboard to read back: record what the page writes, then pass it on.
    await page.evaluateOnNewDocument(() => {
      const write = navigator.clipboard.writeText.bind(navigator.clipboard);
      navigator.clipboard.writeText = (text: string) => {
        (window as unknown as { copied: string }).copied = text;
        return write(text);
      };
    });
    await page.goto(`${open.url}/`);
    await settled(page, 'ready');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await page.click('#download');
    let files: string[] = [];
    for (let i = 0; i < 200 && !files.some((f) => f.endsWith('.npy')); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      files = await readdir(downloads);
    }
    expect(files).toEqual(['fashion-mnist-cgan-s50-seed7.npy']);
    const npy = decodeNpy(new Uint8Array(await readFile(join(downloads, files[0]))));
    expect(npy.shape).toEqual([64, 28, 28, 1]);
    const direct = await fetch(`${open.url}/outliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fashion-mnist-cgan', sigma2: 50, count: 64, seed: 7, format: 'npy' }),
    });
    expect(
      Buffer.compare(await readFile(join(downloads, files[0])), Buffer.from(await direct.arrayBuffer())),
    ).toBe(0);

    await page.click('#tab-py');
    await page.bringToFront();
    await page.click('#copy');
    await page.waitForFunction(() => document.getElementById('copy')?.textContent === 'Copied');
    const copied = await page.evaluate(() => (window as unknown as { copied: string }).copied);
    expect(copied).toBe(await page.$eval('#snippet', (e) => e.textContent));
    expect(copied).toContain('np.load(io.BytesIO(res.read()))');
    expect(copied).toContain('torch.from_numpy(x)');
    expect(copied).toContain(`"${open.url}/outliers"`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows sampled texts for a text model, with T instead of σ²', async () => {
    const { page, errors } = await newPage();
    await page.goto(`${open.url}/?model=brown-lm&count=3`);
    await page.waitForFunction(() => document.getElementById('level-label')?.textContent === 'Temperature T');
    await page.waitForFunction(() => document.querySelectorAll('#texts li').length === 3, {
      timeout: 60_000,
    });
    await settled(page, 'ready');
    const texts = await page.$$eval('#texts li', (ls) => ls.map((l) => l.textContent ?? ''));
    for (const t of texts) expect(t.split(' ').length).toBeGreaterThan(5);
    expect(await page.$eval('#grid-figure', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#download', (e) => e.textContent)).toBe('Download .ndjson');
    expect(errors).toEqual([]);
    await page.close();
  });
});

// Keeps a copy of the first test's screenshot where the README can show it, when asked to.
if (process.env.GOE_UPDATE_SCREENSHOT === '1') {
  afterAll(async () => {
    const reports = join(TEST_OUTPUT, '..', 'reports');
    await mkdir(reports, { recursive: true });
    await copyFile(join(TEST_OUTPUT, 'preview-page.png'), join(reports, 'preview-page.png'));
  });
}
