//! An async scenario reduced to what its code says, and the comments all languages share.

use crate::codegen::lang::Lang;
use crate::codegen::text::{call_numbers, is_long, label, list_decl, Out};
use crate::model::scenario::{
    AsyncWork, Backoff, FailRule, Step, Strategy, Workload, MAX_ATTEMPTS, MAX_WORKERS,
};

/// Where the calls' durations come from.
pub(super) enum Src {
    /// `count` calls; each waits `ms`, or runs the scenario's steps when `ms` is `None`.
    Count { count: u32, ms: Option<u32> },
    /// One call per listed duration, in a list named `durations`; `shared` when the list is
    /// declared once in the setup.
    List { values: Vec<u32>, shared: bool },
}

/// Which calls fail, as the code writes it.
pub(super) enum Fail {
    None,
    /// These calls (0-based) fail every attempt the scenario makes.
    Always(Vec<u32>),
    /// These calls fail their first `n` attempts, then succeed.
    First(Vec<u32>, u32),
    /// Each attempt fails with this chance, in percent.
    Chance(u32),
}

/// An async scenario, reduced to what the code needs to say.
pub(super) struct Ctx {
    pub(super) src: Src,
    /// The steps of one call for a stepped workload.
    pub(super) steps: Option<Vec<Step>>,
    pub(super) count: usize,
    pub(super) fail: Fail,
    pub(super) attempts: u32,
    pub(super) delay_ms: u32,
    pub(super) backoff: Backoff,
    pub(super) timeout: Option<u32>,
    deadline: Option<u32>,
    pub(super) jitter: u32,
    /// The call takes a cancellation token (C#) or an abort signal (JavaScript): a group
    /// deadline or a cancelling strategy needs one. Python and Rust cancel without one.
    pub(super) token: bool,
}

/// Strategies that the group deadline is written around. The mistakes are shown bare: a
/// deadline would only hide what goes wrong.
fn takes_deadline(s: Strategy) -> bool {
    !matches!(
        s,
        Strategy::FireAndForget | Strategy::BlockOnResult | Strategy::WorkerPerCall
    )
}

impl Ctx {
    pub(super) fn new(work: &AsyncWork) -> Ctx {
        let b = &work.behaviour;
        let attempts = b.retry.attempts.clamp(1, MAX_ATTEMPTS);
        let (src, steps) = match &work.workload {
            Workload::Uniform { count, duration_ms } => (
                Src::Count {
                    count: *count,
                    ms: Some(*duration_ms),
                },
                None,
            ),
            Workload::Custom(values) => (
                Src::List {
                    values: values.clone(),
                    shared: is_long(values),
                },
                None,
            ),
            Workload::Steps { count, steps } => {
                let steps = if steps.is_empty() {
                    vec![Step {
                        label: "call".into(),
                        ms: 0,
                    }]
                } else {
                    steps.clone()
                };
                (
                    Src::Count {
                        count: *count,
                        ms: None,
                    },
                    Some(steps),
                )
            }
        };
        let fail = match &b.fail {
            FailRule::Never => Fail::None,
            FailRule::Tasks { tasks, times } => {
                let mut ids = tasks.clone();
                ids.sort_unstable();
                ids.dedup();
                if ids.is_empty() || *times == 0 {
                    Fail::None
                } else if *times >= attempts {
                    Fail::Always(ids)
                } else {
                    Fail::First(ids, *times)
                }
            }
            FailRule::Chance { percent: 0 } => Fail::None,
            FailRule::Chance { percent } => Fail::Chance((*percent).min(100)),
        };
        let token = b.group_timeout_ms.is_some()
            || work
                .strategies
                .contains(&Strategy::FirstWins { cancel_rest: true });
        Ctx {
            src,
            steps,
            count: work.workload.len(),
            fail,
            attempts,
            delay_ms: b.retry.delay_ms,
            backoff: b.retry.backoff,
            timeout: b.timeout_ms,
            deadline: b.group_timeout_ms,
            jitter: b.jitter_ms,
            token,
        }
    }

    /// The call is a wrapper (timeout, retries) around one attempt.
    pub(super) fn wrapped(&self) -> bool {
        self.timeout.is_some() || self.attempts > 1
    }

    /// A call can end in an error by itself (a failure or its timeout).
    pub(super) fn errors(&self) -> bool {
        !matches!(self.fail, Fail::None) || self.timeout.is_some()
    }

