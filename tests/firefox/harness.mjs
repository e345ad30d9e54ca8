// Shared set-up for the Firefox tests: serve the release build (dist/) on loopback under a
// sub-path, as the Chromium tests do, and launch Debian's Firefox ESR through puppeteer-core
// over WebDriver BiDi. puppeteer-core downloads nothing: it drives the installed browser.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { serve } from '../../scripts/static-server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Serves `dist` under /playground/ and starts Firefox with a fresh profile. */
export async function start({ dist = join(ROOT, 'dist') } = {}) {
  const site = await serve(dist, { prefix: '/playground/' });
  const userDataDir = await mkdtemp(join(tmpdir(), 'avp-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    userDataDir,
    // Generous: a busy 2-core machine starts Firefox in seconds, not the default's margin.
    protocolTimeout: 120000,
    timeout: 120000,
  });
  return {
    base: site.base,
    browser,
    async close() {
      await browser.close();
      await site.close();
    },
  };
}

/** Records console errors and uncaught exceptions of `page` into an array. */
export function watch(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/favicon\.ico/.test(msg.location()?.url ?? '')) errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}

/** Opens `path` (a fragment) in a new page and waits until the app has mounted. */
export async function open(env, path = '') {
  const page = await env.browser.newPage();
  page.setDefaultTimeout(30000);
  const errors = watch(page);
  await page.setViewport({ width: 1100, height: 900 });
  await page.goto(env.base + path);
  await page.waitForSelector('[data-testid="run"]', { timeout: 30000 });
  return { page, errors };
}

/** The text of the element with `data-testid` = `id`. */
export const text = (page, id) => page.$eval(`[data-testid="${id}"]`, (e) => e.textContent);

/** An attribute of the element with `data-testid` = `id`. */
export const attr = (page, id, name) => page.$eval(`[data-testid="${id}"]`, (e, n) => e.getAttribute(n), name);

/** Sets a field as typing would: its value, then an input event. */
export const fill = (page, id, value) =>
  page.$eval(`[data-testid="${id}"]`, (e, v) => {
    e.value = v;
    e.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);

/** Waits until the run's progress line says `state` (running, done, cancelled). */
export const until = (page, state, timeout = 30000) =>
  page.waitForSelector(`[data-testid="progress"][data-state="${state}"]`, { timeout });
