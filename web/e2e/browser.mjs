// @ts-check
// Debian's Chromium (/usr/bin/chromium) driven by playwright-core: no browser download, a fresh profile
// folder for every test, and no request leaves the machine (anything not on 127.0.0.1 is refused, so the
// demo's https://images.… pictures fall back to the dashboard's own placeholder).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './server.mjs';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const screenshotDir = join(repoRoot, 'web', 'screenshots');

/**
 * How long a single wait for an element or a navigation may take. Every wait is for a condition, never a fixed
 * time; the bound only turns one that never comes true into a failure, so it is far above what a loaded
 * machine (the Go tests or a CPU-heavy job beside the browser) needs.
 */
const ACTION_TIMEOUT_MS = 60_000;

/** @param {URL} url */
function isLoopback(url) {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * openBrowser starts Chromium with a new, empty user-data folder and opens one page.
 * @param {{viewport?: {width: number, height: number}}} [opts]
 */
export async function openBrowser(opts = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'dashboard-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: chromiumArgs,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
      timeout: 120_000,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  await context.route((url) => !isLoopback(url), (route) => route.abort('blockedbyclient'));
  const page = context.pages()[0] ?? (await context.newPage());

  /** Uncaught errors in the page: a test fails when there are any. */
  /** @type {string[]} */
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));

  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * screenshot saves the page (or one element) as web/screenshots/<name>.png, with animations finished.
 * @param {import('playwright-core').Page | import('playwright-core').Locator} target
 * @param {string} name
 * @param {{fullPage?: boolean}} [opts]
 */
export async function screenshot(target, name, opts = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  if ('goto' in target) {
    await target.screenshot({ path, fullPage: opts.fullPage ?? true, animations: 'disabled' });
  } else {
    await target.screenshot({ path, animations: 'disabled' });
  }
  return path;
}
