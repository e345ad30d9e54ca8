//! The "Language" help panel: what a program can say, where it departs from JavaScript on
//! purpose, and every example with a button that opens it in the editor.

use super::Html;
use crate::lang::examples;

/// The built-ins: (signature, what it does).
const BUILTINS: &[(&str, &str)] = &[
    (
        "sleep(ms)",
        "a promise that resolves after ms, on a real timer of the page's event loop",
    ),
    (
        "call(\"label\", ms)",
        "a simulated I/O call: a lane on the timeline, resolving to its label",
    ),
    (
        "fail(\"label\", ms)",
        "a call that rejects with an Error after ms",
    ),
    (
        "Promise.all / allSettled / race / any([…])",
        "as in JavaScript; a race cancels its losers",
    ),
    (
        "timeout(p, ms)",
        "p, or a TimeoutError after ms (p keeps running, as WaitAsync)",
    ),
    (
        "retry(n, delayMs, () => …)",
        "up to n attempts, delayMs apart; each attempt is a lane",
    ),
    (
        "limit(k, [() => …])",
        "runs the functions with at most k promises in flight",
    ),
    (
        "for await (const x of ticks(n, ms))",
        "a stream of n ticks, ms apart",
    ),
    (
        "spin(ms)",
        "CPU work on the page's own thread: the page freezes (at most 10 s)",
    ),
    (
        "worker(job), parallel(n, job)",
        "a job on one worker, or split over n workers",
    ),
    (
        "primes(limit), mandelbrot(w, h, iter), burn(ms)",
        "the jobs: real CPU kernels",
    ),
    ("console.log(…)", "a line in the log, with its time"),
    ("now(), range(n)", "ms since the start; [0, 1, …, n-1]"),
];

/// What differs from JavaScript on purpose (the README says the same).
const DEPARTURES: &[&str] = &[
    "Top-level await is allowed, as in a module.",
    "== is ===; there is no .then or .catch: use await.",
    "When Promise.race or Promise.any is decided, the losers that are timers (sleep, call, fail) are cancelled, and so is a call abandoned by timeout: the timeline shows what a cancellation token would do.",
    "A rejection is unhandled only if nothing awaited it by the end of the run.",
    "break and continue cannot leave a try that has a finally.",
    "Limits end a run with a message that names the limit: steps, promises, call depth, array and string sizes, 10 s of spin without a pause.",
];

/// The help's HTML.
pub fn language_help() -> String {
    let mut h = Html::new();
    h.el(
        "p",
        &[],
        "A small JavaScript: const and let, numbers, strings, arrays (push, length, map, \
         filter, forEach, reduce, join, includes), records, functions, async functions and \
         arrows, await, if/else, for…of, for await, while, break, continue, throw, \
         try/catch/finally. A promise starts when it is created. The prediction is the same \
         program on a virtual clock with no overhead.",
    );
    h.open("dl", &[("class", Some("builtins"))]);
    for (sig, what) in BUILTINS {
        h.open("div", &[])
            .open("dt", &[])
            .el("code", &[], sig)
            .close("dt")
            .el("dd", &[], what)
            .close("div");
    }
    h.close("dl")
        .el("h3", &[], "Where it departs from JavaScript");
    h.open("ul", &[]);
    for d in DEPARTURES {
        h.el("li", &[], d);
    }
    h.close("ul").el("h3", &[], "Examples");
    h.open("ul", &[("class", Some("examples"))]);
    for (id, title, _) in examples::ALL {
        h.open("li", &[])
            .el(
                "button",
                &[
                    ("type", Some("button")),
                    ("class", Some("link")),
                    ("data-example", Some(id)),
                ],
                title,
            )
            .close("li");
    }
    h.close("ul");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_offers_every_example() {
        let html = language_help();
        for (id, _, _) in examples::ALL {
            assert!(html.contains(&format!("data-example=\"{id}\"")), "{id}");
        }
    }
}
