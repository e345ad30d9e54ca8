//! "Edit as code": a scenario's fields written out as a program in our language.
//!
//! [`program_of`] turns a [`Scenario`] into a readable program that does what its fields say:
//! every strategy (or CPU mode) of the scenario, one after another, each introduced by a comment
//! and ending with a `console.log` of its title and elapsed time. The program uses the
//! [`Plan`]'s concrete numbers (jitter already drawn, failures already decided), so it is
//! deterministic and, run on the virtual clock, takes the time the preset predicts for each
//! strategy. A learner can then edit the code instead of the fields.
//!
//! Where the language cannot say something (cancelling calls wrapped in `timeout`, blocking the
//! loop on a promise, parking a worker on a wait), the program says so in a `// …` comment and
//! writes the nearest honest equivalent, never silently different code.
//!
//! Pure text generation: no web types, tested natively (the tests run every preset's program on
//! the virtual clock and compare its logged times with [`predict`](crate::model::predict)).

use crate::cpu::kernels::Job;
use crate::cpu::{CpuMode, CpuPlan, CpuSpec, Kernel, MAIN_THREAD_CAP_MS};
use crate::cpu::{PIPELINE_CYCLES, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS, PIPELINE_WAIT_MS};
use crate::model::plan::Plan;
use crate::model::predict::WATCHDOG_MS;
use crate::model::scenario::{
    AsyncWork, Backoff, FailRule, Scenario, Strategy, Work, MAX_ATTEMPTS, MAX_WORKERS,
};

use super::driver::default_job_cost;

/// Workers a CPU program assumes when the scenario leaves the count to the machine
/// (`workers == 0`): the virtual clock's pool ([`VirtualOptions`](super::VirtualOptions)).
pub const ASSUMED_WORKERS: u32 = 4;

/// Most parts `parallel(n, …)` cuts a job into (the built-in clamps `n` to this).
const MAX_PARALLEL_PARTS: usize = 64;

/// Widest line the program's comments and number lists are wrapped at.
const LINE_WIDTH: usize = 96;

/// Lists longer than this are written without spaces after the commas.
const DENSE_LIST: usize = 1000;

/// A readable program in our language that does what `scenario`'s fields say: every strategy
/// (or CPU mode) in the scenario's order, each introduced by a comment and a block that logs
/// `"<title>: <elapsed> ms"`. Async scenarios use the [`Plan`]'s concrete durations and
/// failures; CPU scenarios use the kernel's own numbers (prime limit, image size, burns) and the
/// worker count ([`ASSUMED_WORKERS`] when the scenario leaves it to the machine).
pub fn program_of(scenario: &Scenario) -> String {
    if let Work::Program(p) = &scenario.work {
        // Already a program: itself (or nothing, if its link value cannot be read).
        return super::link::decode(&p.code).unwrap_or_default();
    }
    let mut o = Out::default();
    o.comment(scenario.experiment.title());
    match &scenario.work {
        Work::Async(work) => async_program(&mut o, work),
        Work::Cpu(spec) => cpu_program(&mut o, spec),
        Work::Program(_) => {}
    }
    o.finish()
}

// ----- output -----

/// Lines with indentation.
#[derive(Default)]
struct Out {
    lines: Vec<String>,
    depth: usize,
}

impl Out {
    fn l(&mut self, line: &str) {
        if line.is_empty() {
            self.lines.push(String::new());
        } else {
            self.lines
                .push(format!("{}{line}", "  ".repeat(self.depth)));
        }
    }

    fn open(&mut self, line: &str) {
        self.l(line);
        self.depth += 1;
    }

    fn close(&mut self, line: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.l(line);
    }

