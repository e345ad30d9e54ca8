// "Your program": a program typed in the page runs for real on the page's event loop, is
// measured beside its prediction, lives in the share link, and ends safely whatever is typed.
// Loose, honest bounds only (the machine is busy and has 2 cores).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { start, open } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const EDITOR = '[data-testid="program"]';

/** Opens "Your program" and waits until the language module has filled the editor. */
async function openProgram(path = '#v=1&code=') {
  const opened = await open(env, path);
  await opened.page.waitForFunction((sel) => document.querySelector(sel)?.value?.length > 0, EDITOR, {
    timeout: 30000,
  });
  return opened;
}

/** Types `text` as the program (replacing what was there) and waits for the link to follow. */
async function type(page, text) {
  const before = page.url();
  await page.fill(EDITOR, text);
  await page.waitForFunction((b) => location.href !== b, before, { timeout: 10000 });
}

/** Runs the program and waits for its card to say it ended; returns the measured ms. */
async function run(page, { timeout = 60000 } = {}) {
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="result-program"][data-state="done"], [data-testid="result-program"][data-state="cancelled"], [data-testid="run-error"]', {
    timeout,
  });
  await page.waitForSelector('[data-testid="progress"]:not([data-state="running"])', { timeout });
  const v = await page.getAttribute('[data-testid="measured-program"]', 'data-ms').catch(() => null);
  return v ? Number(v) : NaN;
}

