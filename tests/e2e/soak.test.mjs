// Soak: 200 consecutive runs in one page, mostly a short event-loop experiment, every third
// one cancelled mid-run, every tenth a CPU experiment on workers. Every run must end (done or
// cancelled, never stuck), Run must be usable again, nothing may be logged as an error, and
// memory (JS heap after a forced GC, plus wasm linear memory) must not keep growing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open } from './harness.mjs';

const RUNS = 200;
// Where memory is first read: after warm-up (JIT, caches, the pool's workers, the list of
// recent runs filling to its cap), so what follows is steady state.
const BASELINE_AT = 20;
const GROWTH_LIMIT_BYTES = 10 * 1024 * 1024;
// Generous: a run of 8 x 15 ms takes ~150 ms; even a loaded machine ends it within this.
const RUN_TIMEOUT_MS = 15000;

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const MB = (b) => `${(b / 1024 / 1024).toFixed(2)} MB`;

/** JS heap in use after a full GC (CDP), and the wasm linear memory, in bytes. */
async function memory(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.wasmBindings.memory_bytes());
  return { js: usedSize, wasm, total: usedSize + wasm };
}

async function eventLoopScenario(page) {
  await page.selectOption('[data-testid="experiment"]', 'when-all');
  await page.fill('[data-testid="task-count"]', '8');
  await page.fill('[data-testid="duration"]', '15');
}

async function cpuScenario(page) {
  await page.selectOption('[data-testid="experiment"]', 'invoke');
  await page.fill('[data-testid="burns"]', '20, 10, 30');
}

/**
 * Records every change of the progress line's state into `window.__states`, so a run that ends
 * before the test looks is never missed, and the previous run's final state is never taken for
 * this one's.
 */
function recordStates(page) {
  return page.evaluate(() => {
    window.__states = [];
    let last = null;
    const read = () => {
      const s = document.querySelector('[data-testid="progress"]')?.getAttribute('data-state') ?? null;
      if (s !== last) {
        last = s;
        window.__states.push(s);
      }
    };
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
    read();
  });
}

/**
 * Clicks Run; with `cancel`, clicks Cancel mid-run: as soon as the first call is done, in the
 * same task that sees it. The run goes on by timers of 15 ms set one after another on this
 * same thread, and the poll's own timer is always due first, so a busy machine can delay the
 * cancel but never let the run finish before it.
 */
function clickRun(page, cancel) {
  return page.evaluate(
    ({ cancel, limit }) =>
      new Promise((resolve, reject) => {
        const seen = window.__states.length;
        document.querySelector('[data-testid="run"]').click();
        if (!cancel) return resolve(seen);
        const t0 = performance.now();
        const poll = () => {
          const button = document.querySelector('[data-testid="cancel"]');
          const progress = document.querySelector('[data-testid="progress"]')?.textContent ?? '';
          if (button && !button.disabled && /Running .*: [1-9]\d* of \d+/.test(progress)) {
            button.click();
            resolve(seen);
          } else if (performance.now() - t0 > limit) {
            reject(new Error(`Cancel was never enabled mid-run after Run (${progress})`));
          } else {
            setTimeout(poll, 0);
          }
        };
        poll();
      }),
    { cancel, limit: RUN_TIMEOUT_MS },
  );
}

/** Waits until the run started after state number `seen` has ended; returns how it ended. */
async function ended(page, seen) {
  const handle = await page.waitForFunction(
    (seen) => {
      const after = window.__states.slice(seen);
      const running = after.indexOf('running');
      return running >= 0 && after.slice(running + 1).find((s) => s !== 'running');
    },
    seen,
    { timeout: RUN_TIMEOUT_MS, polling: 10 },
  );
  return handle.jsonValue();
}

test(`${RUNS} runs in one page, with cancels and worker runs, end cleanly and do not leak`, { timeout: 240000 }, async () => {
  const { page, errors } = await open(env, '#v=1&preset=when-all');
  const cdp = await page.context().newCDPSession(page);
  await recordStates(page);
  await eventLoopScenario(page);
  const counts = { done: 0, cancelled: 0, cpu: 0 };
  let baseline;
  const t0 = Date.now();
  for (let i = 1; i <= RUNS; i++) {
    const cpu = i % 10 === 0;
    const cancel = !cpu && i % 3 === 0;
    if (cpu) await cpuScenario(page);
    const seen = await clickRun(page, cancel);
    const expected = cancel ? 'cancelled' : 'done';
    // Never stuck: the run ends, in the expected state, within the (generous) timeout.
    const state = await ended(page, seen).catch(async (e) => {
      const now = await page.getAttribute('[data-testid="progress"]', 'data-state');
      throw new Error(`run ${i} (${cpu ? 'workers' : 'event loop'}${cancel ? ', cancelled' : ''}) is ${now}: ${e.message}`);
    });
    assert.equal(state, expected, `run ${i} (${cpu ? 'workers' : 'event loop'}) ended ${state}`);
    counts[expected]++;
    if (cpu) counts.cpu++;
    assert.equal(await page.isEnabled('[data-testid="run"]'), true, `Run is enabled again after run ${i}`);
    if (cpu) {
      const error = page.locator('[data-testid^="error-"]');
      assert.equal(await error.count(), 0, `run ${i}: no piece failed (${await error.allTextContents()})`);
      await eventLoopScenario(page);
    }
    assert.deepEqual(errors, [], `no console errors up to run ${i}`);
    if (i === BASELINE_AT) baseline = await memory(page, cdp);
  }
  const end = await memory(page, cdp);
  const growth = end.total - baseline.total;
  console.log(
    `soak: ${RUNS} runs (${counts.done} done, ${counts.cancelled} cancelled, ${counts.cpu} on workers) in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `memory at run ${BASELINE_AT}: JS heap ${MB(baseline.js)} + wasm ${MB(baseline.wasm)}, ` +
      `at run ${RUNS}: JS heap ${MB(end.js)} + wasm ${MB(end.wasm)}; growth ${MB(growth)}`,
  );
  assert.equal(counts.cancelled, 60, 'every third event-loop run was cancelled');
  assert.equal(counts.cpu, 20, 'every tenth run computed on workers');
  assert.ok(
    growth < GROWTH_LIMIT_BYTES,
    `JS heap + wasm memory grew ${MB(growth)} between run ${BASELINE_AT} and run ${RUNS} (limit ${MB(GROWTH_LIMIT_BYTES)})`,
  );
  await cdp.detach();
  await page.close();
});
