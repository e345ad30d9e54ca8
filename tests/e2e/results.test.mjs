// Results that teach: the comparison chart and its table, replay, exports (Markdown, CSV, JSON,
// SVG, PNG) whose numbers equal the page's, repeated runs, run history, the hidden-tab warning,
// and screenshots in light and dark mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { start, open, measured, ARTIFACTS } from './harness.mjs';

let env;
before(async () => {
  env = await start();
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write']);
});
after(async () => {
  await env?.close();
});

const done = (page, timeout = 30000) =>
  page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout });
const download = async (page, testid) => {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8'), path: await d.path() };
};

test('a run is summarised, replayed step by step, and exported with the page’s numbers', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  await page.fill('[data-testid="task-count"]', '4');
  await page.fill('[data-testid="duration"]', '200');
  await page.click('[data-testid="run"]');
  await done(page);
  const seq = await measured(page, 'sequential');
  const all = await measured(page, 'all-at-once');

  // The comparison chart has one bar per strategy and a table with the same numbers.
  assert.equal(await page.locator('[data-testid="comparison-chart"] rect.bar').count(), 2);
  assert.equal(
    Number(await page.getAttribute('[data-testid="summary-sequential"] td[data-ms]', 'data-ms')),
    seq,
    'the table shows the measured time of the card',
  );
  assert.match(await page.textContent('[data-testid="summary-all-at-once"]'), /× faster/);

  // Replay: step to the first events, then scrub to the middle: fewer bars are complete.
  await page.click('[data-testid="replay-forward"]');
  assert.match(await page.textContent('[data-testid="replay-said"]'), /started/);
  const t1 = Number(await page.getAttribute('[data-testid="replay-time"]', 'data-ms'));
  assert.ok(t1 >= 0 && t1 < seq, `the first step is inside the run: ${t1}`);
  await page.click('[data-testid="replay-forward"]');
  const t2 = Number(await page.getAttribute('[data-testid="replay-time"]', 'data-ms'));
  assert.ok(t2 > t1, `stepping forward moves forward: ${t1} -> ${t2}`);
  await page.click('[data-testid="replay-back"]');
  assert.equal(Number(await page.getAttribute('[data-testid="replay-time"]', 'data-ms')), t1, 'and back');
  await page.locator('[data-testid="replay-scrub"]').fill(String(seq / 2));
  const completedMid = await page.locator('[data-testid="result-sequential"] rect.bar-completed').count();
  assert.ok(completedMid >= 1 && completedMid < 4, `half way, ${completedMid} of 4 sequential calls are complete`);
  // The speed offered first makes the replay last about six seconds: the ladder's steps are at
  // most 2.5x apart, so the closest (on a log scale) is within sqrt(2.5) of six seconds. (About
  // 800 ms here gives 0.1x; a busy machine that stretches the run past 950 ms gives 0.25x.)
  const speed = Number(await page.inputValue('[data-testid="replay-speed"]'));
  assert.ok(seq / speed >= 6000 / 1.6 && seq / speed <= 6000 * 1.6, `a ${seq} ms run replays at ${speed}x`);
  assert.equal(await page.locator('[data-testid="replay-speed"] option').count(), 6);
  // Play runs to the end on its own (at 4× here) and every bar is complete again.
  await page.selectOption('[data-testid="replay-speed"]', '4');
  await page.click('[data-testid="replay-play"]');
  await page.waitForFunction(
    (end) => Number(document.querySelector('[data-testid="replay-time"]').dataset.ms) >= end - 0.01,
    seq,
    { timeout: 10000 },
  );
  assert.equal(await page.locator('[data-testid="result-sequential"] rect.bar-completed').count(), 4);

  // Markdown: the numbers are the page's.
  await page.click('[data-testid="export-markdown"]');
  await page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid="export-status"]').textContent));
  const md = await page.evaluate(() => navigator.clipboard.readText());
  const fmt = (ms) => (ms < 100 ? ms.toFixed(1).replace(/\.0$/, '') : Math.round(ms).toLocaleString('en-US'));
  assert.match(md, /\| Strategy \| Measured \| Ideal \| vs baseline \|/);
  assert.ok(md.includes(`| ${fmt(seq)} ms |`), `sequential ${fmt(seq)} ms in:\n${md}`);
  assert.ok(md.includes(`| ${fmt(all)} ms |`), `all at once ${fmt(all)} ms in:\n${md}`);
  assert.match(md, /\[Open this experiment\]\(http:\/\/127\.0\.0\.1:\d+\/playground\/#v=1/);

  // CSV: one row per span, the times equal the trace's.
  const csv = await download(page, 'export-csv');
  assert.match(csv.name, /\.csv$/);
  const rows = csv.text.trim().split('\n');
  assert.equal(rows[0], 'strategy,task,lane,attempt,start_ms,end_ms,duration_ms,outcome,consumed_ms');
  assert.equal(rows.length, 1 + 4 + 4, 'four calls in each of two strategies');
  const lastSeqEnd = Math.max(...rows.filter((r) => r.startsWith('Sequential')).map((r) => Number(r.split(',')[5])));
  // The await continues a moment after the last call ended (a busy machine makes it longer).
  assert.ok(lastSeqEnd <= seq && seq - lastSeqEnd < 100, `the last sequential call ends at the measured time: ${lastSeqEnd} vs ${seq}`);

  // JSON: the measured times are the page's.
  const json = JSON.parse((await download(page, 'export-json')).text);
  assert.equal(json.format, 'async-parallel-playground/trace');
  const byId = Object.fromEntries(json.strategies.map((s) => [s.id, s]));
  assert.equal(byId.sequential.measured_ms.toFixed(3), seq.toFixed(3));
  assert.equal(byId['all-at-once'].trace.spans.length, 4);

  // SVG: a standalone file with the comparison chart and both timelines, and the numbers.
  const svg = await download(page, 'export-svg');
  assert.match(svg.text, /^<\?xml/);
  assert.match(svg.text, /<style>/);
  assert.equal((svg.text.match(/<svg/g) ?? []).length, 1 + 3, 'outer svg + comparison + 2 timelines');
  assert.ok(svg.text.includes(`${fmt(seq)} ms`), 'the measured time is in the chart');
  // PNG: a real image.
  const png = await download(page, 'export-png');
  const bytes = await readFile(png.path);
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');

  // The text alternative of a timeline lists every call.
  await page.click('[data-testid="table-sequential"] summary');
  await page.waitForSelector('[data-testid="table-sequential"] tbody tr');
  assert.equal(await page.locator('[data-testid="table-sequential"] tbody tr').count(), 4);
  assert.equal(
    await page.textContent('[data-testid="table-sequential"] tbody tr:last-child td:nth-child(4)'),
    `${fmt(lastSeqEnd)} ms`,
    'the table ends where the CSV ends',
  );

  // History: this run is kept; the next run of the same scenario is compared with it.
  await page.click('[data-testid="run"]');
  await done(page);
  assert.match(await page.textContent('[data-testid="history-compare"]'), /previous run of this scenario/);
  assert.match(await page.textContent('[data-testid="history-compare"]'), /Sequential awaits: [\d,.]+ ms now, [\d,.]+ ms/);
  // The reader's open table stays open when the cards are redrawn for the new run.
  assert.equal(await page.locator('[data-testid="table-sequential"] tbody tr').count(), 4, 'the table stays open');

  await page.screenshot({ path: join(ARTIFACTS, 'results-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(ARTIFACTS, 'results-dark.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the exports’ worker is loaded only when an export is first asked for, and the button says it is preparing', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all&n=3&ms=100', {
    // Held back a moment, so that the wait for it can be seen.
    before: (p) =>
      p.route(/ondemand_bg\.wasm/, async (r) => {
        await new Promise((ok) => setTimeout(ok, 1000));
        await r.continue();
      }),
  });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const status = () => page.textContent('[data-testid="export-status"]');
  await page.click('[data-testid="run"]');
  await done(page);
  await page.waitForLoadState('networkidle');
  assert.ok(!requests.some((u) => /ondemand/.test(u)), 'a run loads no on-demand worker');
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    (async () => {
      await page.click('[data-testid="export-json"]');
      await page.waitForFunction(() =>
        /Preparing the JSON/.test(document.querySelector('[data-testid="export-status"]').textContent),
      );
    })(),
  ]);
  assert.ok(requests.some((u) => /ondemand_bg\.wasm/.test(u)), 'the first export loads the on-demand worker');
  assert.match(json.suggestedFilename(), /\.json$/);
  await page.waitForFunction(() => /JSON ready/.test(document.querySelector('[data-testid="export-status"]').textContent));
  // Loaded once: the next exports are written by the same worker.
  const loads = requests.filter((u) => /ondemand_bg\.wasm/.test(u)).length;
  const csv = await download(page, 'export-csv');
  assert.match(csv.name, /\.csv$/);
  assert.match(csv.text, /^strategy,task,/);
  assert.match(await status(), /CSV ready/);
  assert.match((await download(page, 'export-svg')).text, /^<\?xml/);
  assert.match(await status(), /SVG ready/);
  assert.equal(requests.filter((u) => /ondemand_bg\.wasm/.test(u)).length, loads, 'no second load');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an exports’ worker that cannot load says so, and the page keeps working', async () => {
  // A scenario of its own: the second run below is compared with the first.
  const { page } = await open(env, '#v=1&preset=when-all&n=2&ms=150', {
    before: (p) => p.route(/ondemand_bg\.wasm/, (r) => r.abort()),
  });
  const status = () => page.textContent('[data-testid="export-status"]');
  await page.click('[data-testid="run"]');
  await done(page);
  await page.click('[data-testid="export-csv"]');
  await page.waitForFunction(
    () => /CSV failed: .*could not be loaded/.test(document.querySelector('[data-testid="export-status"]').textContent),
    null,
    { timeout: 15000 },
  );
  assert.match(await status(), /The experiments are not affected/);
  // The JSON file is written by the same worker, so it says the same.
  await page.click('[data-testid="export-json"]');
  await page.waitForFunction(
    () => /JSON failed: .*could not be loaded/.test(document.querySelector('[data-testid="export-status"]').textContent),
    null,
    { timeout: 15000 },
  );
  // What the page writes itself still works (the Markdown table, written at the click, as the
  // clipboard wants), and so do the experiments.
  await page.click('[data-testid="export-markdown"]');
  await page.waitForFunction(() =>
    /Markdown table copied/.test(document.querySelector('[data-testid="export-status"]').textContent),
  );
  assert.doesNotMatch(await status(), /failed/);
  assert.doesNotMatch(await page.textContent('[data-testid="history-compare"]'), /previous run of this scenario/);
  await page.click('[data-testid="run"]');
  // (The card is not there during the run.)
  await page.waitForFunction(() =>
    /previous run of this scenario/.test(document.querySelector('[data-testid="history-compare"]')?.textContent ?? ''),
  );
  // Repeated runs' table is written by the page itself: it does not need that worker.
  await page.fill('[data-testid="repeat-count"]', '2');
  await page.click('[data-testid="run-repeated"]');
  await page.waitForSelector('[data-testid="repeat-table"]', { timeout: 30000 });
  assert.ok(await page.isVisible('[data-testid="repeat-markdown"]'), 'its Markdown is ready to copy');
  await page.close();
});

