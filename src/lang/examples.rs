//! Example programs for the seed experiments of `shared/scenarios.md` (A to K), for the page to offer
//! (and for the tests to run on the virtual clock, so each keeps telling its story).

/// A. Ten calls of 500 ms awaited one by one: about 5000 ms.
pub const SEQUENTIAL: &str = r#"// A. Sequential awaits: each call starts only when the one before it has finished.
for (const i of range(10)) {
  const result = await call("request " + i, 500);
  console.log("got", result);
}
console.log("done after", now(), "ms");
"#;

/// A. The same ten calls started first and awaited together: about 500 ms.
pub const ALL_AT_ONCE: &str = r#"// A. All at once: start every call, then await them together (Task.WhenAll).
const calls = [];
for (const i of range(10)) {
  calls.push(call("request " + i, 500));
}
const results = await Promise.all(calls);
console.log(results.length, "results after", now(), "ms");
"#;

/// A. Different durations awaited together: the longest (3000 ms), results in the order given.
pub const ALL_MIXED: &str = r#"// A. 2000, 3000 and 1000 ms together: done after the longest,
// results in the order the calls were given, not the order they finished.
const results = await Promise.all([call("a", 2000), call("b", 3000), call("c", 1000)]);
console.log(results, "after", now(), "ms");
"#;

/// B. The first of three to finish (1000 ms); the others are cancelled.
pub const FIRST_TO_FINISH: &str = r#"// B. First to finish (Task.WhenAny): continue with the fastest; the losers are cancelled.
const winner = await Promise.race([call("a", 2000), call("b", 3000), call("c", 1000)]);
console.log("winner:", winner, "after", now(), "ms");
"#;

/// E. A hundred calls of 100 ms on one event loop: about 100 ms, no worker held.
pub const WHAT_WAITING_HOLDS: &str = r#"// E. 100 calls of 100 ms on one event loop: ~100 ms, and no thread is held while waiting.
const calls = [];
for (const i of range(100)) {
  calls.push(call("call " + i, 100));
}
await Promise.all(calls);
console.log("100 calls after", now(), "ms");
"#;

/// F. A thousand calls of 100 ms, at most ten in flight: 100 waves, 10,000 ms.
pub const THROTTLED: &str = r#"// F. Throttled: 1000 calls of 100 ms with at most 10 in flight (SemaphoreSlim(10)).
const jobs = [];
for (const i of range(1000)) {
  jobs.push(() => call("request " + i, 100));
}
const results = await limit(10, jobs);
console.log(results.length, "results after", now(), "ms");
"#;

/// F. Stepped calls: fetch (100 ms) then process (50 ms), four at a time: 25 waves of 150 ms.
pub const THROTTLED_STEPS: &str = r#"// F. 100 users, each: fetch (100 ms) then process (50 ms), at most 4 at a time.
async function handle(user) {
  const data = await call("fetch " + user, 100);
  await sleep(50);
  return data;
}
const work = [];
for (const user of range(100)) {
  work.push(() => handle(user));
}
await limit(4, work);
console.log("done after", now(), "ms");
"#;

/// G. A 5000 ms call abandoned by a 2000 ms timeout.
pub const TIMEOUT: &str = r#"// G. Timeout: a slow call is abandoned with an error after 2 s (WaitAsync).
try {
  await timeout(call("slow", 5000), 2000);
} catch (e) {
  console.log(e.name, e.message, "at", now(), "ms");
}
"#;

/// G. Retries: two failed attempts, then one that succeeds, 200 ms apart.
pub const RETRIES: &str = r#"// G. Retry: up to 3 attempts, 200 ms between them; each attempt is on the timeline.
let attempt = 0;
const result = await retry(3, 200, () => {
  attempt = attempt + 1;
  if (attempt < 3) {
    return fail("attempt " + attempt, 100);
  }
  return call("attempt " + attempt, 100);
});
console.log(result, "after", now(), "ms");
"#;

/// H. One failure in a group: `Promise.all` rejects with the first error; `allSettled` keeps
/// every result.
pub const ONE_FAILURE: &str = r#"// H. One failure in a group: Promise.all fails fast with the first error.
try {
  await Promise.all([call("a", 1000), fail("b", 300), fail("c", 500)]);
} catch (e) {
  console.log("first error:", e.message, "at", now(), "ms");
}
// allSettled waits for all and reports each one.
const settled = await Promise.allSettled([call("d", 200), fail("e", 100)]);
for (const s of settled) {
  console.log(s.status);
}
"#;

/// I. Streaming: five ticks 500 ms apart, each consumed as it arrives.
pub const STREAMING: &str = r#"// I. Streaming (await foreach): the first result is used after 500 ms, not 2500.
for await (const tick of ticks(5, 500)) {
  console.log("tick", tick, "at", now(), "ms");
}
"#;

