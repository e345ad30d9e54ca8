//! Example programs, one per seed experiment of `shared/scenarios.md`, for the page to offer
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

/// D. Counting primes on workers: one worker, then four parts on four workers.
pub const PRIMES: &str = r#"// D. CPU work belongs on workers: the same count on one worker, then in 4 parts.
const one = await worker(() => primes(100000));
console.log(one, "primes on one worker, at", now(), "ms");
const four = await parallel(4, () => primes(100000));
console.log(four, "primes on four workers, at", now(), "ms");
"#;

/// K. Fire and forget: an error nobody observes.
pub const FIRE_AND_FORGET: &str = r#"// K. Fire and forget: nobody awaits this call, so its error is lost (reported at the end).
fail("audit log", 300);
await call("main work", 500);
console.log("main work done");
"#;

/// Every example: (id, title, program).
pub const ALL: &[(&str, &str, &str)] = &[
    ("sequential", "A. Sequential awaits", SEQUENTIAL),
    ("all-at-once", "A. All at once", ALL_AT_ONCE),
    ("all-mixed", "A. Different durations together", ALL_MIXED),
    ("first-to-finish", "B. First to finish", FIRST_TO_FINISH),
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
    ("fire-and-forget", "K. Fire and forget", FIRE_AND_FORGET),
];