test('repeated runs show a BenchmarkDotNet-style table after a warm-up, with a progress bar', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  await page.fill('[data-testid="task-count"]', '3');
  await page.fill('[data-testid="duration"]', '100');
  await page.fill('[data-testid="repeat-count"]', '3');
  await page.click('[data-testid="run-repeated"]');
  await page.waitForSelector('[data-testid="repeat-progress"]');
  await done(page, 30000);
  await page.waitForSelector('[data-testid="repeat-table"]');
  const head = await page.locator('[data-testid="repeat-table"] thead th').allTextContents();
  assert.deepEqual(head, ['Strategy', 'Mean', 'StdDev', 'Median', 'Min', 'Max', 'Ratio', 'RatioSD', 'Resources']);
  const seq = await page.locator('[data-testid="repeat-sequential"] > *').allTextContents();
  assert.equal(seq[0], 'Sequential awaits (baseline)');
  const mean = Number(seq[1].replace(/[^\d.]/g, ''));
  assert.ok(mean >= 295, `sequential 3 x 100 ms takes at least 295 ms on average: ${mean}`);
  assert.equal(seq[6], '1.00');
  const all = await page.locator('[data-testid="repeat-all-at-once"] > *').allTextContents();
  assert.ok(Number(all[6]) < 0.8, `all at once takes a fraction of the baseline: ratio ${all[6]}`);
  assert.match(await page.textContent('[data-testid="repeat-table"] caption'), /3 runs after one warm-up run/);
  await page.click('[data-testid="repeat-markdown"]');
  await page.waitForFunction(() => /Table copied as Markdown/.test(document.querySelector('[data-testid="repeat"]').textContent));
  const md = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(md, /^\| Strategy \| Mean \| StdDev \|/);
  assert.match(md, /\| Sequential awaits \(baseline\) \| [\d,.]+ ms \|/);
  assert.match(md, /3 runs after one warm-up run/);
  // Absurd counts are clamped and said so.
  await page.fill('[data-testid="repeat-count"]', '1000');
  assert.match(await page.textContent('[data-testid="repeat-count-msg"]'), /Clamped to 30/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('corrupt stored history is dropped with a note, never a crash', async () => {
  const page = await env.context.newPage();
  await page.goto(env.base);
  await page.evaluate(() => localStorage.setItem('avp-history', '{"version":1,"entries":[{"at_ms":"x"}'));
  await page.reload();
  await page.waitForSelector('[data-testid="run"]');
  await page.click('[data-testid="history"] summary');
  assert.match(await page.textContent('[data-testid="history-note"]'), /could not be read/);
  await page.close();
});

test('a run during which the tab was hidden is marked unreliable', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  // 3 x 500 ms one after another, then all at once: 2 s in which to hide the tab.
  await page.fill('[data-testid="task-count"]', '3');
  await page.fill('[data-testid="duration"]', '500');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="running"]');
  // Headless Chromium keeps every tab visible; the page sees what a reader switching tabs
  // would make it see: the Page Visibility API saying hidden.
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
  await done(page);
  assert.match(await page.textContent('[data-testid="unreliable"]'), /throttle timers in hidden tabs/);
  // Back in front: the next run is not marked.
  await page.evaluate(() => {
    delete document.hidden;
    delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
  await page.click('[data-testid="run"]');
  await done(page);
  assert.ok(await page.locator('[data-testid="unreliable"]').isHidden(), 'the next run is not marked');
  assert.deepEqual(errors, []);
  await page.close();
});
