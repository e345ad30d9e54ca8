// Share links, back/forward, malformed links, and the embed in a cross-origin iframe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, open, watch, ARTIFACTS } from './harness.mjs';
import { hostPage } from './host-page.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});
const value = (page, id) => page.inputValue(`[data-testid="${id}"]`);

test('a preset link opens that preset', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-any');
  assert.equal(await page.inputValue('[data-testid="experiment"]'), 'when-any');
  assert.equal(await value(page, 'durations'), '2000, 3000, 1000');
  assert.ok(await page.locator('[data-testid="link-notes"]').isHidden(), 'a clean link has no notes');
  // Chromium rounds the clock of a page that is not cross-origin isolated to 0.1 ms (Firefox to
  // 1 ms: tests/firefox); the page measures the step and says it.
  await page.waitForFunction(() => /steps of/.test(document.querySelector('[data-testid="clock"]').textContent));
  assert.match(await page.textContent('[data-testid="clock"]'), /^Clock: performance\.now\(\), in steps of (\d+(\.\d)? µs|0\.1 ms)\.$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an edited scenario copied as a link opens identically in a fresh page', async () => {
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page, errors } = await open(env);
  await page.selectOption('[data-testid="experiment"]', 'retries');
  await page.fill('[data-testid="attempts"]', '4');
  await page.fill('[data-testid="delay"]', '150');
  await page.fill('[data-testid="failing"]', '30%');
  await page.fill('[data-testid="seed"]', '42');
  // The address bar follows the editor (an effect, right after the input event).
  await page.waitForURL(/#v=1&preset=retries&seed=42&fail=30%25&attempts=4&delay=150$/);
  await page.click('[data-testid="copy-link"]');
  await page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid="share-status"]').textContent));
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, page.url());
  const fresh = await env.context.newPage();
  await fresh.goto(link);
  await fresh.waitForSelector('[data-testid="run"]');
  for (const id of ['attempts', 'delay', 'failing', 'seed', 'task-count', 'duration', 'backoff']) {
    assert.equal(await value(fresh, id), await value(page, id), `field ${id}`);
  }
  await fresh.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('back and forward move between experiments', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  await page.selectOption('[data-testid="experiment"]', 'throttle');
  await page.waitForURL(/preset=throttle/);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-testid="experiment"]').value === 'when-all');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('[data-testid="experiment"]').value === 'throttle');
  assert.deepEqual(errors, []);
  await page.close();
});

test('malformed, hostile and future links open a working page that says what it ignored', async () => {
  for (const [fragment, expected] of [
    ['#v=1&preset=when-all&n=abc&ms=999999', /Ignored n=“abc”.*Used “10” instead/s],
    ['#v=9&preset=nope&zap=1', /newer version.*Unknown experiment “nope”.*Ignored unknown setting “zap”/s],
    ['#v=1&preset=when-all&n=<img src=x onerror=alert(1)>', /Ignored n=“<img src=x onerror=alert\(1\)>”/],
    ['#%E0%A4%A&&&=&preset', /./],
  ]) {
    const { page, errors } = await open(env, fragment);
    if (fragment.startsWith('#%E0')) {
      assert.equal(await page.inputValue('[data-testid="experiment"]'), 'when-all');
    } else {
      const notes = await page.textContent('[data-testid="link-notes"]');
      assert.match(notes, expected, `notes for ${fragment}`);
    }
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'link text is never HTML');
    // The page works: a short run completes.
    await page.fill('[data-testid="task-count"]', '2');
    await page.fill('[data-testid="duration"]', '50');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 10000 });
    if (fragment.includes('abc')) {
      await page.click('[data-testid="notes-reset"]');
      assert.ok(await page.locator('[data-testid="link-notes"]').isHidden(), 'the notes went');
      assert.equal(await value(page, 'task-count'), '10');
    }
    assert.deepEqual(errors, [], `no errors for ${fragment}`);
    await page.close();
  }
});

test('the embed runs in a cross-origin iframe with autorun and posts its height', async () => {
  const src = `${env.base}#v=1&preset=when-all&n=3&ms=100&embed=1&autorun=1`;
  // localhost vs 127.0.0.1: a different origin from the playground's.
  const host = await hostPage(src, { lazy: true });
  const page = await env.context.newPage();
  const errors = watch(page);
  await page.goto(host.url);
  const frame = page.frameLocator('#play');
  await frame.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 15000 });
  const all = Number(await frame.locator('[data-testid="measured-all-at-once"]').getAttribute('data-ms'));
  assert.ok(all >= 95 && all < 1000, `autorun measured ${all} (3 x 100 ms at once)`);
  assert.equal(await frame.locator('[data-testid="full-link"]').count(), 1);
  assert.equal(await frame.locator('footer.env').isHidden(), true, 'embed is compact');
  await page.waitForFunction(() => window.heights.length > 0);
  const h = await page.evaluate(() => Math.max(...window.heights));
  assert.ok(h > 300, `height message: ${h}`);
  await page.screenshot({ path: join(ARTIFACTS, 'embed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
  await host.close();
});

test('the code behind the scenario follows its numbers in every language', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all&n=7&ms=250');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // The on-demand worker is loaded the first time the panel opens, not with the page.
  await page.waitForLoadState('networkidle');
  assert.ok(!requests.some((u) => /ondemand/.test(u)), 'the closed panel loads no on-demand worker');
  const code = async (lang) => {
    await page.waitForSelector(`[data-testid="code"][data-state="ready"][data-lang="${lang}"]`);
    return page.textContent('[data-testid="code"]');
  };
  await page.click('[data-testid="code-panel"] summary');
  const cs = await code('csharp');
  assert.ok(requests.some((u) => /ondemand_bg\.wasm/.test(u)), 'opening the panel loads the on-demand worker');
  assert.match(cs, /Task\.WhenAll/);
  assert.match(cs, /250/);
  assert.match(cs, /\b7\b/);
  assert.doesNotMatch(cs, /\b500\b/);
  await page.click('[data-testid="lang-python"]');
  assert.match(await code('python'), /asyncio\.gather/);
  await page.click('[data-testid="lang-rust"]');
  assert.match(await code('rust'), /join_all/);
  // An edit while the panel is open rewrites the code.
  await page.fill('[data-testid="duration"]', '321');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="code"][data-state="ready"]')?.textContent.includes('321'),
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('an on-demand worker that cannot load says so in the code panel, and the experiments still run', async () => {
  const { page } = await open(env, '#v=1&preset=when-all&n=3&ms=100', {
    before: (p) => p.route(/ondemand_bg\.wasm/, (r) => r.abort()),
  });
  await page.click('[data-testid="code-panel"] summary');
  await page.waitForSelector('[data-testid="code"][data-state="none"]', { timeout: 15000 });
  assert.match(await page.textContent('[data-testid="code"]'), /could not be written here/);
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]');
  await page.close();
});

test('the gallery links every preset by its short link', async () => {
  const { page, errors } = await open(env);
  await page.click('[data-testid="gallery"] summary');
  assert.equal(await page.locator('[data-testid="gallery"] li').count(), 16);
  await page.click('[data-testid="gallery-streaming"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="experiment"]').value === 'streaming');
  assert.match(page.url(), /#v=1&preset=streaming$/);
  assert.deepEqual(errors, []);
  await page.close();
});
