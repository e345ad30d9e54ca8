// The benchmark: ratios measured side by side in one run, in headless Chromium, against the
// release build. Timing claims live here, never in the tests (these machines are noisy).
// Run: ./scripts/bench.sh   (writes tests/bench/results.md and prints the same lines)
import { writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, open } from '../e2e/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x, d = 1) => x.toFixed(d);

const env = await start();
const { page } = await open(env);
const lines = [];
const rows = [];
let failed = 0;
const budget = (name, value, limit, text) => {
  const ok = value <= limit;
  if (!ok) failed++;
  rows.push(`| ${name} | ${text} | ${ok ? 'within' : '**over**'} budget (${limit}) |`);
  lines.push(`${ok ? 'ok  ' : 'OVER'} ${name}: ${text} (budget ${limit})`);
};

// 1. Engine overhead: 10,000 concurrent 100 ms calls, engine vs plain Promise.all over setTimeout,
//    alternated round by round so both see the same machine state.
const jsAll = (n, ms) =>
  page.evaluate(async ([n, ms]) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((r) => setTimeout(r, ms))));
    return performance.now() - t0;
  }, [n, ms]);
const engine = (strategy, n, ms) =>
  page.evaluate(([s, n, ms]) => window.wasmBindings.bench_engine(s, n, ms), [strategy, n, ms]);

await jsAll(1000, 10); // warm-up: JIT, wasm tier-up
await engine('all-at-once', 1000, 10);
const js = [];
const ours = [];
for (let i = 0; i < ROUNDS; i++) {
  js.push(await jsAll(10000, 100));
  ours.push(await engine('all-at-once', 10000, 100));
}
const ratio = median(ours) / median(js);
budget(
  'engine vs Promise.all, 10,000 x 100 ms',
  ratio,
  1.25,
  `engine ${f(median(ours))} ms, plain JS ${f(median(js))} ms (medians of ${ROUNDS}): ratio ${f(ratio, 2)}`,
);

// 2. Sequential accuracy: 10 x 500 ms one after another should cost 5000 ms.
const seq = await engine('sequential', 10, 500);
const off = Math.abs(seq - 5000) / 5000;
budget('sequential 10 x 500 ms vs 5000 ms', off * 100, 0.5, `${f(seq)} ms: ${f(off * 100, 2)}% off`);

await env.close();

// The Debian wrapper script prints harmless shell noise on stderr; keep it out of the report.
const chromium = execFileSync('/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
  .toString()
  .trim();
const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const header = `Measured ${when} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${chromium}.`;
const md = [
  '# Benchmark results',
  '',
  'Written by `scripts/bench.sh` (tests/bench/run.mjs); the README shows the latest.',
  '',
  header,
  '',
  '| what | measured | verdict |',
  '| --- | --- | --- |',
  ...rows,
  '',
].join('\n');
await writeFile(join(HERE, 'results.md'), md);
console.log(header);
for (const l of lines) console.log(l);
process.exit(failed ? 1 : 0);
