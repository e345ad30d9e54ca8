// The end-to-end tests that matter most, in Firefox (Debian's firefox-esr, driven over WebDriver
// BiDi by puppeteer-core): a preset link, A with its loose bounds, primes on one and two
// workers, the embed in a cross-origin iframe, malformed links. Firefox differs from Chromium
// in its timers, its workers' start-up and its clock: performance.now() is rounded to 1 ms
// there (no cross-origin isolation), and the page says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostPage } from '../e2e/host-page.mjs';
import { start, open, watch, text, attr, fill, until } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const value = (page, id) => page.$eval(`[data-testid="${id}"]`, (e) => e.value);
const measured = async (page, id) => Number(await attr(page, `measured-${id}`, 'data-ms'));

test('Firefox: a preset link opens that preset, and the page says its clock steps by 1 ms', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-any');
  assert.equal(await value(page, 'experiment'), 'when-any');
  assert.equal(await value(page, 'durations'), '2000, 3000, 1000');
  assert.equal(await page.$eval('[data-testid="link-notes"]', (e) => e.hidden), true, 'a clean link has no notes');
  // Measured by the page once it has drawn: Firefox rounds the clock to whole milliseconds.
  await page.waitForFunction(() => /steps of/.test(document.querySelector('[data-testid="clock"]').textContent));
  assert.match(await text(page, 'clock'), /in steps of 1 ms in this browser, so every time shown is rounded to 1 ms/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Firefox: A, 10 x 500 ms: one by one takes at least 4.9 s, all at once under 1.5 s', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  assert.equal(await value(page, 'task-count'), '10');
  assert.equal(await value(page, 'duration'), '500');
  await page.click('[data-testid="run"]');
  await until(page, 'running');
  await until(page, 'done', 60000);
  const seq = await measured(page, 'sequential');
  const all = await measured(page, 'all-at-once');
  assert.ok(seq >= 4900, `sequential took ${seq} ms, expected at least 4900`);
  assert.ok(all >= 495 && all < 1500, `all at once took ${all} ms, expected 500 to 1500`);
  // Whole milliseconds: what the clock gives here, shown as it is.
  assert.equal(seq, Math.round(seq), `a Firefox reading is whole milliseconds: ${seq}`);
  assert.match(await text(page, 'progress'), /Done: 20 of 20/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Firefox: primes below 2,000,000 on one worker and on two give the same count', async () => {
  const { page, errors } = await open(env, '#v=1&preset=primes&limit=2000000&workers=2');
  await page.click('[data-testid="run"]');
  await until(page, 'running');
  await until(page, 'done', 120000);
  for (const way of ['one-worker', 'main-thread', 'static', 'dynamic']) {
    assert.equal(await text(page, `value-${way}`), '148,933', `${way} counts the primes below 2,000,000`);
  }
  // Two lanes for the 2-worker ways: the work really went to two workers.
  const lanes = await page.$$eval('[data-testid="result-static"] rect.bar-completed', (r) => r.length);
  assert.equal(lanes, 2, 'one range per worker');
  assert.match(await text(page, 'worker-status'), /2 warm, kept for the next run/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Firefox: the embed runs in a cross-origin iframe with autorun and posts its height', async () => {
  const src = `${env.base}#v=1&preset=when-all&n=3&ms=100&embed=1&autorun=1`;
  const host = await hostPage(src);
  try {
    // localhost vs 127.0.0.1: another origin than the playground's.
    const page = await env.browser.newPage();
    const errors = watch(page);
    await page.goto(host.url);
    const frameHandle = await page.waitForSelector('#play');
    const frame = await frameHandle.contentFrame();
    await frame.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 60000 });
    const all = Number(await frame.$eval('[data-testid="measured-all-at-once"]', (e) => e.getAttribute('data-ms')));
    assert.ok(all >= 95 && all < 1000, `autorun measured ${all} ms for 3 x 100 ms at once`);
    assert.equal((await frame.$$('[data-testid="full-link"]')).length, 1, 'a link to the full playground');
    assert.equal(await frame.$eval('footer.env', (e) => e.hidden), true, 'the embed is compact');
    await page.waitForFunction(() => window.heights.length > 0, { timeout: 30000 });
    const h = await page.evaluate(() => Math.max(...window.heights));
    assert.ok(h > 300, `height message: ${h}`);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await host.close();
  }
});

test('Firefox: malformed and hostile links open a working page that says what it ignored', async () => {
  for (const [fragment, expected] of [
    ['#v=1&preset=when-all&n=abc&ms=999999', /Ignored n=“abc”.*Used “10” instead/s],
    ['#v=9&preset=nope&zap=1', /newer version.*Unknown experiment “nope”.*Ignored unknown setting “zap”/s],
    ['#v=1&preset=when-all&n=<img src=x onerror=alert(1)>', /Ignored n=“<img src=x onerror=alert\(1\)>”/],
  ]) {
    const { page, errors } = await open(env, fragment);
    assert.match(await text(page, 'link-notes'), expected, `notes for ${fragment}`);
    assert.equal((await page.$$('img[src="x"]')).length, 0, 'link text is never HTML');
    // The page works: a short run completes.
    await fill(page, 'task-count', '2');
    await fill(page, 'duration', '50');
    await page.click('[data-testid="run"]');
    await until(page, 'done');
    assert.deepEqual(errors, [], `no errors for ${fragment}`);
    await page.close();
  }
});

test('Firefox: "Your program" loads the language module, runs the starter, and a worker job', async () => {
  const { page, errors } = await open(env, '#v=1&code=');
  await page.waitForFunction(() => document.querySelector('[data-testid="program"]')?.value?.includes('const a ='), {
    timeout: 60000,
  });
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="result-program"][data-state="done"]', { timeout: 60000 });
  const ms = Number(await attr(page, 'measured-program', 'data-ms'));
  assert.ok(ms >= 495 && ms < 1000, `two timers started together end after the longer: ${ms} ms`);
  // The run is a line of the summary, with the card's time (the line crosses from the module).
  await page.waitForSelector('[data-testid="summary-program"] td[data-ms]', { timeout: 30000 });
  assert.equal(
    Number(await page.$eval('[data-testid="summary-program"] td[data-ms]', (td) => td.dataset.ms)),
    ms,
  );
  await fill(page, 'program', 'const n = await worker(primes(100000));\nconsole.log("primes:", n);\n');
  await page.waitForFunction(() => /code=/.test(location.hash) && !location.hash.endsWith('code='));
  await page.click('[data-testid="run"]');
  await page.waitForFunction(() => /primes: 9592/.test(document.querySelector('[data-testid="program-log"]')?.textContent ?? ''), {
    timeout: 60000,
  });
  // Its worker was started and warmed up before the clock: the start-up is shown apart.
  await page.waitForSelector('[data-testid="startup-program"]', { timeout: 30000 });
  assert.deepEqual(errors, []);
  await page.close();
});
