// Embeds as tutorial authors pin them (issue #18): a post on another origin with three frames
// that start on a click (a poster), at load, and when scrolled into view; colours and parts
// pinned by the link; and the "Copy embed code" dialog that writes the snippet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { start, open, watch } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** A post on a second origin (localhost vs 127.0.0.1) with an iframe per `frames` entry
 * (`{ id, src }`), a tall gap before the last one, recording the heights each reports. */
async function post(frames) {
  const iframes = frames.map(({ id, src }, i) =>
    `${i === frames.length - 1 ? '<div style="height:4000px">The rest of the post…</div>' : ''}
     <iframe id="${id}" src="${src.replace(/&/g, '&amp;')}" title="${id}" width="100%" height="600" style="border:0"></iframe>`).join('\n');
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>A post with embeds</title><h1>A post</h1>
      <script>window.heights = {}; addEventListener('message', (e) => {
        const f = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
        if (f && e.data && e.data.type === 'avp:height') (window.heights[f.id] ??= []).push(e.data.height); });</script>
      ${iframes}`);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://localhost:${server.address().port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const state = (frame) => frame.locator('[data-testid="progress"]').getAttribute('data-state');
/** Whether the frame has fetched anything of the CPU worker (it is fetched before any spawns). */
const loadedWorker = (frame) =>
  frame.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/worker(_bg\.wasm|\.js)/.test(e.name)));

test('three embeds start on a click, at load and when scrolled into view, and nothing before', async () => {
  const src = (q) => `${env.base}#v=1&${q}&embed=1`;
  const host = await post([
    { id: 'click', src: src('preset=primes&limit=200000&run=click&theme=dark') },
    { id: 'load', src: src('preset=when-all&n=3&ms=100&run=load&show=timeline') },
    { id: 'visible', src: src('preset=when-all&n=2&ms=100&run=visible') },
  ]);
  const page = await env.context.newPage();
  const errors = watch(page);
  await page.goto(host.url);
  const frame = (id) => page.frames().find((f) => f.url().includes(id === 'click' ? 'run=click' : `run=${id}`));
  const [click, load, visible] = ['click', 'load', 'visible'].map((id) => page.frameLocator(`#${id}`));
  // The one that starts at load runs, and shows only its timeline.
  await load.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 20000 });
  assert.ok(await load.locator('[data-testid="result-all-at-once"]').isVisible(), 'timeline shown');
  assert.ok(await load.locator('[data-testid="summary"]').isHidden(), 'show=timeline leaves the summary out');
  // The others are loaded (their Run buttons exist) and have started nothing.
  await visible.locator('[data-testid="run"]').waitFor({ state: 'attached', timeout: 15000 });
  await click.locator('[data-testid="poster"]').waitFor({ timeout: 15000 });
  assert.equal(await state(visible), 'idle', 'below the fold: not started');
  assert.equal(await state(click), 'idle', 'behind its poster: not started');
  assert.equal(await loadedWorker(frame('click')), false, 'no worker before the click');
  // Pinned colours: dark, whatever the reader's system says.
  assert.equal(await frame('click').evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(
    await frame('click').evaluate(() => getComputedStyle(document.documentElement).colorScheme),
    'dark',
  );
  // The poster names the experiment; pressing its Run starts the CPU run, with workers.
  assert.match(await click.locator('[data-testid="poster"] h2').textContent(), /prime/i);
  await click.locator('[data-testid="poster-run"]').click();
  await click.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 60000 });
  assert.equal(await loadedWorker(frame('click')), true, 'the run used workers');
  assert.ok(await click.locator('[data-testid="poster"]').isHidden(), 'the poster gave way to the results');
  // Scrolled into view, the last one starts by itself.
  assert.equal(await state(visible), 'idle');
  await page.locator('#visible').scrollIntoViewIfNeeded();
  await visible.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 20000 });
  // Each told the post its height.
  await page.waitForFunction(() => ['click', 'load', 'visible'].every((id) => (window.heights[id] ?? []).length > 0));
  const heights = await page.evaluate(() => window.heights);
  for (const id of ['click', 'load', 'visible']) assert.ok(Math.max(...heights[id]) > 100, `${id}: ${heights[id]}`);
  assert.deepEqual(errors, []);
  await page.close();
  await host.close();
});