test('the starter program opens from the picker, runs, and two promises made at once take the longer one', async () => {
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'program');
  await page.waitForFunction((sel) => document.querySelector(sel)?.value?.includes('const a ='), EDITOR, {
    timeout: 30000,
  });
  await type(page, 'const a = sleep(300);\nconst b = sleep(500);\nawait a;\nawait b;\nconsole.log("done", now());\n');
  const ms = await run(page);
  assert.ok(ms >= 495 && ms < 700, `two awaits of timers started together: ${ms} ms`);
  const ideal = Number(await page.getAttribute('[data-testid="ideal-program"]', 'data-ms'));
  assert.equal(ideal, 500, 'the prediction is the virtual clock’s');
  assert.match(await page.textContent('[data-testid="program-log"]'), /done \d+/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('ten sequential awaits of 500 ms take at least 4.9 s, and a race of 1000 ms ends under 1.5 s', async () => {
  const { page, errors } = await openProgram();
  await type(page, 'for (const i of range(10)) {\n  await sleep(500);\n}\n');
  const seq = await run(page);
  assert.ok(seq >= 4900, `sequential: ${seq} ms`);
  await type(page, 'const w = await Promise.race([call("a", 1000), call("b", 3000)]);\nconsole.log(w);\n');
  const race = await run(page);
  assert.ok(race >= 995 && race < 1500, `race: ${race} ms`);
  assert.match(await page.textContent('[data-testid="program-log"]'), /a/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a program link opened in a fresh page restores the program and runs it when asked to', async () => {
  const { page } = await openProgram();
  const program = 'const r = await Promise.all([call("x", 200), call("y", 300)]);\nconsole.log("got", r.length);\n';
  await type(page, program);
  const link = page.url();
  assert.match(link, /#v=1&code=[A-Za-z0-9+$-]+$/);
  await page.close();
  const fresh = await env.context.newPage();
  const errors = [];
  fresh.on('pageerror', (e) => errors.push(String(e)));
  await fresh.goto(link.replace('#', '#') + '&embed=1&autorun=1');
  await fresh.waitForSelector('[data-testid="result-program"][data-state="done"]', { timeout: 60000 });
  assert.equal(await fresh.inputValue(EDITOR), program);
  const ms = Number(await fresh.getAttribute('[data-testid="measured-program"]', 'data-ms'));
  assert.ok(ms >= 295 && ms < 1000, `${ms} ms`);
  assert.match(await fresh.textContent('[data-testid="program-log"]'), /got 2/);
  assert.deepEqual(errors, []);
  await fresh.close();
});

/** Clicks the export button `testid` and returns the file's name and text. */
async function download(page, testid) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

test('a program run is summarised, replayed, exported, kept in the history and run several times, as a preset is', async () => {
  const { page, errors } = await openProgram();
  await type(page, 'const a = call("users", 300);\nconst b = call("orders", 600);\nawait a;\nconsole.log("users back");\nawait b;\nconsole.log("orders back");\n');
  const ms = await run(page);
  assert.ok(ms >= 595, `${ms} ms`);

  // The summary: one row, the card's measured time beside the prediction.
  await page.waitForSelector('[data-testid="summary"]:not([hidden])');
  assert.equal(Number(await page.getAttribute('[data-testid="summary-program"] td[data-ms]', 'data-ms')), ms);
  assert.match(await page.textContent('[data-testid="summary-program"]'), /Your program/);
  assert.equal(await page.locator('[data-testid="comparison-chart"] rect.bar').count(), 1);

  // Replay: at 450 ms "users" has come back and "orders" is still pending, in the card and its log.
  await page.locator('[data-testid="replay-scrub"]').fill('450');
  await page.waitForFunction(() => !/orders back/.test(document.querySelector('[data-testid="program-log"]')?.textContent ?? 'orders back'));
  assert.match(await page.textContent('[data-testid="program-log"]'), /users back/);
  assert.equal(await page.locator('[data-testid="result-program"] rect.bar-completed').count(), 1);
  // Played to the end, the card is whole again.
  await page.selectOption('[data-testid="replay-speed"]', '4');
  await page.click('[data-testid="replay-play"]');
  await page.waitForFunction(() => /orders back/.test(document.querySelector('[data-testid="program-log"]').textContent), null, { timeout: 20000 });
  assert.equal(await page.locator('[data-testid="result-program"] rect.bar-completed').count(), 2);

  // Exports: the program's lanes, named as the program named its promises, in files named for it.
  const csv = await download(page, 'export-csv');
  assert.match(csv.name, /program-trace\.csv$/);
  const rows = csv.text.trim().split('\n');
  assert.equal(rows.length, 1 + 2, csv.text);
  assert.ok(rows.slice(1).every((r) => r.startsWith('Your program,')), csv.text);
  const json = JSON.parse((await download(page, 'export-json')).text);
  assert.equal(json.strategies[0].id, 'program');
  assert.equal(json.strategies[0].measured_ms.toFixed(3), ms.toFixed(3));
  assert.match(json.link, /#v=1&code=/);

  // The history keeps it, and the next run is compared with it.
  const again = await run(page);
  const compare = await page.textContent('[data-testid="history-compare"]');
  assert.match(compare, /previous run of this scenario/);
  assert.match(compare, /Your program: [\d,.]+ ms now/);
  assert.ok(again >= 595, `${again} ms`);

  // Run 3 times: one warm-up, then three runs in the table.
  await page.fill('[data-testid="repeat-count"]', '3');
  await page.click('[data-testid="run-repeated"]');
  await page.waitForSelector('[data-testid="repeat-table"]', { timeout: 60000 });
  assert.match(await page.textContent('[data-testid="repeat-table"] caption'), /3 runs after one warm-up run/);
  assert.match(await page.textContent('[data-testid="repeat-table"]'), /Your program/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a program’s worker jobs run on workers started and warmed up before its clock starts', async () => {
  const { page, errors } = await openProgram();
  await type(page, 'const n = await worker(primes(200000));\nconsole.log("primes:", n);\n');
  assert.match(await page.textContent('[data-testid="worker-status"]'), /loads with the first run that uses workers/);
  await run(page);
  assert.match(await page.textContent('[data-testid="program-log"]'), /primes: 17984/);
  // The footer counts the program's worker too (the language module keeps a pool of its own).
  await page.waitForFunction(
    () => /1 warm, kept for the next run/.test(document.querySelector('[data-testid="worker-status"]').textContent),
    null,
    { timeout: 10000 },
  );
  const first = Number(await page.getAttribute('[data-testid="startup-program"]', 'data-ms'));
  assert.ok(first > 0, `the workers' start-up is shown apart: ${first} ms`);
  // The next run finds the worker in the pool, warm for the kernel: its start-up is shorter.
  await run(page);
  const second = Number(await page.getAttribute('[data-testid="startup-program"]', 'data-ms'));
  assert.ok(second < first, `a warm pool starts sooner: ${second} ms after ${first} ms`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a parse error is shown with its line and column before anything runs', async () => {
  const { page, errors } = await openProgram();
  await type(page, 'const a = 1;\nconst b = (;\n');
  const problem = page.locator('[data-testid="program-error"]');
  await problem.waitFor({ timeout: 10000 });
  assert.match(await problem.textContent(), /line 2, column \d+/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hostile programs end with a message naming the limit, and the page keeps working', async () => {
  const { page, errors } = await openProgram();
  for (const [program, expected] of [
    ['while (true) {}', /step limit/],
    ['let n = 0;\nfor (const i of range(1000)) {\n  for (const j of range(1000000)) { n = n + 1; }\n}', /step limit|array limit/],
    ['function f(n) { return f(n + 1); }\nf(0);', /recursion limit/],
    ['const xs = [];\nfor (const i of range(100000000)) { xs.push(i); }', /array limit/],
  ]) {
    await type(page, program);
    assert.equal(await page.locator('[data-testid="program-error"]').count(), 0, `${program} checks clean`);
    await run(page, { timeout: 120000 });
    const text = await page.textContent('[data-testid="run-error"]');
    assert.match(text, expected, `${program} → ${text}`);
    assert.match(text, /^line \d+, column \d+: /, 'it says where');
    // And under the editor, where the offending code is selected.
    assert.match(await page.textContent('[data-testid="program-run-error"]'), expected);
  }
  // Still usable: a small program runs.
  await type(page, 'await sleep(100);\nconsole.log("alive");');
  await run(page);
  assert.match(await page.textContent('[data-testid="program-log"]'), /alive/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an unawaited rejection and a program that never settles each end with a message and a line', async () => {
  const { page, errors } = await openProgram();
  for (const [program, expected] of [
    ['await sleep(10);\nfail("lost", 50);\nawait sleep(100);', /^line 2, column 1: .*rejected.*nothing awaited it/],
    ['await sleep(10);\nawait Promise.race([]);', /^line 2, column \d+: the program never settles/],
  ]) {
    await type(page, program);
    await run(page);
    assert.match(await page.textContent('[data-testid="run-error"]'), expected, program);
    assert.match(await page.textContent('[data-testid="program-run-error"]'), /the run ended here/);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a run cancelled mid-way ends as cancelled and the next run starts clean', async () => {
  const { page, errors } = await openProgram();
  await type(page, 'for (const i of range(20)) {\n  await call("step " + i, 500);\n}\n');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="result-program"][data-state="running"]', { timeout: 30000 });
  await page.click('[data-testid="cancel"]');
  await page.waitForSelector('[data-testid="result-program"][data-state="cancelled"]', { timeout: 10000 });
  await type(page, 'await sleep(50);\nconsole.log("second");');
  await run(page);
  const log = await page.textContent('[data-testid="program-log"]');
  assert.match(log, /second/);
  assert.doesNotMatch(log, /step/, 'nothing of the cancelled run leaks into the next');
  assert.deepEqual(errors, []);
  await page.close();
});

test('edit as code turns a preset into its program, and Reset returns to the preset', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  await page.click('[data-testid="edit-as-code"]');
  await page.waitForURL(/#v=1&preset=when-all&code=/, { timeout: 30000 });
  await page.waitForFunction((sel) => document.querySelector(sel)?.value?.length > 0, EDITOR);
  assert.ok((await page.inputValue(EDITOR)).includes('500'), 'the preset’s numbers are in its program');
  await page.click('[data-testid="reset"]');
  await page.waitForURL(/#v=1&preset=when-all$/);
  assert.ok(await page.locator(EDITOR).isHidden());
  assert.deepEqual(errors, []);
  await page.close();
});

test('the code behind a program is the program in C#, Python and Rust, and follows each edit', async () => {
  const { page, errors } = await openProgram();
  await type(page, 'const r = await Promise.all([call("a", 200), call("b", 300)]);\nconsole.log(r);\n');
  const code = async (lang) => {
    await page.waitForSelector(`[data-testid="code"][data-state="ready"][data-lang="${lang}"]`, { timeout: 60000 });
    return page.textContent('[data-testid="code"]');
  };
  await page.click('[data-testid="code-panel"] summary');
  assert.match(await code('csharp'), /Task\.WhenAll/);
  await page.click('[data-testid="lang-python"]');
  assert.match(await code('python'), /asyncio\.gather/);
  await page.click('[data-testid="lang-rust"]');
  assert.match(await code('rust'), /try_join_all/);
  await type(page, 'const w = await Promise.race([call("a", 200), call("b", 300)]);\nconsole.log(w);\n');
  await page.waitForFunction(() =>
    /select_all|select!/.test(document.querySelector('[data-testid="code"][data-state="ready"]')?.textContent ?? ''),
  null, { timeout: 60000 });
  assert.deepEqual(errors, []);
  await page.close();
});