    /// The deadline written around strategy `s`, if any.
    pub(super) fn group(&self, s: Strategy) -> Option<u32> {
        self.deadline.filter(|_| takes_deadline(s))
    }

    /// The call's `ms` argument in the setup's signature (none for stepped calls).
    pub(super) fn has_ms(&self) -> bool {
        self.steps.is_none()
    }

    pub(super) fn is_list(&self) -> bool {
        matches!(self.src, Src::List { .. })
    }

    /// The list's declaration at the top of a snippet, when it is short enough to repeat (or,
    /// in Rust, the binding of the setup's function).
    pub(super) fn decl(&self, lang: Lang) -> Option<String> {
        match &self.src {
            Src::List {
                values,
                shared: false,
            } => Some(list_decl(lang, "durations", values)),
            Src::List { shared: true, .. } if lang == Lang::Rust => {
                Some("let durations = durations();".into())
            }
            _ => None,
        }
    }

    /// The number of calls as code: a literal, or the list's length.
    pub(super) fn len_expr(&self, lang: Lang) -> String {
        match (&self.src, lang) {
            (Src::Count { count, .. }, _) => count.to_string(),
            (Src::List { .. }, Lang::CSharp) => "durations.Length".into(),
            (Src::List { .. }, Lang::JavaScript) => "durations.length".into(),
            (Src::List { .. }, Lang::Python) => "len(durations)".into(),
            (Src::List { .. }, Lang::Rust) => "durations.len()".into(),
        }
    }

    /// The ms of call `i` by index (`durations[i]`), or the literal.
    pub(super) fn ms_at_i(&self) -> Option<String> {
        match &self.src {
            Src::Count { ms, .. } => ms.map(|m| m.to_string()),
            Src::List { .. } => Some("durations[i]".into()),
        }
    }

    /// The call of index `i` in `lang`, with its ms and its token or signal.
    pub(super) fn call(&self, lang: Lang, ms: Option<&str>, tok: Option<&str>) -> String {
        let name = if lang == Lang::CSharp {
            "CallAsync"
        } else {
            "call"
        };
        let mut args = vec!["i".to_string()];
        args.extend(ms.map(str::to_string));
        if matches!(lang, Lang::CSharp | Lang::JavaScript) {
            args.extend(tok.map(str::to_string));
        }
        format!("{name}({})", args.join(", "))
    }

    /// A `for` loop over the calls: its head and the ms of call `i` inside it.
    pub(super) fn lp(&self, lang: Lang) -> (String, Option<String>) {
        match &self.src {
            Src::Count { count, ms } => {
                let head = match lang {
                    Lang::CSharp => format!("for (var i = 0; i < {count}; i++)"),
                    Lang::JavaScript => format!("for (let i = 0; i < {count}; i++) {{"),
                    Lang::Python => format!("for i in range({count}):"),
                    Lang::Rust => format!("for i in 0..{count} {{"),
                };
                (head, ms.map(|m| m.to_string()))
            }
            Src::List { .. } => {
                let (head, ms) = match lang {
                    Lang::CSharp => ("for (var i = 0; i < durations.Length; i++)", "durations[i]"),
                    Lang::JavaScript => ("for (const [i, ms] of durations.entries()) {", "ms"),
                    Lang::Python => ("for i, ms in enumerate(durations):", "ms"),
                    Lang::Rust => ("for (i, &ms) in durations.iter().enumerate() {", "ms"),
                };
                (head.into(), Some(ms.into()))
            }
        }
    }

    /// Writes a loop over the calls with `body` (given the ms of call `i`) inside.
    pub(super) fn each(&self, o: &mut Out, body: impl Fn(Option<&str>) -> Vec<String>) {
        let lang = o.lang;
        let (head, ms) = self.lp(lang);
        let lines = body(ms.as_deref());
        o.l(&head);
        match lang {
            Lang::CSharp if lines.len() == 1 => o.under(&lines[0]),
            Lang::CSharp => {
                o.open("{");
                lines.iter().for_each(|l| o.l(l));
                o.close("}");
            }
            Lang::Python => lines.iter().for_each(|l| o.under(l)),
            Lang::JavaScript | Lang::Rust => {
                lines.iter().for_each(|l| o.under(l));
                o.l("}");
            }
        }
    }

