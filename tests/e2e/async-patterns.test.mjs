// Every async preset of scenarios B, F, G, H, I and K, run on the release build in headless
// Chromium: the page must tell the story the article tells, measured (loose, honest bounds).
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
  assert.ok(all >= 2995 && all < 3500, `WhenAll ${all}`);
  assert.ok(first >= 995 && first < 1400, `WhenAny ${first}`);
  assert.ok(cancel >= 995 && cancel < 1400, `WhenAny + cancel ${cancel}`);
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
  assert.ok(k10 >= 595 && k10 < 1200, `6 waves: ${k10}`);
  assert.ok(k30 >= 198 && k30 < 700, `2 waves: ${k30}`);
  assert.equal(await text(page, 'peak-throttled-10'), '10');
  assert.match(await text(page, 'result-throttled-10'), /ceil\(60 \/ 10\) = 6 waves × 100 ms/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('G: a timeout abandons the slow call and a group deadline cancels what is pending', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'timeouts');
  const all = await measured(page, 'all-at-once');
  assert.ok(all >= 1995 && all < 2500, `abandoned at the 2 s timeout: ${all}`);
  assert.equal(await text(page, 'errors-all-at-once'), '0 · 1 · 0');
  assert.match(await text(page, 'outcome-sequential'), /group deadline cancelled the pending calls at 2,5\d\d ms/);
  assert.equal(await page.locator('[data-testid="result-sequential"] rect.bar-cancelled').count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('G: retries wait between attempts and every attempt is on the timeline', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'retries');
  const all = await measured(page, 'all-at-once');
  assert.ok(all >= 1495 && all < 2300, `two failures, 200 then 400 ms apart: ${all}`);
  assert.equal(await text(page, 'errors-all-at-once'), '4 · 0 · 4');
  assert.equal(await page.locator('[data-testid="result-all-at-once"] rect.bar-failed').count(), 4);
  assert.deepEqual(errors, []);
  await page.close();
});

test('H: one failure: WhenAll reports the first and the aggregate, fail-fast gives up early', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'failures');
  assert.match(
    await text(page, 'outcome-all-at-once'),
    /threw at 1,0\d\d ms: the error of call #2 \(the aggregate holds all 2: #2, #3\)/,
  );
  const ff = await measured(page, 'all-at-once-fail-fast');
  assert.ok(ff >= 295 && ff < 700, `Promise.all rejects at the first error: ${ff}`);
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
  assert.ok(first >= 495 && first < 900, `first result streamed after ${first}`);
  assert.ok(seqFirst >= 2490, `collected first, consumed after ${seqFirst}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('K: the async mistakes show lost errors, lost updates and a blocked loop, safely', async () => {
  const { page, errors } = await open(env);
  await runPreset(page, 'mistakes');
  assert.ok((await measured(page, 'fire-and-forget')) < 50, 'the caller returned at once');
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