test('the embed dialog writes the snippet of the options chosen, with a live preview', async () => {
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page, errors } = await open(env, '#v=1&preset=when-any');
  assert.ok(await page.locator('[data-testid="embed-dialog"]').isHidden());
  await page.click('[data-testid="copy-embed"]');
  const preview = page.frameLocator('[data-testid="embed-preview"]');
  // Each change of the link reloads the preview (`?preview=N`): one at a time, each waited for
  // until that load has its page (so no load is cut short by the next).
  const loaded = (n) =>
    page.waitForFunction((n) => {
      const f = document.querySelector('[data-testid="embed-preview"]');
      return f?.contentWindow?.location.href.includes(`?preview=${n}#`) && f.contentDocument?.querySelector('[data-testid="run"]');
    }, n, { timeout: 15000 });
  await loaded(0);
  await page.selectOption('[data-testid="embed-theme"]', 'dark');
  await loaded(1);
  await page.uncheck('[data-testid="embed-show-summary"]');
  // (A change the dialog refuses, leaving an embed with no part, is checked below.)
  await loaded(2);
  await page.selectOption('[data-testid="embed-run"]', 'click');
  const want = 'v=1&amp;preset=when-any&amp;embed=1&amp;run=click&amp;theme=dark&amp;show=editor,timeline,replay,code';
  await page.waitForFunction((w) => document.querySelector('[data-testid="embed-snippet"]').value.includes(w), want);
  const snippet = await page.inputValue('[data-testid="embed-snippet"]');
  assert.match(snippet, /^<iframe src="[^"]+" title="B\. First to finish \(WhenAny\) \(Async vs Parallel Playground\)" loading="lazy"/);
  // The preview is the same link, on this page's address, and shows the poster it asked for.
  const src = await page.getAttribute('[data-testid="embed-preview"]', 'src');
  assert.ok(src.endsWith(`?preview=3#${want.replace(/&amp;/g, '&')}`), src);
  await preview.locator('[data-testid="poster"]').waitFor({ timeout: 15000 });
  assert.equal(await preview.locator('[data-testid="progress"]').getAttribute('data-state'), 'idle');
  await page.click('[data-testid="embed-copy"]');
  await page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid="embed-status"]').textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
  // Every part unticked but one: the last cannot go, and its box stays ticked. (Each change
  // reloads the preview: waited for, so no load is cut short.)
  let loads = 3;
  for (const id of ['editor', 'timeline', 'replay']) {
    await page.click(`[data-testid="embed-show-${id}"]`);
    loads += 1;
    await loaded(loads);
  }
  // The refused change leaves the link as it was: no reload.
  await page.click('[data-testid="embed-show-code"]');
  assert.equal(await page.isChecked('[data-testid="embed-show-code"]'), true);
  assert.match(await page.inputValue('[data-testid="embed-snippet"]'), /show=code"/);
  assert.ok((await page.getAttribute('[data-testid="embed-preview"]', 'src')).includes(`?preview=${loads}#`));
  await page.click('[data-testid="embed-close"]');
  assert.ok(await page.locator('[data-testid="embed-preview"]').count() === 0, 'the preview goes with the dialog');
  assert.deepEqual(errors, []);
  await page.close();
});

/** The smallest rendered height of the text of the charts `chart` selects, px, the labels that
 * leave their chart's box, and whether the page scrolls sideways. */
const chartText = (frame, chart) =>
  frame.evaluate((chart) => {
    const texts = [...document.querySelectorAll(`${chart} text`)];
    const outside = texts.filter((t) => {
      const r = t.getBoundingClientRect();
      const box = t.ownerSVGElement.getBoundingClientRect();
      return r.left < box.left - 1 || r.right > box.right + 1;
    });
    return {
      count: texts.length,
      smallest: Math.min(...texts.map((t) => t.getBoundingClientRect().height)),
      outside: outside.map((t) => t.textContent),
      sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
    };
  }, chart);

/** Checks that the charts `chart` selects in `frame` have text at least 11 px tall, all of it
 * inside its chart, and that the page does not scroll sideways. */
async function readable(frame, chart, where) {
  const t = await chartText(frame, chart);
  assert.ok(t.count > 0, `${chart} drawn ${where}`);
  assert.ok(t.smallest >= 11, `${chart} text ${t.smallest} px tall ${where}`);
  assert.deepEqual(t.outside, [], `${chart} labels inside the chart ${where}`);
  assert.equal(t.sideways, false, `no sideways scrolling ${where}`);
}

/** Measures the speedup curve of the CPU experiment open in `frame` and waits for it. */
async function measureCurve(frame) {
  await frame.locator('[data-testid="run-curve"]').click();
  await frame.waitForFunction(() => {
    const curve = document.querySelector('.speedup-curve');
    return Number(curve.dataset.points) >= 4 && !document.querySelector('[data-testid="run-curve"]').disabled;
  }, null, { timeout: 60000 });
}

test('on a phone (390 px), charts are laid out for their width and their text stays readable', async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all&n=3&ms=100');
  await page.setViewportSize({ width: 390, height: 800 });
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 20000 });
  await readable(page, 'svg.timeline', 'at 390 px');
  await readable(page, 'svg.comparison-chart', 'at 390 px');
  // The speedup curve of a CPU experiment.
  await page.selectOption('[data-testid="experiment"]', 'primes');
  await page.fill('[data-testid="prime-limit"]', '200000');
  await measureCurve(page);
  await readable(page, 'svg.speedup', 'at 390 px');
  // The same in embeds 390 px wide on a post.
  const host = await post([
    { id: 'narrow', src: `${env.base}#v=1&preset=when-all&n=3&ms=100&embed=1&run=load` },
    { id: 'curve', src: `${env.base}#v=1&preset=primes&limit=200000&embed=1` },
  ]);
  const post390 = await env.context.newPage();
  await post390.setViewportSize({ width: 420, height: 900 });
  await post390.goto(host.url);
  await post390.evaluate(() => {
    for (const f of document.querySelectorAll('iframe')) f.style.width = '390px';
  });
  await post390.locator('#narrow').scrollIntoViewIfNeeded();
  const frame = post390.frameLocator('#narrow');
  await frame.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 20000 });
  const narrow = post390.frames().find((f) => f.url().includes('run=load'));
  await readable(narrow, 'svg.timeline', 'in a 390 px embed');
  await readable(narrow, 'svg.comparison-chart', 'in a 390 px embed');
  await post390.locator('#curve').scrollIntoViewIfNeeded();
  await post390.frameLocator('#curve').locator('[data-testid="run-curve"]').waitFor({ timeout: 15000 });
  const curve = post390.frames().find((f) => f.url().includes('preset=primes'));
  await measureCurve(curve);
  await readable(curve, 'svg.speedup', 'in a 390 px embed');
  assert.deepEqual(errors, []);
  await post390.close();
  await page.close();
  await host.close();
});
