import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where browser tests write what they saw (screenshots); gitignored. */
export const TEST_OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output');

/** Debian's `chromium` package installs it here; `GOE_CHROMIUM` names another binary. */
export const CHROMIUM = process.env.GOE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts the installed headless Chromium through puppeteer-core (which never downloads a browser).
 *
 * @throws {Error} naming `GOE_CHROMIUM` and the Debian package when no browser is found there.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set GOE_CHROMIUM to a Chromium binary`,
    );
  }
  await mkdir(TEST_OUTPUT, { recursive: true });
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI containers run as root, where Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--font-render-hinting=none'],
  });
}