/// C. Ten purchases that each block a thread for 1000 ms, on the worker pool.
pub const PARALLEL_FOR_EACH: &str = r#"// C. Parallel.ForEach: 10 purchases, each blocking for 1000 ms, on the workers.
// One by one this takes 10 s; on the pool it takes ceil(10 / workers) seconds.
const purchases = [];
for (const customer of range(10)) {
  purchases.push(worker(burn(1000)));
}
await Promise.all(purchases);
console.log("all purchases done after", now(), "ms");
"#;

/// C. Three actions of 1000, 500 and 2000 ms, each on its own worker: 2000 ms.
pub const PARALLEL_INVOKE: &str = r#"// C. Parallel.Invoke: three actions start together, done after the longest.
await Promise.all([worker(burn(1000)), worker(burn(500)), worker(burn(2000))]);
console.log("all actions done after", now(), "ms");
"#;

/// D. Counting primes on workers: one worker, then four parts on four workers.
pub const PRIMES: &str = r#"// D. CPU work belongs on workers: the same count on one worker, then in 4 parts.
const one = await worker(() => primes(100000));
console.log(one, "primes on one worker, at", now(), "ms");
const four = await parallel(4, () => primes(100000));
console.log(four, "primes on four workers, at", now(), "ms");
"#;

/// J. An order processor: fetch (I/O), process in parallel (CPU), save (I/O), pause, repeat.
pub const ORDER_PROCESSOR: &str = r#"// J. Background order processor: async for the waits, parallel for the computing.
for (const round of range(2)) {
  const orders = await call("fetch orders", 200);
  const checksum = await parallel(4, () => primes(200000));
  await call("save changes", 100);
  console.log("round", round, "saved at", now(), "ms");
  await sleep(5000);
}
"#;

/// K. Shared state across an await: read, await, write loses updates.
pub const LOST_UPDATE: &str = r#"// K. Read, await, write: three increments on one thread, and only one survives.
let count = 0;
async function increment() {
  const seen = count;
  await sleep(10);
  count = seen + 1;
}
await Promise.all([increment(), increment(), increment()]);
console.log("count is", count, "not 3");
"#;

/// K. CPU work on the event loop: a timer due at 100 ms fires only when the loop is free.
pub const BLOCKED_LOOP: &str = r#"// K. CPU work on the UI thread: the 100 ms timer fires late, after the spin.
const timer = sleep(100);
spin(1000);
await timer;
console.log("the 100 ms timer fired at", now(), "ms");
// On a worker, the loop stays free.
const t = now();
const work = worker(burn(1000));
await sleep(100);
console.log("with the work on a worker, it fires after", now() - t, "ms");
await work;
"#;

/// K. Fire and forget: an error nobody observes.
pub const FIRE_AND_FORGET: &str = r#"// K. Fire and forget: nobody awaits this call, so its error is lost (reported at the end).
fail("audit log", 300);
await call("main work", 500);
console.log("main work done");
"#;

/// What "Your program" opens with: the issue's first lesson, that a promise starts when it is
/// created.
pub const STARTER: &str = r#"// A promise starts when it is created: both timers run at once.
const a = call("a", 300);
const b = call("b", 500);
console.log("started both at", now(), "ms");
await a;
console.log("a done at", now(), "ms");
await b;
console.log("b done at", now(), "ms: about 500, not 800");
"#;

/// Every example: (id, title, program).
pub const ALL: &[(&str, &str, &str)] = &[
    ("starter", "Two promises at once", STARTER),
    ("sequential", "A. Sequential awaits", SEQUENTIAL),
    ("all-at-once", "A. All at once", ALL_AT_ONCE),
    ("all-mixed", "A. Different durations together", ALL_MIXED),
    ("first-to-finish", "B. First to finish", FIRST_TO_FINISH),
    (
        "parallel-for-each",
        "C. Parallel.ForEach",
        PARALLEL_FOR_EACH,
    ),
    ("parallel-invoke", "C. Parallel.Invoke", PARALLEL_INVOKE),
    ("primes", "D. Count primes on workers", PRIMES),
    (
        "what-waiting-holds",
        "E. What waiting holds",
        WHAT_WAITING_HOLDS,
    ),
    ("throttled", "F. Throttled", THROTTLED),
    ("throttled-steps", "F. Throttled, in steps", THROTTLED_STEPS),
    ("timeout", "G. Timeout", TIMEOUT),
    ("retries", "G. Retries", RETRIES),
    ("one-failure", "H. One failure in a group", ONE_FAILURE),
    ("streaming", "I. Streaming", STREAMING),
    ("order-processor", "J. Order processor", ORDER_PROCESSOR),
    ("lost-update", "K. Read, await, write", LOST_UPDATE),
    (
        "blocked-loop",
        "K. CPU work on the event loop",
        BLOCKED_LOOP,
    ),
    ("fire-and-forget", "K. Fire and forget", FIRE_AND_FORGET),
];
