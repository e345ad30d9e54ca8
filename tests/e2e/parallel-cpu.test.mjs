// The CPU half (scenarios C and D) on the release build: the same kernel on the main thread,
// one worker and N workers; same answer everywhere, the page frozen only on the main thread,
// and a cancel that stops the workers.
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
const text = (page, id) => page.textContent(`[data-testid="${id}"]`);

test('D: primes below 5,000,000 give 348,513 on every way, and only the main thread freezes the page', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'primes');
  await page.fill('[data-testid="workers"]', '2');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 60000 });
  for (const way of ['one-worker', 'main-thread', 'static', 'dynamic']) {
    assert.equal(await text(page, `value-${way}`), '348,513', `${way} counts the same primes`);
  }
  const frozen = Number(await page.getAttribute('[data-testid="lag-main-thread"]', 'data-ms'));
  assert.ok(frozen >= 300, `the main thread froze the page: a timer fired ${frozen} ms late`);
  for (const way of ['one-worker', 'dynamic']) {
    const lag = Number(await page.getAttribute(`[data-testid="lag-${way}"]`, 'data-ms'));
    assert.ok(lag < frozen / 2, `${way} keeps the page responsive: worst lag ${lag} ms vs ${frozen} frozen`);
  }
  assert.equal(await page.locator('[data-testid="result-static"] rect.bar-completed').count(), 2, 'one range per worker');
  assert.ok((await page.locator('[data-testid="result-dynamic"] rect.bar-completed').count()) >= 2);
  assert.match(await text(page, 'result-static'), /costs about 1\.\d× the first/);
  assert.match(await text(page, 'speedup-dynamic'), /^\d+(\.\d)?×$/);
  await page.screenshot({ path: join(ARTIFACTS, 'primes.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('C: Parallel.Invoke of 1000, 500 and 2000 ms continues after about the longest', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'invoke');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 60000 });
  const one = await measured(page, 'one-worker');
  const three = await measured(page, 'dynamic');
  assert.ok(one >= 3450, `one worker runs them one after another: ${one}`);
  assert.ok(three >= 1990, `no faster than the longest action: ${three}`);
  assert.ok(three < one, `three workers beat one: ${three} vs ${one}`);
  await page.screenshot({ path: join(ARTIFACTS, 'invoke.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('cancelling a CPU run stops the workers at once and the next run is clean', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'purchases');
  await page.click('[data-testid="run"]');
  // Mid-run: one purchase of 1000 ms done on the one worker, nine to go.
  await page.waitForSelector('[data-testid="result-one-worker"] rect.bar-completed', { timeout: 30000 });
  const t0 = Date.now();
  await page.click('[data-testid="cancel"]');
  await page.waitForSelector('[data-testid="progress"][data-state="cancelled"]', { timeout: 10000 });
  // The workers are stopped, not waited for: well under the purchase in progress, let alone
  // the 8 or 9 s of purchases left.
  assert.ok(Date.now() - t0 < 3000, `cancel is prompt: ${Date.now() - t0} ms`);
  assert.equal(await page.getAttribute('[data-testid="result-one-worker"]', 'data-state'), 'cancelled');
  // A short second run: no piece of the cancelled one shows up in it.
  await page.fill('[data-testid="burns"]', '100, 100');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 10000 });
  assert.equal(await page.locator('[data-testid="result-one-worker"] rect.bar-completed').count(), 2);
  assert.equal(await page.locator('rect.bar-cancelled').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('D: the speedup curve measures 1 to 4 workers against the ideal, Amdahl and the cores', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'primes');
  await page.fill('[data-testid="prime-limit"]', '2000000');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  assert.ok(await page.isVisible('[data-testid="speedup-empty"]'), 'no curve before it is measured');
  await page.click('[data-testid="run-curve"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 60000 });
  await page.waitForSelector('.speedup-curve[data-points="4"]');
  assert.equal(await page.locator('[data-testid="speedup-table"] tbody tr').count(), 4);
  assert.ok(!requests.some((u) => /ondemand/.test(u)), 'the page draws the curve itself: no on-demand worker');
  assert.ok(await page.isHidden('[data-testid="speedup-empty"]'));
  assert.equal(await page.locator('[data-testid="speedup-chart"] circle.measured-point').count(), 4);
  assert.equal(await page.locator('[data-testid="speedup-chart"] polyline.amdahl-line').count(), 1);
  assert.match(await text(page, 'speedup-summary'), /With 4 workers the job ran .*× .* than on 1 .*reports \d+ cores?/);
  await page.locator('.curve').screenshot({ path: join(ARTIFACTS, 'speedup-curve.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('J: the order processor awaits fetch and save on the loop and computes on workers', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'pipeline');
  await page.fill('[data-testid="workers"]', '2');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 60000 });
  const total = await measured(page, 'pipeline');
  // 2 × (300 fetch + 200 save) + 1000 pause + the computing.
  assert.ok(total >= 1995, `waits and pause alone take 2 s: ${total}`);
  const rows = await page.locator('[data-testid="result-pipeline"] .lane-label').allTextContents();
  assert.deepEqual(rows.slice(0, 3), ['event loop', 'worker 1', 'worker 2']);
  // Fetch and save of 2 cycles on the event loop, 100 orders per cycle on the workers.
  assert.equal(await page.locator('[data-testid="result-pipeline"] rect.bar-completed').count(), 204);
  await page.screenshot({ path: join(ARTIFACTS, 'pipeline.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