    /// A `//` comment, wrapped at [`LINE_WIDTH`].
    fn comment(&mut self, text: &str) {
        let width = LINE_WIDTH.saturating_sub(2 * self.depth + 3).max(40);
        for para in text.lines() {
            let mut line = String::new();
            for word in para.split_whitespace() {
                if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                    self.l(&format!("// {line}"));
                    line.clear();
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            self.l(format!("// {line}").trim_end());
        }
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// `const name = [a, b, …];`, wrapped when long (and, past [`DENSE_LIST`] items, without
    /// spaces, so 10,000 drawn durations stay within the program size limit).
    fn list(&mut self, name: &str, items: &[String]) {
        let sep = if items.len() > DENSE_LIST { "," } else { ", " };
        let one = format!("const {name} = [{}];", items.join(", "));
        if one.len() + 2 * self.depth <= LINE_WIDTH {
            self.l(&one);
            return;
        }
        self.open(&format!("const {name} = ["));
        let mut line = String::new();
        for item in items {
            if !line.is_empty() && line.len() + item.len() + 2 > LINE_WIDTH - 2 * self.depth {
                self.l(line.trim_end());
                line.clear();
            }
            line.push_str(item);
            line.push_str(sep);
        }
        if !line.is_empty() {
            let l = line.trim_end().trim_end_matches(',').to_string();
            self.l(&l);
        }
        self.close("];");
    }

    fn finish(mut self) -> String {
        while self.lines.last().is_some_and(|l| l.is_empty()) {
            self.lines.pop();
        }
        let mut s = self.lines.join("\n");
        s.push('\n');
        s
    }
}

/// `s` as a string literal of the language.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` fit for a one-line comment.
fn flat(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

// ----- async scenarios -----

/// Which attempts fail, as the program writes it.
enum FailCode {
    None,
    /// `failing.includes(i)`, and `a < times` when only the first `times` attempts fail.
    Listed {
        tasks: Vec<u32>,
        times: Option<u32>,
    },
    /// `a < failedAttempts[i]`: how many attempts of each call fail before one succeeds (the
    /// seed's draws of a failure chance).
    PerTask {
        percent: u32,
        counts: Vec<u32>,
    },
}

/// An async scenario made concrete, as the program needs it.
struct Calls {
    n: usize,
    /// The step labels of one call.
    labels: Vec<String>,
    /// Per call, per step, the planned ms.
    durations: Vec<Vec<u32>>,
    /// Every call has the same step durations.
    uniform: bool,
    fail: FailCode,
    attempts: u32,
    delay_ms: u32,
    backoff: Backoff,
    timeout: Option<u32>,
    deadline: Option<u32>,
}

impl Calls {
    fn new(work: &AsyncWork, plan: &Plan) -> Calls {
        let n = plan.tasks.len();
        let labels: Vec<String> = match plan.tasks.first() {
            Some(t) if !t.steps.is_empty() => t.steps.iter().map(|s| s.label.clone()).collect(),
            _ => vec!["call".into()],
        };
        let durations: Vec<Vec<u32>> = plan
            .tasks
            .iter()
            .map(|t| {
                if t.steps.is_empty() {
                    vec![0]
                } else {
                    t.steps.iter().map(|s| s.ms).collect()
                }
            })
            .collect();
        let uniform = durations.windows(2).all(|w| w[0] == w[1]);
        let attempts = plan.retry.attempts.clamp(1, MAX_ATTEMPTS);
        let fail = match &work.behaviour.fail {
            FailRule::Never => FailCode::None,
            FailRule::Tasks { tasks, times } => {
                let mut ids: Vec<u32> = tasks
                    .iter()
                    .copied()
                    .filter(|&t| (t as usize) < n)
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                if ids.is_empty() || *times == 0 {
                    FailCode::None
                } else {
                    FailCode::Listed {
                        tasks: ids,
                        times: (*times < attempts).then_some(*times),
                    }
                }
            }
            FailRule::Chance { percent } => {
                let counts: Vec<u32> = plan
                    .tasks
                    .iter()
                    .map(|t| t.fails.iter().take_while(|&&f| f).count() as u32)
                    .collect();
                if counts.iter().all(|&c| c == 0) {
                    FailCode::None
                } else {
                    FailCode::PerTask {
                        percent: *percent,
                        counts,
                    }
                }
            }
        };
        Calls {
            n,
            labels,
            durations,
            uniform,
            fail,
            attempts,
            delay_ms: plan.retry.delay_ms,
            backoff: plan.retry.backoff,
            timeout: plan.timeout_ms,
            deadline: plan.group_timeout_ms,
        }
    }

    fn steps(&self) -> usize {
        self.labels.len()
    }

    /// Each call is a wrapper (timeout, retries) around its attempts.
    fn wrapped(&self) -> bool {
        self.timeout.is_some() || self.attempts > 1
    }

    /// A call can end in an error (a planned failure or its timeout).
    fn errors(&self) -> bool {
        !matches!(self.fail, FailCode::None) || self.timeout.is_some()
    }

    /// A call is one plain timer (`call(…)`), written inline.
    fn plain(&self) -> bool {
        self.steps() == 1 && matches!(self.fail, FailCode::None) && !self.wrapped()
    }

    /// The ms of step `s` of call number `idx` (code), as code.
    fn ms_at(&self, s: usize, idx: &str) -> String {
        if self.uniform {
            self.durations.first().map_or(0, |d| d[s]).to_string()
        } else if self.steps() == 1 {
            format!("durations[{idx}]")
        } else {
            format!("durations[{idx}][{s}]")
        }
    }

    /// The ms of step `s` of call `i`, as code.
    fn ms(&self, s: usize) -> String {
        self.ms_at(s, "i")
    }

    /// `call("label " + idx, ms)` (or `fail`) for step `s` of call number `idx` (code; a
    /// literal number is written into the label).
    fn timer_at(&self, f: &str, s: usize, idx: &str) -> String {
        let label = if idx.parse::<usize>().is_ok() {
            lit(&format!("{} {idx}", self.labels[s]))
        } else {
            format!("{} + {idx}", lit(&format!("{} ", self.labels[s])))
        };
        format!("{f}({label}, {})", self.ms_at(s, idx))
    }

    /// `call("label " + i, ms)` (or `fail`) for step `s` of call `i`.
    fn timer(&self, f: &str, s: usize) -> String {
        self.timer_at(f, s, "i")
    }

    /// Call `i` as an expression.
    fn task(&self) -> String {
        if self.plain() {
            self.timer("call", 0)
        } else {
            "task(i)".into()
        }
    }

    /// The condition for attempt `a` of call `i` to fail (`a` is absent for an unwrapped call,
    /// which makes one attempt).
    fn fail_cond(&self, with_a: bool) -> Option<String> {
        match &self.fail {
            FailCode::None => None,
            FailCode::Listed { times, .. } => Some(match (times, with_a) {
                (Some(t), true) => format!("a < {t} && failing.includes(i)"),
                _ => "failing.includes(i)".into(),
            }),
            FailCode::PerTask { .. } if with_a => Some("a < failedAttempts[i]".into()),
            FailCode::PerTask { .. } => Some("failedAttempts[i] > 0".into()),
        }
    }

    /// The calls as the program reads them: durations, failures, and `task(i)`.
    fn setup(&self, o: &mut Out, work: &AsyncWork) {
        let b = &work.behaviour;
        let d0 = self.durations.first().cloned().unwrap_or_else(|| vec![0]);
        let what = if self.steps() == 1 {
            if self.uniform {
                format!("{} of {} ms", plural(self.n, "call", "calls"), d0[0])
            } else {
                format!(
                    "{} of the durations listed below",
                    plural(self.n, "call", "calls")
                )
            }
        } else {
            let steps: Vec<String> = self
                .labels
                .iter()
                .enumerate()
                .map(|(s, l)| {
                    if self.uniform {
                        format!("{} {} ms", flat(l), d0[s])
                    } else {
                        flat(l)
                    }
                })
                .collect();
            format!(
                "{}, each: {}",
                plural(self.n, "call", "calls"),
                steps.join(", then ")
            )
        };
        o.comment(&format!("Written from the scenario's fields: {what}."));
        if b.jitter_ms > 0 {
            o.comment(&format!(
                "Jitter of ±{} ms drawn with seed {}: the durations are the ones drawn, so every \
                 run is the same.",
                b.jitter_ms, b.seed
            ));
        }
        if !self.uniform {
            let items: Vec<String> = self
                .durations
                .iter()
                .map(|d| {
                    if self.steps() == 1 {
                        d[0].to_string()
                    } else {
                        let parts: Vec<String> = d.iter().map(u32::to_string).collect();
                        format!("[{}]", parts.join(", "))
                    }
                })
                .collect();
            o.list("durations", &items);
        }
        match &self.fail {
            FailCode::None => {
                if let FailRule::Chance { percent } = b.fail {
                    if percent > 0 {
                        o.comment(&format!(
                            "Each attempt fails with a {percent}% chance, but seed {} drew no \
                             failure.",
                            b.seed
                        ));
                    }
                }
            }
            FailCode::Listed { tasks, times } => {
                let which = match times {
                    Some(t) => format!(
                        "fail their first {}",
                        plural(*t as usize, "attempt", "attempts")
                    ),
                    None if self.attempts > 1 => "fail every attempt".into(),
                    None => "fail".into(),
                };
                o.comment(&format!("These calls (counted from 0) {which}:"));
                let items: Vec<String> = tasks.iter().map(u32::to_string).collect();
                o.list("failing", &items);
            }
            FailCode::PerTask { percent, counts } => {
                o.comment(&format!(
                    "Each attempt fails with a {percent}% chance; seed {} drew how many attempts \
                     of each call fail before one succeeds:",
                    b.seed
                ));
                let items: Vec<String> = counts.iter().map(u32::to_string).collect();
                o.list("failedAttempts", &items);
            }
        }
        if let Some(to) = self.timeout {
            o.comment(&format!(
                "Each attempt is abandoned after {to} ms with a timeout error (WaitAsync)."
            ));
            let ties = self
                .durations
                .iter()
                .filter(|d| d.iter().sum::<u32>() == to && to > 0)
                .count();
            if ties > 0 {
                o.comment(&format!(
                    "{} exactly {to} ms: the preset counts such a tie as a timeout (its timer \
                     is set first); here the call's timer is set first, so the call wins the tie.",
                    if ties == 1 {
                        "One call takes".to_string()
                    } else {
                        format!("{ties} calls take")
                    }
                ));
            }
        }
        if self.steps() > 1 && self.timeout.is_some() {
            o.comment(
                "timeout() can cancel a single timer only: after a timeout, the steps of the \
                 abandoned attempt run on (the preset cancels them).",
            );
        }
        if self.attempts > 1 {
            let how = match self.backoff {
                Backoff::Fixed => format!("{} ms apart", self.delay_ms),
                Backoff::Exponential => format!(
                    "{} ms before the second, the delay doubling after each failure",
                    self.delay_ms
                ),
            };
            o.comment(&format!(
                "Up to {} attempts per call, {how}.",
                self.attempts
            ));
        }
        if let Some(g) = self.deadline {
            o.comment(&format!(
                "Group deadline (CancelAfter): each strategy stops waiting after {g} ms. \
                 timeout() stops the wait but cannot cancel calls already running, so they end \
                 on their own; loops check `cancelled` before starting another call."
            ));
        }
        if self.plain() {
            return;
        }
        let need_attempt = self.steps() > 1 || !matches!(self.fail, FailCode::None);
        let wrapped = self.wrapped();
        if need_attempt {
            let (name, with_a) = if wrapped {
                ("attempt(i, a)", true)
            } else {
                ("task(i)", false)
            };
            let is_async = self.steps() > 1;
            o.open(&format!(
                "{}function {name} {{",
                if is_async { "async " } else { "" }
            ));
            let last = self.steps() - 1;
            for s in 0..last {
                o.l(&format!("await {};", self.timer("call", s)));
            }
            let ret = if is_async { "return await " } else { "return " };
            if let Some(cond) = self.fail_cond(with_a) {
                o.open(&format!("if ({cond}) {{"));
                o.l(&format!("{ret}{};", self.timer("fail", last)));
                o.close("}");
            }
            o.l(&format!("{ret}{};", self.timer("call", last)));
            o.close("}");
        }
        if !wrapped {
            return;
        }
        let one = |a: &str| {
            let attempt = if need_attempt {
                format!("attempt(i, {a})")
            } else {
                self.timer("call", 0)
            };
            match self.timeout {
                Some(to) => format!("timeout({attempt}, {to})"),
                None => attempt,
            }
        };
        if self.attempts == 1 {
            o.open("function task(i) {");
            o.l(&format!("return {};", one("0")));
            o.close("}");
            return;
        }
        match self.backoff {
            Backoff::Fixed => {
                o.open("function task(i) {");
                if need_attempt {
                    o.l("let a = -1;");
                    o.open(&format!(
                        "return retry({}, {}, () => {{",
                        self.attempts, self.delay_ms
                    ));
                    o.l("a += 1;");
                    o.l(&format!("return {};", one("a")));
                    o.close("});");
                } else {
                    o.l(&format!(
                        "return retry({}, {}, () => {});",
                        self.attempts,
                        self.delay_ms,
                        one("a")
                    ));
                }
                o.close("}");
            }
            Backoff::Exponential => {
                o.comment(
                    "retry(n, ms, f) waits the same delay every time; the delay doubles here, \
                     so the loop is written out.",
                );
                o.open("async function task(i) {");
                o.l(&format!("let delay = {};", self.delay_ms));
                o.open(&format!("for (const a of range({})) {{", self.attempts));
                o.open("if (a > 0) {");
                o.l("await sleep(delay);");
                o.l("delay = delay * 2;");
                o.close("}");
                o.open("try {");
                o.l(&format!("return await {};", one("a")));
                o.close("} catch (e) {");
                o.depth += 1;
                o.open(&format!("if (a == {}) {{", self.attempts - 1));
                o.l("throw e;");
                o.close("}");
                o.close("}");
                o.close("}");
                o.close("}");
            }
        }
    }
}

/// Strategies the group deadline is written around (the predictor caps these; blocking on a
/// result cannot be interrupted, and firing and forgetting returns at once).
fn takes_deadline(s: Strategy) -> bool {
    !matches!(s, Strategy::FireAndForget | Strategy::BlockOnResult)
}

/// A strategy's code: lines before the timed part, the timed body, and lines after the log.
#[derive(Default)]
struct Body {
    /// What the strategy does and what the language leaves out.
    comment: Vec<String>,
    /// Declarations before `t0`'s timed part (counters the log reads after).
    pre: Vec<String>,
    /// The timed part (written inside `run()` when there is a group deadline).
    body: Vec<String>,
    /// The body may throw (and is then wrapped in try/catch).
    throws: bool,
    /// Lines after the elapsed-time log.
    after: Vec<String>,
}

fn async_program(o: &mut Out, work: &AsyncWork) {
    let plan = Plan::new(work);
    let calls = Calls::new(work, &plan);
    calls.setup(o, work);
    for &s in &work.strategies {
        o.blank();
        strategy(o, &calls, s);
    }
}

/// Writes one strategy's block.
fn strategy(o: &mut Out, c: &Calls, s: Strategy) {
    let b = strategy_body(c, s);
    let title = s.title();
    o.comment(&format!("{title}."));
    for line in &b.comment {
        o.comment(line);
    }
    let deadline = c.deadline.filter(|_| takes_deadline(s));
    let uses_cancel = deadline.is_some() && b.body.iter().any(|l| l.contains("cancelled"));
    o.open("{");
    if uses_cancel {
        o.l("let cancelled = false;");
    }
    for line in &b.pre {
        o.l(line);
    }
    o.l("const t0 = now();");
    let catch = |o: &mut Out, cancel: bool| {
        o.close("} catch (e) {");
        o.depth += 1;
        if cancel {
            o.l("cancelled = true;");
        }
        o.l("console.log(\"  \" + e.name + \":\", e.message);");
        o.close("}");
    };
    if let Some(g) = deadline {
        o.open("async function run() {");
        for line in &b.body {
            o.l(line);
        }
        o.close("}");
        o.open("try {");
        o.l(&format!("await timeout(run(), {g});"));
        catch(o, uses_cancel);
    } else if b.throws && c.errors() {
        o.open("try {");
        for line in &b.body {
            o.l(line);
        }
        catch(o, false);
    } else {
        for line in &b.body {
            o.l(line);
        }
    }
    o.l(&format!(
        "console.log({}, now() - t0, \"ms\");",
        lit(&format!("{title}:"))
    ));
    for line in &b.after {
        o.l(line);
    }
    o.close("}");
}

/// Lines of a block: `open` … `close` with `inner` indented.
fn block(open: &str, inner: &[String], close: &str) -> Vec<String> {
    let mut out = vec![open.to_string()];
    out.extend(inner.iter().map(|l| format!("  {l}")));
    out.push(close.to_string());
    out
}

fn strategy_body(c: &Calls, s: Strategy) -> Body {
    let n = c.n;
    let task = c.task();
    let deadline = c.deadline.is_some() && takes_deadline(s);
    let check = || -> Vec<String> {
        if deadline {
            block("if (cancelled) {", &["break;".into()], "}")
        } else {
            Vec::new()
        }
    };
    let mut b = Body::default();
    // Calls that keep running when a group gives up or wins early: a plain timer can be
    // cancelled, a wrapped call cannot.
    let cancellable = c.steps() == 1 && !c.wrapped();
    match s {
        Strategy::Sequential => {
            b.comment.push(
                "Each call starts only when the one before it has finished; an error ends the loop."
                    .into(),
            );
            let mut inner = check();
            inner.push(format!("await {task};"));
            b.body = block(&format!("for (const i of range({n})) {{"), &inner, "}");
            b.throws = true;
        }
        Strategy::AllAtOnce { fail_fast: false } => {
            b.comment
                .push("Start every call, then await them together (Task.WhenAll).".into());
            b.body
                .push(format!("const calls = range({n}).map(i => {task});"));
            if c.errors() {
                b.comment.push(
                    "allSettled waits for every call and keeps every error, as WhenAll's \
                     AggregateException does."
                        .into(),
                );
                b.body
                    .push("const settled = await Promise.allSettled(calls);".into());
                b.body.push(format!(
                    "console.log(\"  failed:\", settled.filter(r => r.status == \"rejected\").length, \"of {n}\");"
                ));
            } else {
                b.body.push("await Promise.all(calls);".into());
            }
        }
        Strategy::AllAtOnce { fail_fast: true } => {
            b.comment.push(
                "Start every call; Promise.all gives up at the first error while the other calls \
                 keep running, their results unobserved."
                    .into(),
            );
            b.body
                .push(format!("const calls = range({n}).map(i => {task});"));
            b.body.push("await Promise.all(calls);".into());
            b.throws = true;
        }
        Strategy::FirstWins { cancel_rest } => {
            if n == 0 {
                b.comment.push(
                    "No calls to race: Promise.race of nothing would never settle, so nothing \
                     is awaited."
                        .into(),
                );
                return b;
            }
            b.comment.push(
                "Start every call and continue with the first to settle (Task.WhenAny).".into(),
            );
            if cancel_rest {
                if cancellable {
                    b.comment
                        .push("Promise.race cancels the calls that lose the race.".into());
                } else {
                    b.comment.push(
                        "Promise.race cancels only plain timers: these calls are wrapped \
                         (steps, a timeout or retries), so the ones that lose keep running; \
                         the language has no cancellation token to hand them."
                            .into(),
                    );
                }
                b.body.push(format!(
                    "const winner = await Promise.race(range({n}).map(i => {task}));"
                ));
            } else {
                b.comment.push(
                    "Promise.race here would cancel the calls that lose; awaiting each inside an \
                     async function of its own keeps them running, as Task.WhenAny does."
                        .into(),
                );
                b.body.extend(block(
                    "async function keep(i) {",
                    &[format!("return await {task};")],
                    "}",
                ));
                b.body.push(format!(
                    "const winner = await Promise.race(range({n}).map(i => keep(i)));"
                ));
            }
            b.throws = true;
        }
        Strategy::Throttled { limit } => {
            b.comment.push(format!(
                "At most {limit} calls in flight (SemaphoreSlim({limit})): each freed slot takes \
                 the next call."
            ));
            throttled(c, &mut b, limit.max(1), deadline);
        }
        Strategy::WorkerPerCall => {
            b.comment.push(format!(
                "Each call parks a worker of its own while it waits (sync over async), at most \
                 {MAX_WORKERS} at once. The language's workers take CPU jobs, not waits, so a \
                 worker blocked on a call cannot be written: what it costs in time is the pool's \
                 size, written as limit({MAX_WORKERS}, …); the threads it holds are left out."
            ));
            throttled(c, &mut b, MAX_WORKERS, deadline);
        }
        Strategy::Streaming { concurrent: false } => {
            b.pre.push("let first = null;".into());
            let use_first = block(
                "if (first === null) {",
                &["first = now() - t0;".into()],
                "}",
            );
            if c.plain() && c.uniform {
                let ms = c.ms(0);
                b.comment.push(format!(
                    "A producer hands over each result as soon as it exists (await foreach): \
                     ticks({n}, {ms}) is the language's stream, one value every {ms} ms."
                ));
                let mut inner = check();
                inner.extend(use_first);
                b.body = block(
                    &format!("for await (const tick of ticks({n}, {ms})) {{"),
                    &inner,
                    "}",
                );
            } else {
                b.comment.push(
                    "A producer awaits the calls one by one and hands each result over as soon \
                     as it exists (await foreach). The language's only stream, ticks(n, ms), \
                     has one fixed interval, so the producer is written as a loop."
                        .into(),
                );
                let mut inner = check();
                inner.push(format!("await {task};"));
                inner.extend(use_first);
                b.body = block(&format!("for (const i of range({n})) {{"), &inner, "}");
                b.throws = true;
            }
            b.after
                .push("console.log(\"  first result used after\", first, \"ms\");".into());
        }
        Strategy::Streaming { concurrent: true } => {
            b.comment.push(
                "All calls start together and each result is used the moment its call \
                 finishes, in completion order (Task.WhenEach)."
                    .into(),
            );
            b.pre.push("let first = null;".into());
            let mut inner = Vec::new();
            if c.errors() {
                inner.push("try {".into());
                inner.push("  await p;".into());
                inner.push("} catch (e) {".into());
                inner.push("  return;".into());
                inner.push("}".into());
            } else {
                inner.push("await p;".into());
            }
            inner.extend(block(
                "if (first === null) {",
                &["first = now() - t0;".into()],
                "}",
            ));
            b.body
                .extend(block("async function consume(p) {", &inner, "}"));
            b.body.push(format!(
                "await Promise.all(range({n}).map(i => consume({task})));"
            ));
            b.after
                .push("console.log(\"  first result used after\", first, \"ms\");".into());
        }
        Strategy::FireAndForget => {
            b.comment.push(
                "A mistake: the calls are started and never awaited, so the caller \"finishes\" \
                 at once."
                    .into(),
            );
            if c.errors() {
                b.comment.push(
                    "An error they raise reaches no one (the run reports it at the end as an \
                     unhandled rejection)."
                        .into(),
                );
            }
            b.body = block(
                &format!("for (const i of range({n})) {{"),
                &[format!("{task}; // not awaited")],
                "}",
            );
        }
        Strategy::SharedCounter { safe } => {
            b.pre.push("let count = 0;".into());
            let inner: Vec<String> = if safe {
                b.comment.push(
                    "The fix: await first, then update in one synchronous step nothing can \
                     interleave."
                        .into(),
                );
                vec![format!("await {task};"), "count += 1;".into()]
            } else {
                b.comment.push(
                    "A mistake: read the counter, await, write back what was read plus one; \
                     every write overwrites the others (a race on one thread)."
                        .into(),
                );
                vec![
                    "const seen = count;".into(),
                    format!("await {task};"),
                    "count = seen + 1;".into(),
                ]
            };
            b.body
                .extend(block("async function increment(i) {", &inner, "}"));
            let all = if c.errors() { "allSettled" } else { "all" };
            b.body.push(format!(
                "await Promise.{all}(range({n}).map(i => increment(i)));"
            ));
            b.after
                .push(format!("console.log(\"  count:\", count, \"of {n}\");"));
        }
        Strategy::BlockOnResult => {
            if n == 0 {
                b.comment
                    .push("No call to block on: nothing is awaited.".into());
                return b;
            }
            b.comment.push(format!(
                "A mistake: block the one event loop until the first call's result arrives \
                 (.Result). The result can only arrive on the blocked loop, so it would wait \
                 forever; a watchdog gives up after {WATCHDOG_MS} ms. The language cannot block \
                 on a promise, so spin({WATCHDOG_MS}) stands for the busy wait up to the \
                 watchdog."
            ));
            let first = if c.plain() {
                c.timer_at("call", 0, "0")
            } else {
                "task(0)".into()
            };
            b.body.push(format!("const pending = {first};"));
            b.body.push(format!("spin({WATCHDOG_MS});"));
            b.after.push("try {".into());
            b.after.push("  await pending;".into());
            b.after.push("} catch (e) {".into());
            b.after
                .push("  console.log(\"  \" + e.name + \":\", e.message);".into());
            b.after.push("}".into());
        }
    }
    b
}

/// The body of a throttled strategy: `limit(k, jobs)`, each job catching its call's error so
/// one failure does not stop the others.
fn throttled(c: &Calls, b: &mut Body, k: u32, deadline: bool) {
    let n = c.n;
    let task = c.task();
    if !c.errors() && !deadline {
        b.body
            .push(format!("const jobs = range({n}).map(i => () => {task});"));
        b.body.push(format!("await limit({k}, jobs);"));
        return;
    }
    let mut inner = Vec::new();
    if deadline {
        inner.extend(block("if (cancelled) {", &["return;".into()], "}"));
    }
    if c.errors() {
        b.pre.push("let failed = 0;".into());
        b.comment.push(
            "limit() stops at the first error; each job catches its own, so one failure does \
             not stop the others."
                .into(),
        );
        inner.push("try {".into());
        inner.push(format!("  await {task};"));
        inner.push("} catch (e) {".into());
        inner.push("  failed += 1;".into());
        inner.push("}".into());
        b.after
            .push(format!("console.log(\"  failed:\", failed, \"of {n}\");"));
    } else {
        inner.push(format!("await {task};"));
    }
    b.body.extend(block(
        &format!("const jobs = range({n}).map(i => async () => {{"),
        &inner,
        "});",
    ));
    b.body.push(format!("await limit({k}, jobs);"));
}

// ----- CPU scenarios -----

/// The kernel as one job expression (`primes(…)`, `mandelbrot(…)`); `None` for burns, which
/// are a list of items.
fn kernel_job(kernel: &Kernel) -> Option<String> {
    match kernel {
        Kernel::Primes { limit } => Some(format!("primes({limit})")),
        Kernel::Mandelbrot { spec } => Some(format!(
            "mandelbrot({}, {}, {})",
            spec.width, spec.height, spec.max_iter
        )),
        Kernel::Burn { .. } => None,
    }
}

/// The burn items: a loop when they are equal, a list otherwise.
struct Burns {
    ms: Vec<u32>,
}

impl Burns {
    fn uniform(&self) -> bool {
        self.ms.windows(2).all(|w| w[0] == w[1])
    }

    /// The head of a loop over the items and the ms of item `i` inside it.
    fn each(&self) -> (String, String) {
        if self.uniform() {
            let ms = self.ms.first().copied().unwrap_or(0);
            (
                format!("for (const i of range({})) {{", self.ms.len()),
                ms.to_string(),
            )
        } else {
            ("for (const ms of burns) {".into(), "ms".into())
        }
    }

    /// Every item as a job closure for `limit`.
    fn jobs(&self) -> String {
        if self.uniform() {
            let ms = self.ms.first().copied().unwrap_or(0);
            format!(
                "range({}).map(i => () => worker(burn({ms})))",
                self.ms.len()
            )
        } else {
            "burns.map(ms => () => worker(burn(ms)))".into()
        }
    }
}

fn cpu_program(o: &mut Out, spec: &CpuSpec) {
    let workers = if spec.workers == 0 {
        ASSUMED_WORKERS
    } else {
        spec.workers.clamp(1, MAX_WORKERS)
    };
    let resolved = CpuSpec {
        workers,
        ..spec.clone()
    };
    o.comment(&format!(
        "Written from the scenario's fields: {}.",
        flat(&spec.kernel.describe())
    ));
    if spec.workers == 0 {
        o.comment(&format!(
            "The scenario uses as many workers as the machine has cores; the language cannot ask \
             for the count, so this program assumes {ASSUMED_WORKERS} (the virtual clock's pool)."
        ));
    } else {
        o.comment(&format!(
            "{} for the parallel ways. The pool is the page's (the virtual clock has \
             {ASSUMED_WORKERS}): limit(k, …) keeps at most k jobs running, parallel(n, …) \
             cuts the work into n parts.",
            plural(workers as usize, "worker", "workers")
        ));
    }
    if let Kernel::Burn { ms } = &spec.kernel {
        let b = Burns { ms: ms.clone() };
        if !b.uniform() {
            let items: Vec<String> = ms.iter().map(u32::to_string).collect();
            o.list("burns", &items);
        }
    }
    for &mode in &spec.modes {
        o.blank();
        cpu_mode(o, &resolved, mode);
    }
}

/// The parts the shared queue cuts the kernel into (the CPU plan's chunks, at most what
/// `parallel` takes).
fn queue_parts(spec: &CpuSpec) -> (usize, usize) {
    let chunks = CpuPlan::new(spec, CpuMode::Dynamic).pieces.len();
    (chunks, chunks.clamp(1, MAX_PARALLEL_PARTS))
}

fn cpu_mode(o: &mut Out, spec: &CpuSpec, mode: CpuMode) {
    let w = spec.workers;
    let title = mode.title(w);
    o.comment(&format!("{title}."));
    let job = kernel_job(&spec.kernel);
    let burns = match &spec.kernel {
        Kernel::Burn { ms } => Some(Burns { ms: ms.clone() }),
        _ => None,
    };
    let mut body: Vec<String> = Vec::new();
    match mode {
        CpuMode::MainThread => {
            let cost = match &spec.kernel {
                Kernel::Burn { ms } => ms.iter().map(|&m| f64::from(m)).sum(),
                Kernel::Primes { limit } => default_job_cost(&Job::CountPrimes {
                    start: 0,
                    end: *limit,
                }),
                Kernel::Mandelbrot { spec: m } => default_job_cost(&Job::Mandelbrot {
                    spec: *m,
                    rows_start: 0,
                    rows_end: m.height,
                }),
            };
            let capped = cost.clamp(0.0, MAIN_THREAD_CAP_MS).round();
            let mut note = match &spec.kernel {
                Kernel::Burn { .. } => format!(
                    "The page's own thread runs every item in turn and freezes meanwhile: \
                     spin(ms) blocks the loop for {} ms in all.",
                    cost
                ),
                _ => format!(
                    "The page's own thread does the work and freezes meanwhile. The language \
                     computes only on workers; spin(ms) blocks the loop for as long as the \
                     virtual clock says this work takes ({} ms).",
                    cost.round()
                ),
            };
            if cost > MAIN_THREAD_CAP_MS {
                note.push_str(&format!(
                    " The app stops a main-thread run after {MAIN_THREAD_CAP_MS} ms, so this \
                     spins for {capped} ms."
                ));
            }
            o.comment(&note);
            body.push(format!("spin({capped});"));
        }
        CpuMode::OneWorker => {
            if let Some(job) = &job {
                o.comment("One worker does it all (Task.Run): the page stays free, no faster.");
                body.push(format!("await worker({job});"));
            } else if let Some(b) = &burns {
                o.comment(
                    "One worker runs the items one after another (Task.Run over a loop): the \
                     page stays free, no faster.",
                );
                let (head, ms) = b.each();
                body.extend(block(&head, &[format!("await worker(burn({ms}));")], "}"));
            }
        }
        CpuMode::Static => {
            if let Some(job) = &job {
                o.comment(&format!(
                    "parallel({w}, …) cuts the work into {w} equal ranges, one per worker \
                     (Parallel.For's static split); the upper ranges may cost more."
                ));
                body.push(format!("await parallel({w}, {job});"));
            } else if let Some(b) = &burns {
                o.comment(&format!(
                    "The items are dealt out in {w} fixed runs, one per worker, each run one \
                     item after another (a static split)."
                ));
                let plan = CpuPlan::new(spec, CpuMode::Static);
                let lanes: Vec<Vec<usize>> = match plan.assignment {
                    crate::cpu::Assignment::Fixed(l) => l,
                    crate::cpu::Assignment::Queue { .. } => vec![(0..b.ms.len()).collect()],
                };
                body.extend(block(
                    "async function run(items) {",
                    &block(
                        "for (const ms of items) {",
                        &["await worker(burn(ms));".into()],
                        "}",
                    ),
                    "}",
                ));
                let runs: Vec<String> = lanes
                    .iter()
                    .map(|ids| {
                        let items: Vec<String> = ids.iter().map(|&i| b.ms[i].to_string()).collect();
                        format!("run([{}])", items.join(", "))
                    })
                    .collect();
                let line = format!("await Promise.all([{}]);", runs.join(", "));
                if line.len() <= LINE_WIDTH {
                    body.push(line);
                } else {
                    body.push("await Promise.all([".into());
                    for r in &runs {
                        body.push(format!("  {r},"));
                    }
                    body.push("]);".into());
                }
            }
        }
        CpuMode::Dynamic => {
            o.comment(&queue_comment(spec, job.is_some()));
            body.extend(queue_body(spec, job.as_deref(), burns.as_ref()));
        }
        CpuMode::Pipeline => {
            o.comment(&format!(
                "{PIPELINE_CYCLES} rounds of: fetch ({PIPELINE_FETCH_MS} ms of I/O), process on \
                 the workers, save ({PIPELINE_SAVE_MS} ms of I/O), then a pause of \
                 {PIPELINE_WAIT_MS} ms between rounds: async for the waits, parallel for the \
                 computing."
            ));
            o.comment(&queue_comment(spec, job.is_some()));
            let mut inner = vec![format!(
                "await call(\"fetch orders\", {PIPELINE_FETCH_MS});"
            )];
            inner.extend(queue_body(spec, job.as_deref(), burns.as_ref()));
            inner.push(format!("await call(\"save changes\", {PIPELINE_SAVE_MS});"));
            inner.extend(block(
                &format!("if (round < {}) {{", PIPELINE_CYCLES.saturating_sub(1)),
                &[format!("await sleep({PIPELINE_WAIT_MS});")],
                "}",
            ));
            body.extend(block(
                &format!("for (const round of range({PIPELINE_CYCLES})) {{"),
                &inner,
                "}",
            ));
        }
    }
    o.open("{");
    o.l("const t0 = now();");
    for line in &body {
        o.l(line);
    }
    o.l(&format!(
        "console.log({}, now() - t0, \"ms\");",
        lit(&format!("{title}:"))
    ));
    o.close("}");
}

fn queue_comment(spec: &CpuSpec, cut: bool) -> String {
    let w = spec.workers;
    if cut {
        let (chunks, parts) = queue_parts(spec);
        let mut s = format!(
            "A shared queue of chunks: parallel({parts}, …) cuts the work into {parts} parts and \
             whichever worker is free takes the next (the partitioner). The queue is the page's \
             pool; the scenario's {w} workers are its size."
        );
        if chunks > parts {
            s.push_str(&format!(
                " The scenario cuts {chunks} chunks; parallel() takes at most {MAX_PARALLEL_PARTS}."
            ));
        }
        s
    } else {
        format!(
            "A shared queue: limit({w}, …) keeps {w} workers busy, each taking the next item as \
             soon as it is free."
        )
    }
}

fn queue_body(spec: &CpuSpec, job: Option<&str>, burns: Option<&Burns>) -> Vec<String> {
    match (job, burns) {
        (Some(job), _) => {
            let (_, parts) = queue_parts(spec);
            vec![format!("await parallel({parts}, {job});")]
        }
        (None, Some(b)) => vec![format!("await limit({}, {});", spec.workers, b.jobs())],
        (None, None) => Vec::new(),
    }
}

#[cfg(test)]
#[path = "from_scenario_tests.rs"]
mod tests;
