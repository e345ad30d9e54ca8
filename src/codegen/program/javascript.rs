//! A program as JavaScript: the program itself, after a prelude that defines the built-ins it
//! uses on real timers (`setTimeout`, `performance.now()`), so the file runs as it is in Node
//! (saved as an `.mjs` module, for the top-level `await`) or in a page's module script.

use crate::codegen::program::walk::{for_children, Info};
use crate::lang::ast::{Program, Stmt, StmtKind};
use crate::lang::value::Builtin;

/// The prelude for what `program` uses, then `src`.
pub(crate) fn javascript(src: &str, program: &Program) -> String {
    let info = Info::new(program);
    let uses = |b: Builtin| info.uses(b);
    let cpu = uses(Builtin::Worker) || uses(Builtin::Parallel);
    let mut out = String::from(
        "// The playground's built-ins on real timers: save as program.mjs and run `node \
         program.mjs`.\n",
    );
    let mut add = |on: bool, text: &str| {
        if on {
            out.push_str(text);
            out.push('\n');
        }
    };
    add(uses(Builtin::Now), JS_NOW);
    add(
        uses(Builtin::Sleep) || uses(Builtin::Ticks) || cpu,
        JS_SLEEP,
    );
    add(uses(Builtin::Call), JS_CALL);
    add(uses(Builtin::Fail), JS_FAIL);
    add(uses(Builtin::Timeout), JS_TIMEOUT);
    add(uses(Builtin::Retry), JS_RETRY);
    add(uses(Builtin::Limit), JS_LIMIT);
    add(uses(Builtin::Range), JS_RANGE);
    add(uses(Builtin::Ticks), JS_TICKS);
    add(uses(Builtin::Spin), JS_SPIN);
    add(
        cpu || uses(Builtin::Burn) || uses(Builtin::Primes) || uses(Builtin::Mandelbrot),
        JS_CPU,
    );
    if program.body.iter().any(returns) {
        // A module cannot `return` at its top level: the program becomes an async function.
        out.push_str("// The program (in a function: it returns early).\n(async () => {\n");
        out.push_str(src.trim_end());
        out.push_str("\n})();\n");
    } else {
        out.push_str("// The program.\n");
        out.push_str(src.trim_end());
        out.push('\n');
    }
    out
}

/// True when `s` is or holds a `return` of the program's top level (not a function's).
fn returns(s: &Stmt) -> bool {
    if matches!(s.kind, StmtKind::Return(_)) {
        return true;
    }
    if matches!(s.kind, StmtKind::Function(_)) {
        return false;
    }
    let mut found = false;
    for_children(s, &mut |c| found |= returns(c), &mut |_| {});
    found
}

const JS_NOW: &str = "const started = performance.now();
/** Milliseconds since the program started. */
const now = () => Math.round(performance.now() - started);";

const JS_SLEEP: &str = "/** Waits `ms` on a real timer. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));";

const JS_CALL: &str =
    "/** A simulated call (an HTTP request, a query): answers its label after `ms`. */
const call = (label, ms) => new Promise((resolve) => setTimeout(() => resolve(label), ms));";

const JS_FAIL: &str =
    "// Node ends the program at an error nobody handles; a page only reports it. So does this.
globalThis.process?.on(\"unhandledRejection\", (e) => console.error(\"unhandled:\", e.message));
/** A simulated call that fails after `ms`. */
const fail = (label, ms) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(`${label} failed`)), ms));";

const JS_TIMEOUT: &str = "/** The work's answer, or a TimeoutError once `ms` have passed. */
function timeout(work, ms) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const e = new Error(`timed out after ${ms} ms`);
      e.name = \"TimeoutError\";
      reject(e);
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}";

const JS_RETRY: &str =
    "/** Calls `attempt()` until it succeeds, at most `attempts` times, `delayMs` apart. */
async function retry(attempts, delayMs, attempt) {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= attempts) throw e;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}";

const JS_LIMIT: &str =
    "/** Runs the jobs (functions that start work) with at most `k` in flight. */
async function limit(k, jobs) {
  const results = new Array(jobs.length);
  let next = 0;
  async function lane() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(k, jobs.length) }, lane));
  return results;
}";

const JS_RANGE: &str = "/** [0, 1, … n - 1]. */
const range = (n) => [...Array(n).keys()];";

const JS_TICKS: &str = "/** A stream: 0, 1, … count - 1, each `ms` after the one before. */
async function* ticks(count, ms) {
  for (let i = 0; i < count; i++) {
    await sleep(ms);
    yield i;
  }
}";

const JS_SPIN: &str = "/** Keeps this thread busy for `ms`: nothing else runs on it meanwhile. */
function spin(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}";

const JS_CPU: &str = "// CPU work is a description; worker() runs it. Here it runs on this thread after a turn
// of the event loop (so the loop is blocked meanwhile); a page would post it to a Web Worker,
// as the playground does.
const burn = (ms) => ({ kind: \"burn\", ms });
const primes = (end) => ({ kind: \"primes\", start: 0, end });
const mandelbrot = (width, height, maxIter) => ({ kind: \"mandelbrot\", width, height, maxIter, start: 0, end: height });
function isPrime(n) {
  if (n < 4) return n >= 2;
  if (n % 2 === 0) return false;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}
function runJob(job) {
  let total = 0;
  if (job.kind === \"burn\") {
    const end = performance.now() + job.ms;
    while (performance.now() < end) total++;
  } else if (job.kind === \"primes\") {
    for (let n = job.start; n < job.end; n++) if (isPrime(n)) total++;
  } else {
    for (let y = job.start; y < job.end; y++) {
      const cy = -1 + ((y + 0.5) * 2) / job.height;
      for (let x = 0; x < job.width; x++) {
        const cx = -2.5 + ((x + 0.5) * 3.5) / job.width;
        let zr = 0, zi = 0, i = 0;
        while (i < job.maxIter && zr * zr + zi * zi <= 4) {
          [zr, zi] = [zr * zr - zi * zi + cx, 2 * zr * zi + cy];
          i++;
        }
        total += i;
      }
    }
  }
  return total;
}
async function worker(work) {
  const job = typeof work === \"function\" ? await work() : work;
  await sleep(0);
  return runJob(job);
}
async function parallel(parts, work) {
  const job = typeof work === \"function\" ? await work() : work;
  if (job.kind === \"burn\") return (await Promise.all(range(parts).map(() => worker(job)))).reduce((a, b) => a + b, 0);
  const cut = (i) => job.start + Math.floor(((job.end - job.start) * i) / parts);
  const pieces = [...Array(parts).keys()].map((i) => worker({ ...job, start: cut(i), end: cut(i + 1) }));
  return (await Promise.all(pieces)).reduce((a, b) => a + b, 0);
}";
