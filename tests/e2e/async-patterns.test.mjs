// Every async preset of scenarios B, F, G, H, I and K, run on the release build in headless
// Chromium: the page must tell the story the article tells, measured (loose, honest bounds).
// On a busy machine timers fire late, never early: lower bounds are the timers' own, upper
// bounds are about 3x what a way needs or set just below what the wrong behaviour would take,
// and the story is told by comparing ways measured side by side in the same run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, open, measured, ARTIFACTS } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

async function runPreset(page, id, edits = {}) {
  await page.selectOption('[data-testid="experiment"]', id);
  for (const [field, value] of Object.entries(edits)) await page.fill(`[data-testid="${field}"]`, value);
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 30000 });
  await page.screenshot({ path: join(ARTIFACTS, `${id}.png`), fullPage: true });
}
const text = (page, id) => page.textContent(`[data-testid="${id}"]`);

test('B: WhenAny continues after the shortest call, with the rest running or cancelled', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'when-any');
  const all = await measured(page, 'all-at-once');
  const first = await measured(page, 'first-wins');
  const cancel = await measured(page, 'first-wins-cancel');
  // 2000, 3000 and 1000 ms: WhenAll waits for the longest (one after another would be 6000).
  assert.ok(all >= 2995 && all < 5500, `WhenAll ${all}`);
  assert.ok(first >= 995 && first < 3000 && first < all, `WhenAny ${first} vs WhenAll ${all}`);
  assert.ok(cancel >= 995 && cancel < 3000 && cancel < all, `WhenAny + cancel ${cancel} vs WhenAll ${all}`);
  assert.match(await text(page, 'outcome-first-wins'), /with call #3; the other calls kept running/);
  assert.match(await text(page, 'outcome-first-wins-cancel'), /the other calls were cancelled/);
  assert.equal(await page.locator('[data-testid="result-first-wins-cancel"] rect.bar-cancelled').count(), 2);
  assert.equal(await page.locator('[data-testid="result-first-wins"] rect.bar-completed').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('F: throttling to K in flight runs in ceil(n / K) waves', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'throttle', { 'task-count': '60', duration: '100', limits: '10, 30' });
  const k10 = await measured(page, 'throttled-10');
  const k30 = await measured(page, 'throttled-30');
  assert.ok(k10 >= 595 && k10 < 1800, `6 waves: ${k10}`);
  assert.ok(k30 >= 198 && k30 < 600, `2 waves: ${k30}`);
  assert.ok(k30 < k10, `2 waves take less than 6: ${k30} vs ${k10}`);
  assert.equal(await text(page, 'peak-throttled-10'), '10');
  assert.match(await text(page, 'result-throttled-10'), /ceil\(60 \/ 10\) = 6 waves × 100 ms/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('G: a timeout abandons the slow call and a group deadline cancels what is pending', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'timeouts');
  const all = await measured(page, 'all-at-once');
  // The slow call alone takes 3000 ms: the group ended before it, at the 2 s timeout.
  assert.ok(all >= 1995 && all < 2990, `abandoned at the 2 s timeout: ${all}`);
  assert.equal(await text(page, 'errors-all-at-once'), '0 · 1 · 0');
  const deadline = (await text(page, 'outcome-sequential')).match(/group deadline cancelled the pending calls at ([\d,]+) ms/);
  assert.ok(deadline, 'the group deadline cancelled the pending calls');
  const at = Number(deadline[1].replace(/,/g, ''));
  // 500 + 1000 + 2000 (timed out) = 3500 ms one after another; the 2.5 s deadline came first.
  assert.ok(at >= 2495 && at < 3500, `cancelled at the 2.5 s deadline: ${at}`);
  assert.equal(await page.locator('[data-testid="result-sequential"] rect.bar-cancelled').count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('G: retries wait between attempts and every attempt is on the timeline', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'retries');
  const all = await measured(page, 'all-at-once');
  assert.ok(all >= 1495 && all < 4500, `two failures, 200 then 400 ms apart: ${all}`);
  assert.equal(await text(page, 'errors-all-at-once'), '4 · 0 · 4');
  assert.equal(await page.locator('[data-testid="result-all-at-once"] rect.bar-failed').count(), 4);
  assert.deepEqual(errors, []);
  await page.close();
});

test('H: one failure: WhenAll reports the first and the aggregate, fail-fast gives up early', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'failures');
  const threw = (await text(page, 'outcome-all-at-once')).match(
    /threw at ([\d,]+) ms: the error of call #2 \(the aggregate holds all 2: #2, #3\)/,
  );
  assert.ok(threw, 'WhenAll threw the first error, with the aggregate');
  const whenAll = Number(threw[1].replace(/,/g, ''));
  assert.ok(whenAll >= 995 && whenAll < 3000, `WhenAll throws once all 1000 ms are over: ${whenAll}`);
  const ff = await measured(page, 'all-at-once-fail-fast');
  assert.ok(ff >= 295 && ff < 900 && ff < whenAll, `Promise.all rejects at the first error: ${ff} vs ${whenAll}`);
  assert.match(await text(page, 'outcome-sequential'), /the error of call #2\./);
  // The failure did not break the page: another run works.
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 10000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('I: streaming consumes the first result after one tick, not after all five', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'streaming');
  const first = Number(await page.getAttribute('[data-testid="first-consumed-streaming"]', 'data-ms'));
  const seqFirst = Number(await page.getAttribute('[data-testid="first-consumed-sequential"]', 'data-ms'));
  assert.ok(first >= 495 && first < 1500 && first < seqFirst, `first result streamed after ${first}`);
  assert.ok(seqFirst >= 2490, `collected first, consumed after ${seqFirst}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('K: the async mistakes show lost errors, lost updates and a blocked loop, safely', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'mistakes');
  // The calls take 300 ms; the caller that forgets them does not wait for one.
  const forgot = await measured(page, 'fire-and-forget');
  assert.ok(forgot < 250, `the caller returned at once: ${forgot}`);
  assert.match(await text(page, 'resources-worker-per-call'), /up to 5 workers parked doing nothing/);
  assert.match(await text(page, 'outcome-fire-and-forget'), /nobody observed the error \(#3\)/);
  assert.match(await text(page, 'outcome-shared-counter-race'), /counter ended at 1 after 4 successful calls: 3 updates lost/);
  assert.match(await text(page, 'outcome-shared-counter-safe'), /counter ended at 4 after 4 successful calls: 0 updates lost/);
  assert.match(await text(page, 'outcome-block-on-result'), /Would deadlock/);
  const lag = Number(await page.getAttribute('[data-testid="lag-block-on-result"]', 'data-ms'));
  assert.ok(lag >= 1900, `the lag probe saw the frozen loop: ${lag}`);
  assert.ok((await page.locator('[data-testid="result-block-on-result"] rect.bar-lag').count()) >= 1);
  assert.equal(await page.isEnabled('[data-testid="run"]'), true, 'the tab is alive after the watchdog');
  assert.deepEqual(errors, []);
  await page.close();
});

test('E: async waits on one loop; blocking waits hold a worker each for the same wait', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'resources-held');
  const all = await measured(page, 'all-at-once');
  assert.ok(all >= 98 && all < 600, `100 timers on one loop: ${all}`);
  assert.equal(await text(page, 'peak-all-at-once'), '100');
  assert.match(await text(page, 'resources-all-at-once'), /1 event-loop thread, at most 100 pending timers on it, 0 workers/);
  const held = await measured(page, 'worker-per-call');
  assert.ok(held >= 395, `100 calls through 32 parked workers wait in 4 waves: ${held}`);
  assert.equal(await text(page, 'peak-worker-per-call'), '32');
  assert.match(await text(page, 'resources-worker-per-call'), /up to 32 workers parked doing nothing/);
  assert.deepEqual(errors, []);
  await page.close();
});
