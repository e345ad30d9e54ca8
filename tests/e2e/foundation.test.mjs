// Experiment A end to end on the release build: run it, read the measured times from the page,
// check the worker answered, no console errors, and keep a screenshot.
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

test('experiment A: 10 x 500 ms sequentially takes at least 4.9 s, all at once under 1.5 s', async () => {
  const { page, errors } = await open(env);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.fill('[data-testid="task-count"]', '10');
  await page.fill('[data-testid="duration"]', '500');
  assert.equal(await page.textContent('[data-testid="task-count-msg"]'), '');
  await page.click('[data-testid="run"]');

  // While it runs: Run is disabled, Cancel enabled, the progress line counts.
  await page.waitForSelector('[data-testid="progress"][data-state="running"]');
  assert.equal(await page.isDisabled('[data-testid="run"]'), true, 'Run is disabled while running');
  assert.equal(await page.isEnabled('[data-testid="cancel"]'), true);
  await page.waitForFunction(
    () => /Running .*: [1-9]\d* of 10 done/.test(document.querySelector('[data-testid="progress"]').textContent),
    null,
    { timeout: 5000 },
  );
  // The timeline grows live: bars exist before the run has finished.
  assert.ok((await page.locator('[data-testid="result-sequential"] rect.bar-pending, [data-testid="result-sequential"] rect.bar-completed').count()) > 0, 'live bars');

  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 20000 });
  const seq = await measured(page, 'sequential');
  const all = await measured(page, 'all-at-once');
  assert.ok(seq >= 4900, `sequential took ${seq} ms, expected at least 4900`);
  assert.ok(all < 1500, `all at once took ${all} ms, expected under 1500`);
  assert.ok(all >= 495, `all at once cannot beat the longest call: ${all} ms`);

  // Ideal times sit beside the measured ones.
  assert.equal(await page.getAttribute('[data-testid="ideal-sequential"]', 'data-ms'), '5000.000');
  assert.equal(await page.getAttribute('[data-testid="ideal-all-at-once"]', 'data-ms'), '500.000');
  assert.equal(await page.textContent('[data-testid="peak-sequential"]'), '1');
  assert.equal(await page.textContent('[data-testid="peak-all-at-once"]'), '10');
  assert.equal(await page.locator('[data-testid="result-sequential"] rect.bar-completed').count(), 10);
  assert.match(
    await page.textContent('[data-testid="comparison"]'),
    /All at once \(wait for all\) was \d+(\.\d)?× faster than sequential awaits \(ideal: 10× faster\)/,
  );
  assert.match(await page.textContent('[data-testid="result-sequential"] .why'), /10 × 500 ms ≈ 5,000 ms/);
  assert.equal(await page.isEnabled('[data-testid="run"]'), true, 'Run is enabled again');

  // Event-loop experiments never load a worker; a CPU experiment loads them with its first run
  // (not when it opens), under the sub-path, and keeps them warm.
  assert.match(await page.textContent('[data-testid="worker-status"]'), /loads with the first run that uses workers/);
  await page.screenshot({ path: join(ARTIFACTS, 'experiment-a.png'), fullPage: true });
  await page.selectOption('[data-testid="experiment"]', 'primes');
  await page.waitForLoadState('networkidle');
  assert.ok(!requests.some((u) => /worker/.test(u)), 'opening a CPU experiment loads no worker yet');
  await page.fill('[data-testid="prime-limit"]', '20000');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 30000 });
  assert.ok(requests.some((u) => u.endsWith('/playground/worker_bg.wasm')), 'the run loaded the worker under the sub-path');
  assert.match(await page.textContent('[data-testid="worker-status"]'), /\d+ warm, kept for the next run/);
  assert.deepEqual(errors, [], 'no console errors');
  await page.close();
});

test('the mixed variant takes the longest call and says results keep the order given', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'when-all-mixed');
  await page.fill('[data-testid="durations"]', '400, 600, 200');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 20000 });
  const all = await measured(page, 'all-at-once');
  const seq = await measured(page, 'sequential');
  assert.ok(seq >= 1190, `one after another: ${seq} ms`);
  assert.ok(all >= 595 && all < 1800 && all < seq, `all at once took ${all} ms, sequential ${seq} ms`);
  assert.match(await page.textContent('[data-testid="order-note"]'), /order #3, #1, #2/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('cancel mid-run stops cleanly and the next run starts from a clean slate', async () => {
  const { page, errors } = await open(env);
  await page.fill('[data-testid="task-count"]', '6');
  await page.fill('[data-testid="duration"]', '400');
  await page.click('[data-testid="run"]');
  // Mid-run: once the first call is done (400 ms in); the sequential way has 2 s left.
  await page.waitForFunction(
    () => /\([1-9]\d* of 12 overall/.test(document.querySelector('[data-testid="progress"]').textContent),
    null,
    { timeout: 10000 },
  );
  await page.click('[data-testid="cancel"]');
  await page.waitForSelector('[data-testid="progress"][data-state="cancelled"]', { timeout: 10000 });
  assert.match(await page.textContent('[data-testid="progress"]'), /Cancelled: [1-5] of 12 tasks/);
  assert.equal(await page.getAttribute('[data-testid="result-sequential"]', 'data-state'), 'cancelled');
  assert.equal(await page.getAttribute('[data-testid="result-all-at-once"]', 'data-state'), 'waiting');
  assert.ok((await page.locator('rect.bar-cancelled').count()) === 1, 'one call was stopped while pending');

  // A second, short run: nothing of the cancelled one leaks into it.
  await page.fill('[data-testid="task-count"]', '2');
  await page.fill('[data-testid="duration"]', '100');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 20000 });
  assert.equal(await page.locator('rect.bar-cancelled').count(), 0, 'no cancelled bars from the old run');
  assert.equal(await page.locator('[data-testid="result-sequential"] rect.bar-completed').count(), 2);
  assert.match(await page.textContent('[data-testid="progress"]'), /Done: 4 of 4/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('nonsense input is refused beside the field and absurd input is clamped with a note', async () => {
  const { page, errors } = await open(env);
  for (const [text, message] of [
    ['-5', 'cannot be negative'],
    ['', 'Enter a task count'],
    ['abc', 'is not a number'],
  ]) {
    await page.fill('[data-testid="task-count"]', text);
    assert.match(await page.textContent('[data-testid="task-count-msg"]'), new RegExp(message));
    assert.equal(await page.isDisabled('[data-testid="run"]'), true, `Run disabled for ${JSON.stringify(text)}`);
  }
  await page.fill('[data-testid="task-count"]', '20000');
  assert.match(await page.textContent('[data-testid="task-count-msg"]'), /Clamped to 10000 tasks/);
  await page.fill('[data-testid="duration"]', '999999');
  assert.match(await page.textContent('[data-testid="duration-msg"]'), /Clamped to 60000 ms/);
  assert.equal(await page.isEnabled('[data-testid="run"]'), true, 'clamped values still run');
  assert.match(
    await page.textContent('[data-testid="predicted"]'),
    /sequential awaits 600,000,000 ms; all at once \(wait for all\) 60,000 ms/,
  );
  assert.deepEqual(errors, []);
  await page.close();
});