    /// Every call mapped through `body` (given the ms of call `i`): a LINQ `Select`, an
    /// `Array.from` or `map`, a Python generator (without its brackets), a Rust iterator.
    pub(super) fn map(&self, lang: Lang, body: impl Fn(Option<&str>) -> String) -> String {
        match &self.src {
            Src::Count { count, ms } => {
                let ms = ms.map(|m| m.to_string());
                let b = body(ms.as_deref());
                match lang {
                    Lang::CSharp => format!("Enumerable.Range(0, {count}).Select(i => {b})"),
                    Lang::JavaScript => format!("Array.from({{ length: {count} }}, (_, i) => {b})"),
                    Lang::Python => format!("{b} for i in range({count})"),
                    Lang::Rust => format!("(0..{count}).map(|i| {b})"),
                }
            }
            Src::List { .. } => {
                let b = body(Some("ms"));
                match lang {
                    Lang::CSharp => format!("durations.Select((ms, i) => {b})"),
                    Lang::JavaScript => format!("durations.map((ms, i) => {b})"),
                    Lang::Python => format!("{b} for i, ms in enumerate(durations)"),
                    Lang::Rust => format!("durations.iter().enumerate().map(|(i, &ms)| {b})"),
                }
            }
        }
    }

    /// The head of a lambda with a block body over every call, and the ms of call `i` in it.
    /// C# puts the `{` on the next line; JavaScript and Rust end the head with it.
    pub(super) fn block(&self, lang: Lang, is_async: bool) -> (String, Option<String>) {
        let a = if is_async { "async " } else { "" };
        let rs = if is_async { "async move " } else { "" };
        match &self.src {
            Src::Count { count, ms } => {
                let head = match lang {
                    Lang::CSharp => format!("Enumerable.Range(0, {count}).Select({a}i =>"),
                    Lang::JavaScript => {
                        format!("Array.from({{ length: {count} }}, {a}(_, i) => {{")
                    }
                    Lang::Python | Lang::Rust => format!("(0..{count}).map(|i| {rs}{{"),
                };
                (head, ms.map(|m| m.to_string()))
            }
            Src::List { .. } => {
                let head = match lang {
                    Lang::CSharp => format!("durations.Select({a}(ms, i) =>"),
                    Lang::JavaScript => format!("durations.map({a}(ms, i) => {{"),
                    Lang::Python | Lang::Rust => {
                        format!("durations.iter().enumerate().map(|(i, &ms)| {rs}{{")
                    }
                };
                (head, Some("ms".into()))
            }
        }
    }

    // -- comments shared by every language ----------------------------------------------------

    pub(super) fn fail_comment(&self) -> String {
        match &self.fail {
            Fail::None => String::new(),
            Fail::Always(ids) if ids.len() == 1 => format!("Call {} fails.", call_numbers(ids)),
            Fail::Always(ids) => format!("Calls {} fail.", call_numbers(ids)),
            Fail::First(ids, n) => {
                let (who, verb, whose) = if ids.len() == 1 {
                    ("Call", "fails", "its")
                } else {
                    ("Calls", "fail", "their")
                };
                let first = if *n == 1 {
                    "first attempt".to_string()
                } else {
                    format!("first {n} attempts")
                };
                format!("{who} {} {verb} {whose} {first}.", call_numbers(ids))
            }
            Fail::Chance(p) => format!("Each attempt fails with a {p}% chance."),
        }
    }

    pub(super) fn retry_comment(&self) -> String {
        let a = self.attempts;
        match (self.delay_ms, self.backoff) {
            (0, _) => format!("Up to {a} attempts, one right after another."),
            (d, Backoff::Fixed) => format!("Up to {a} attempts, {d} ms apart (a fixed delay)."),
            (d, Backoff::Exponential) => format!(
                "Up to {a} attempts: {d} ms before the second, doubling after each failure \
                 (exponential backoff)."
            ),
        }
    }

    pub(super) fn timeout_comment(&self, lang: Lang) -> String {
        let t = self.timeout.unwrap_or_default();
        let how = match lang {
            Lang::CSharp => "a TimeoutException (WaitAsync)",
            Lang::JavaScript => "a TimeoutError (AbortSignal.timeout)",
            Lang::Python => "a TimeoutError (asyncio.wait_for)",
            Lang::Rust => "an error (tokio::time::timeout)",
        };
        format!("Each attempt is abandoned after {t} ms with {how}.")
    }

    pub(super) fn setup_comment(&self) -> String {
        let what = if self.wrapped() {
            "One attempt of a simulated HTTP call"
        } else {
            "A simulated HTTP call"
        };
        match &self.steps {
            Some(steps) => {
                let s: Vec<String> = steps
                    .iter()
                    .map(|s| format!("{} {} ms", label(s), s.ms))
                    .collect();
                format!("{what}: {}, then it returns its id.", s.join(", then "))
            }
            None => format!("{what}: waits, then returns its id."),
        }
    }
}

