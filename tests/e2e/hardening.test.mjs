// Hardening: the page runs under a strict Content-Security-Policy and talks to nobody but its
// own origin, through an event-loop run and a worker run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

test('the policy forbids eval and inline scripts but the hashed start-up script', async () => {
  const { page, errors } = await open(env);
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.ok(policy, 'index.html carries a Content-Security-Policy');
  assert.doesNotMatch(policy, /'unsafe-eval'/, 'no eval');
  assert.doesNotMatch(policy, /'unsafe-inline'/, 'no inline scripts or styles');
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  // The page ran: the policy let the app start (a wrong hash leaves it on "Loading").
  assert.equal(await page.locator('#loading').count(), 0, 'the loading line was replaced by the app');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an event-loop run and a worker run request nothing but the page’s own files', async () => {
  const page = await env.context.newPage();
  const requests = [];
  const violations = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${env.base}#v=1&preset=when-all`);
  await page.waitForSelector('[data-testid="run"]');
  await page.fill('[data-testid="duration"]', '50');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 20000 });
  assert.ok(!requests.some((u) => /worker/.test(u)), 'an event-loop experiment loads no worker');
  await page.selectOption('[data-testid="experiment"]', 'invoke');
  await page.fill('[data-testid="burns"]', '100, 50, 200');
  await page.click('[data-testid="run"]');
  await page.waitForSelector('[data-testid="progress"][data-state="done"]', { timeout: 30000 });

  const origin = new URL(env.base).origin;
  const foreign = requests.filter(
    (u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'),
  );
  assert.deepEqual(foreign, [], 'no request leaves the page’s origin');
  assert.ok(requests.some((u) => u.endsWith('.wasm')), 'the wasm files were requested (the listener saw requests)');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no policy violation');
  assert.deepEqual(violations, []);
  await page.close();
});
