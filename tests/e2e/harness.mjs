// Shared set-up for the end-to-end tests: serve the release build (dist/) on loopback under a
// sub-path, launch Debian's Chromium through playwright-core, and collect console errors.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/static-server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');

// Flags from shared/toolchain.md: headless as root on a machine without outside network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LAUNCH = { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS };
const VIEWPORT = { width: 1100, height: 900 };

/** Starts Chromium as `start` does, but with no profile: each `newContext()` of it is a
 * private window's (off the record), with the same viewport. */
export async function launchPrivate() {
  const browser = await chromium.launch(LAUNCH);
  return { newContext: () => browser.newContext({ viewport: VIEWPORT }), close: () => browser.close() };
}

/** Serves `dist` (default: the release build, dist/) under /playground/ (proving relative
 * asset URLs) and starts Chromium. */
export async function start({ dist = join(ROOT, 'dist') } = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  const site = await serve(dist, { prefix: '/playground/' });
  const userDataDir = await mkdtemp(join(tmpdir(), 'avp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { ...LAUNCH, viewport: VIEWPORT });
  return {
    base: site.base,
    context,
    async close() {
      await context.close();
      await site.close();
    },
  };
}

/** Records console errors, uncaught exceptions and failed requests of `page` into an array. */
export function watch(page) {
  const errors = [];
  page.on('console', (msg) => {
    // A missing favicon is harmless noise; anything else logged as an error is a failure.
    const where = msg.location()?.url ?? '';
    if (msg.type() === 'error' && !where.endsWith('favicon.ico')) errors.push(`${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('requestfailed', (req) => {
    if (!req.url().endsWith('favicon.ico')) errors.push(`request failed: ${req.url()}`);
  });
  return errors;
}

/** Opens a page and records console errors and uncaught exceptions into `errors`. */
export async function open(env, path = '', { before } = {}) {
  const page = await env.context.newPage();
  const errors = watch(page);
  // E.g. routes that make a request fail, set up before the page loads.
  if (before) await before(page);
  await page.goto(env.base + path);
  // The app has mounted once the Run button exists.
  await page.waitForSelector('[data-testid="run"]', { timeout: 15000 });
  return { page, errors };
}

/** Reads a measured time (ms) from the page. */
export async function measured(page, strategyId) {
  const v = await page.getAttribute(`[data-testid="measured-${strategyId}"]`, 'data-ms');
  return Number(v);
}