/// Why each strategy takes the time it does, or what goes wrong: the comment heading its snippet.
pub(super) fn why(s: Strategy, lang: Lang, count: usize) -> String {
    use Strategy::*;
    match s {
        Sequential => "One call after another: each starts when the previous one ends, so the \
                       waits add up."
            .into(),
        AllAtOnce { fail_fast: false } => "Start every call, then await them together: done \
                                           when the longest is done."
            .into(),
        AllAtOnce { fail_fast: true } => match lang {
            Lang::CSharp => "Start every call and give up at the first error while the others \
                             keep running. (await Task.WhenAll throws only once every call has \
                             ended, so watch them end one by one.)"
                .into(),
            Lang::Rust => "Start every call and give up at the first error. try_join_all then \
                           drops the calls still running, which cancels them; tokio::spawn them \
                           to let them run on."
                .into(),
            _ => "Start every call and give up at the first error; the other calls keep running."
                .into(),
        },
        FirstWins { cancel_rest: false } => "Start every call and continue with the first to \
                                             finish; the others keep running."
            .into(),
        FirstWins { cancel_rest: true } => "Start every call, continue with the first to \
                                            finish, and cancel the others."
            .into(),
        Throttled { limit } => {
            format!("At most {limit} calls in flight: each waits for a free slot before it starts.")
        }
        Streaming { concurrent: false } => "A producer awaits the calls one by one and hands \
                                            over each result as soon as it has it."
            .into(),
        Streaming { concurrent: true } => "Start every call; use each result as soon as its \
                                           call ends, in the order they finish."
            .into(),
        FireAndForget => match lang {
            Lang::Python => "Mistake: fire and forget. Nothing awaits the tasks: main returns at \
                             once, asyncio.run cancels them, and an error is only logged as \
                             \"Task exception was never retrieved\"."
                .into(),
            _ => "Mistake: fire and forget. Nothing awaits the calls: the caller \"finishes\" at \
                  once, and an error thrown later reaches nobody."
                .into(),
        },
        SharedCounter { safe: false } => format!(
            "Mistake: read, await, write back. All {count} calls read the count before any \
             writes it back, so the updates overwrite each other."
        ),
        SharedCounter { safe: true } => "Fix: await first, then update the count in one step, \
                                         with no await between the read and the write."
            .into(),
        BlockOnResult => match lang {
            Lang::CSharp => "Mistake: block on the result. .Result holds the thread until the \
                             call ends, but on a UI thread (a single-threaded context) the call \
                             needs that very thread to finish: a deadlock."
                .into(),
            Lang::JavaScript => "Mistake: block on the result. The loop spins until the promise \
                                 settles, but it can only settle on this thread once the loop \
                                 lets go: the page freezes for good."
                .into(),
            Lang::Python => "Mistake: block on the result from inside the running loop. asyncio \
                             refuses with \"RuntimeError: This event loop is already running\" \
                             rather than deadlock."
                .into(),
            Lang::Rust => "Mistake: block on the result. On a one-thread runtime block_on holds \
                           the only thread, so the timer the call waits for never fires: a \
                           deadlock."
                .into(),
        },
        WorkerPerCall => match lang {
            Lang::CSharp => "Blocking: each call holds a thread-pool thread just to wait (sync \
                             over async); the pool adds threads slowly, so the rest queue for one."
                .into(),
            Lang::JavaScript => "Blocking: each call gets a worker of its own, which blocks while \
                                 it waits (Atomics.wait needs a cross-origin isolated page)."
                .into(),
            Lang::Python => format!(
                "Blocking: each call holds a thread (with an event loop of its own) just to wait, \
                 at most {MAX_WORKERS} at once; the rest queue for a thread."
            ),
            Lang::Rust => "Blocking: each call parks a thread of its own just to wait (sync over \
                           async)."
                .into(),
        },
    }
}

/// The comment after the shared counter's final print.
pub(super) fn counter_note(safe: bool, errors: bool, count: usize) -> String {
    match (safe, errors) {
        (true, false) => format!("{count}: one update per call"),
        (true, true) => "one update per call that succeeded".into(),
        (false, false) if count > 1 => {
            format!("1, not {count}: every call read 0 before any wrote")
        }
        (false, _) => "every call read 0 before any wrote: updates were lost".into(),
    }
}
