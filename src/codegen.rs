//! The code panel: the scenario on screen written out in C#, JavaScript, Python and Rust, with
//! the experiment's own numbers (durations, counts, limits, timeouts, attempts, delays, worker
//! counts, the prime limit), so what a reader copies is what they just watched run.
//!
//! Pure text generation: no web types, tested natively. Each language gets one shared "Setup"
//! snippet (the simulated call, or the CPU kernel) and then one snippet per strategy or CPU mode,
//! in the order the scenario lists them. Behaviour (jitter, failures, timeouts, retries, a group
//! deadline) shows up only when the scenario has it, so the default experiment stays short.

use crate::cpu::kernels::{MandelbrotSpec, MANDELBROT_IM, MANDELBROT_RE};
use crate::cpu::partition::CHUNKS_PER_WORKER;
use crate::cpu::{
    CpuMode, CpuSpec, Kernel, PIPELINE_CYCLES, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS,
    PIPELINE_WAIT_MS,
};
use crate::model::scenario::{
    Backoff, Experiment, FailRule, Scenario, Step, Strategy, Workload, MAX_ATTEMPTS, MAX_WORKERS,
};

/// A language of the code panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// C# (.NET 8 or later, top-level statements), the language of the articles.
    CSharp,
    /// JavaScript in the browser (ES2022 modules: top-level await, Web Workers).
    JavaScript,
    /// Python 3.11 or later: asyncio and concurrent.futures.
    Python,
    /// Rust with tokio, futures and rayon.
    Rust,
}

impl Lang {
    /// Every language, in the order the panel shows them.
    pub const ALL: [Lang; 4] = [Lang::CSharp, Lang::JavaScript, Lang::Python, Lang::Rust];

    /// Stable identifier (tab value, CSS class, syntax-highlighting hint).
    pub fn id(self) -> &'static str {
        match self {
            Lang::CSharp => "csharp",
            Lang::JavaScript => "javascript",
            Lang::Python => "python",
            Lang::Rust => "rust",
        }
    }

    /// The language whose [`Lang::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.id() == id)
    }

    /// Human title of the tab.
    pub fn title(self) -> &'static str {
        match self {
            Lang::CSharp => "C#",
            Lang::JavaScript => "JavaScript",
            Lang::Python => "Python",
            Lang::Rust => "Rust",
        }
    }
}

/// One snippet: a heading (the strategy or mode title) and the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// "Setup" for the shared definitions, else the strategy's or mode's title.
    pub title: String,
    /// The code, lines joined by `\n`, without a trailing newline.
    pub code: String,
}

/// Title of the shared snippet that every other snippet of a language builds on.
const SETUP: &str = "Setup";

/// The code for every strategy (async scenarios) or every CPU mode (cpu scenarios) of
/// `scenario`, in `lang`, in the order the scenario lists them. Preceded by one shared snippet
/// titled "Setup" that defines the simulated call (with the scenario's steps, jitter, failures,
/// per-attempt timeout and retries, when it has them) or the CPU kernel.
///
/// CPU scenarios with `workers == 0` write the machine's core count
/// (`Environment.ProcessorCount`, `navigator.hardwareConcurrency`, ...); pass a spec resolved
/// with [`CpuSpec::resolved`] to write the browser's worker count instead.
pub fn snippets(scenario: &Scenario, lang: Lang) -> Vec<Snippet> {
    if let Some(spec) = &scenario.cpu {
        let cpu = Cpu::new(scenario.experiment, spec);
        let mut out = vec![Snippet {
            title: SETUP.into(),
            code: cpu.setup(lang),
        }];
        out.extend(spec.modes.iter().map(|&mode| Snippet {
            title: mode_title(mode, spec.workers),
            code: cpu.mode(mode, lang),
        }));
        return out;
    }
    let ctx = Ctx::new(scenario);
    let mut out = vec![Snippet {
        title: SETUP.into(),
        code: ctx.setup(lang),
    }];
    out.extend(scenario.strategies.iter().map(|&s| Snippet {
        title: s.title(),
        code: ctx.strategy(s, lang),
    }));
    out
}

/// [`CpuMode::title`], with "N workers" rather than "0 workers" when the count is left to the
/// machine.
fn mode_title(mode: CpuMode, workers: u32) -> String {
    let title = mode.title(workers);
    if workers == 0 {
        title.replace("0 workers", "N workers")
    } else {
        title
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Lines of code under construction, indented by the language's own unit.
struct Out {
    lang: Lang,
    lines: Vec<String>,
    depth: usize,
}

impl Out {
    fn new(lang: Lang) -> Out {
        Out {
            lang,
            lines: Vec::new(),
            depth: 0,
        }
    }

    fn unit(&self) -> &'static str {
        // Prettier's two spaces for JavaScript; the others' formatters use four.
        if self.lang == Lang::JavaScript {
            "  "
        } else {
            "    "
        }
    }

    /// Adds `text` line by line at the current depth, keeping its own relative indentation.
    fn l(&mut self, text: &str) {
        let pad = self.unit().repeat(self.depth);
        for line in text.lines() {
            if line.trim().is_empty() {
                self.lines.push(String::new());
            } else {
                self.lines.push(format!("{pad}{line}"));
            }
        }
    }

    /// Adds `text` when there is one.
    fn l_opt(&mut self, text: Option<String>) {
        if let Some(t) = text {
            self.l(&t);
        }
    }

    /// Adds `text` one level deeper (a loop body without braces).
    fn under(&mut self, text: &str) {
        self.depth += 1;
        self.l(text);
        self.depth -= 1;
    }

    /// Adds `text`, then indents what follows.
    fn open(&mut self, text: &str) {
        self.l(text);
        self.depth += 1;
    }

    /// Ends an indented block with `text`.
    fn close(&mut self, text: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.l(text);
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// A comment wrapped to a readable width, with the language's marker.
    fn comment(&mut self, text: &str) {
        let marker = if self.lang == Lang::Python { "#" } else { "//" };
        self.marked(marker, text);
    }

    /// A Rust doc comment (`///`), wrapped.
    fn doc(&mut self, text: &str) {
        self.marked("///", text);
    }

    fn marked(&mut self, marker: &str, text: &str) {
        let mut line = String::new();
        for word in text.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > 88 {
                self.l(&format!("{marker} {line}"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            self.l(&format!("{marker} {line}"));
        }
    }

    /// A Python docstring, wrapped when it does not fit on one line.
    fn docstring(&mut self, text: &str) {
        let width = 88usize
            .saturating_sub(self.unit().len() * self.depth + 6)
            .max(40);
        let mut lines: Vec<String> = vec![String::new()];
        for word in text.split_whitespace() {
            let last = lines.last_mut().expect("one line at least");
            if !last.is_empty() && last.len() + 1 + word.len() > width {
                lines.push(word.to_string());
            } else {
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(word);
            }
        }
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            let open = if i == 0 { "\"\"\"" } else { "" };
            let close = if i + 1 == n { "\"\"\"" } else { "" };
            self.l(&format!("{open}{line}{close}"));
        }
    }

    /// Writes `line(expr)`, or, when that would be too wide to read, binds `expr` to `name`
    /// first and writes `line(name)`.
    fn bind(&mut self, name: &str, expr: &str, line: impl Fn(&str) -> String) {
        let full = line(expr);
        if self.unit().len() * self.depth + full.len() <= 92 {
            self.l(&full);
            return;
        }
        let decl = match self.lang {
            Lang::CSharp => format!("var {name} = {expr};"),
            Lang::JavaScript => format!("const {name} = {expr};"),
            Lang::Python => format!("{name} = {expr}"),
            Lang::Rust => format!("let {name} = {expr};"),
        };
        self.l(&decl);
        self.l(&line(name));
    }

    /// C#: `{head}{chain}{tail}`, with the LINQ chain broken before `.Select(` when too wide.
    fn chain(&mut self, head: &str, chain: &str, tail: &str) {
        let full = format!("{head}{chain}{tail}");
        match chain.find(".Select(") {
            Some(at) if self.unit().len() * self.depth + full.len() > 92 => {
                self.l(&format!("{head}{}", &chain[..at]));
                self.under(&chain[at..]);
                self.under(tail);
            }
            _ => self.l(&full),
        }
    }

    /// Runs `body` inside try/catch when `on`, with `handler` as the catch block (`e` in C# and
    /// Python, `err` in JavaScript). Rust has no exceptions: `body` runs as is.
    fn guard(&mut self, on: bool, body: impl FnOnce(&mut Out), handler: &[&str]) {
        self.guard_as(on, "catch (Exception e)", body, handler);
    }

    /// [`Out::guard`] with C#'s catch clause given.
    fn guard_as(
        &mut self,
        on: bool,
        cs_catch: &str,
        body: impl FnOnce(&mut Out),
        handler: &[&str],
    ) {
        if !on || self.lang == Lang::Rust {
            body(self);
            return;
        }
        match self.lang {
            Lang::CSharp => {
                self.l("try");
                self.open("{");
                body(self);
                self.close("}");
                self.l(cs_catch);
                self.open("{");
                handler.iter().for_each(|h| self.l(h));
                self.close("}");
            }
            Lang::JavaScript => {
                self.open("try {");
                body(self);
                self.close("} catch (err) {");
                self.depth += 1;
                handler.iter().for_each(|h| self.l(h));
                self.close("}");
            }
            Lang::Python | Lang::Rust => {
                self.open("try:");
                body(self);
                self.close("except Exception as e:");
                self.depth += 1;
                handler.iter().for_each(|h| self.l(h));
                self.depth -= 1;
            }
        }
    }

    fn done(self) -> String {
        let mut lines = self.lines;
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}

/// `n` with `_` between groups of three digits from 10,000 up (`5_000_000`), which all four
/// languages accept in numeric literals.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    if n < 10_000 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// Milliseconds as Python seconds: `2500` -> `2.5`, `2000` -> `2`.
fn secs(ms: u32) -> String {
    if ms.is_multiple_of(1000) {
        return (ms / 1000).to_string();
    }
    let s = format!("{:.3}", f64::from(ms) / 1000.0);
    s.trim_end_matches('0').to_string()
}

/// A step label made safe for a line comment: letters, digits and a little punctuation.
fn label(step: &Step) -> String {
    let clean: String = step
        .label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.,:+/&".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() {
        "wait".into()
    } else {
        clean
    }
}

/// 0-based task indices as the 1-based call numbers people read: "2", "2 and 4", "1, 2 and 5".
fn call_numbers(ids: &[u32]) -> String {
    let n: Vec<String> = ids
        .iter()
        .map(|i| (u64::from(*i) + 1).to_string())
        .collect();
    match n.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `ids` joined with `sep`, as written in code (0-based).
fn id_list(ids: &[u32], sep: &str) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(sep)
}

// ---------------------------------------------------------------------------------------------
// Lists of milliseconds, written compactly

/// A stretch of a list: values written one by one, or one value repeated.
enum Part {
    Items(Vec<u32>),
    Run(u32, usize),
}

/// Shortest run written as a repetition rather than value by value.
const MIN_RUN: usize = 4;
/// Most elements (values or runs) a list may have and still be written inside each snippet;
/// longer lists are declared once, in the setup.
const MAX_INLINE_ELEMENTS: usize = 12;
/// Elements per line when a long list is wrapped.
const PER_LINE: usize = 10;

fn parts(values: &[u32]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let run = values[i..].iter().take_while(|&&v| v == values[i]).count();
        if run >= MIN_RUN {
            out.push(Part::Run(values[i], run));
        } else if let Some(Part::Items(items)) = out.last_mut() {
            items.extend_from_slice(&values[i..i + run]);
        } else {
            out.push(Part::Items(values[i..i + run].to_vec()));
        }
        i += run;
    }
    out
}

fn element_count(values: &[u32]) -> usize {
    parts(values)
        .iter()
        .map(|p| match p {
            Part::Items(v) => v.len(),
            Part::Run(..) => 1,
        })
        .sum()
}

/// True when a list is too long to repeat in every snippet.
fn is_long(values: &[u32]) -> bool {
    element_count(values) > MAX_INLINE_ELEMENTS
}

/// `open e1, e2, … close` on one line, or wrapped [`PER_LINE`] to a line when long.
fn render(lang: Lang, open: &str, elems: &[String], close: &str, pad: bool) -> String {
    let sp = if pad { " " } else { "" };
    let one = format!("{open}{sp}{}{sp}{close}", elems.join(", "));
    if one.len() <= 88 {
        return one;
    }
    let unit = if lang == Lang::JavaScript {
        "  "
    } else {
        "    "
    };
    let mut out = format!("{open}\n");
    for chunk in elems.chunks(PER_LINE) {
        out.push_str(&format!("{unit}{},\n", chunk.join(", ")));
    }
    out.push_str(close);
    out
}

/// The expression of a list of ms in `lang`. Rust writes a `Vec` when `rust_vec`, else an array
/// when it can.
fn list_expr(lang: Lang, values: &[u32], rust_vec: bool) -> String {
    let ps = parts(values);
    let item = |v: &u32| v.to_string();
    match (lang, ps.as_slice()) {
        (Lang::CSharp, []) => "Array.Empty<int>()".into(),
        (Lang::JavaScript | Lang::Python, []) => "[]".into(),
        (Lang::Rust, []) => "Vec::<u64>::new()".into(),
        (Lang::CSharp, [Part::Run(v, n)]) => format!("Enumerable.Repeat({v}, {n}).ToArray()"),
        (Lang::JavaScript, [Part::Run(v, n)]) => format!("Array({n}).fill({v})"),
        (Lang::Python, [Part::Run(v, n)]) => format!("[{v}] * {n}"),
        (Lang::Rust, [Part::Run(v, n)]) => format!("vec![{v}; {n}]"),
        (Lang::CSharp, [Part::Items(v)]) => {
            let elems: Vec<String> = v.iter().map(item).collect();
            let one = render(lang, "new[] {", &elems, "}", true);
            if one.contains('\n') {
                render(lang, "[", &elems, "]", false)
            } else {
                one
            }
        }
        (Lang::Rust, [Part::Items(v)]) => {
            let elems: Vec<String> = v.iter().map(item).collect();
            let open = if rust_vec { "vec![" } else { "[" };
            render(lang, open, &elems, "]", false)
        }
        (Lang::Rust, ps) => {
            let elems: Vec<String> = ps
                .iter()
                .map(|p| match p {
                    Part::Items(v) => {
                        format!(
                            "vec![{}]",
                            v.iter().map(item).collect::<Vec<_>>().join(", ")
                        )
                    }
                    Part::Run(v, n) => format!("vec![{v}; {n}]"),
                })
                .collect();
            render(lang, "[", &elems, "].concat()", false)
        }
        (lang, ps) => {
            let elems: Vec<String> = ps
                .iter()
                .flat_map(|p| match p {
                    Part::Items(v) => v.iter().map(item).collect::<Vec<_>>(),
                    Part::Run(v, n) => vec![match lang {
                        Lang::CSharp => format!(".. Enumerable.Repeat({v}, {n})"),
                        Lang::JavaScript => format!("...Array({n}).fill({v})"),
                        _ => format!("*[{v}] * {n}"),
                    }],
                })
                .collect();
            render(lang, "[", &elems, "]", false)
        }
    }
}

/// A statement declaring the list `name` in `lang`.
fn list_decl(lang: Lang, name: &str, values: &[u32]) -> String {
    let expr = list_expr(lang, values, false);
    match lang {
        // A collection expression needs its type spelled out.
        Lang::CSharp if expr.starts_with('[') => format!("int[] {name} = {expr};"),
        Lang::CSharp => format!("var {name} = {expr};"),
        Lang::JavaScript => format!("const {name} = {expr};"),
        Lang::Python => format!("{name} = {expr}"),
        Lang::Rust => format!("let {name} = {expr};"),
    }
}

/// A long list declared once in the setup. Rust gets a function, since a `const` cannot be built
/// from repetitions; each snippet then binds it with `let name = name();`.
fn list_setup(lang: Lang, name: &str, values: &[u32]) -> String {
    match lang {
        Lang::Rust => {
            let expr = list_expr(lang, values, true);
            let body: String = expr.lines().map(|l| format!("    {l}\n")).collect();
            format!("fn {name}() -> Vec<u64> {{\n{body}}}")
        }
        _ => list_decl(lang, name, values),
    }
}

// ---------------------------------------------------------------------------------------------
// Async scenarios: the simulated call and the strategies

/// Where the calls' durations come from.
enum Src {
    /// `count` calls; each waits `ms`, or runs the scenario's steps when `ms` is `None`.
    Count { count: u32, ms: Option<u32> },
    /// One call per listed duration, in a list named `durations`; `shared` when the list is
    /// declared once in the setup.
    List { values: Vec<u32>, shared: bool },
}

/// Which calls fail, as the code writes it.
enum Fail {
    None,
    /// These calls (0-based) fail every attempt the scenario makes.
    Always(Vec<u32>),
    /// These calls fail their first `n` attempts, then succeed.
    First(Vec<u32>, u32),
    /// Each attempt fails with this chance, in percent.
    Chance(u32),
}

/// An async scenario, reduced to what the code needs to say.
struct Ctx {
    src: Src,
    /// The steps of one call for a stepped workload.
    steps: Option<Vec<Step>>,
    count: usize,
    fail: Fail,
    attempts: u32,
    delay_ms: u32,
    backoff: Backoff,
    timeout: Option<u32>,
    deadline: Option<u32>,
    jitter: u32,
    /// The call takes a cancellation token (C#) or an abort signal (JavaScript): a group
    /// deadline or a cancelling strategy needs one. Python and Rust cancel without one.
    token: bool,
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
    fn new(scenario: &Scenario) -> Ctx {
        let b = &scenario.behaviour;
        let attempts = b.retry.attempts.clamp(1, MAX_ATTEMPTS);
        let (src, steps) = match &scenario.workload {
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
            || scenario
                .strategies
                .contains(&Strategy::FirstWins { cancel_rest: true });
        Ctx {
            src,
            steps,
            count: scenario.workload.len(),
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
    fn wrapped(&self) -> bool {
        self.timeout.is_some() || self.attempts > 1
    }

    /// A call can end in an error by itself (a failure or its timeout).
    fn errors(&self) -> bool {
        !matches!(self.fail, Fail::None) || self.timeout.is_some()
    }

    /// The deadline written around strategy `s`, if any.
    fn group(&self, s: Strategy) -> Option<u32> {
        self.deadline.filter(|_| takes_deadline(s))
    }

    /// The call's `ms` argument in the setup's signature (none for stepped calls).
    fn has_ms(&self) -> bool {
        self.steps.is_none()
    }

    fn is_list(&self) -> bool {
        matches!(self.src, Src::List { .. })
    }

    /// The list's declaration at the top of a snippet, when it is short enough to repeat (or,
    /// in Rust, the binding of the setup's function).
    fn decl(&self, lang: Lang) -> Option<String> {
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
    fn len_expr(&self, lang: Lang) -> String {
        match (&self.src, lang) {
            (Src::Count { count, .. }, _) => count.to_string(),
            (Src::List { .. }, Lang::CSharp) => "durations.Length".into(),
            (Src::List { .. }, Lang::JavaScript) => "durations.length".into(),
            (Src::List { .. }, Lang::Python) => "len(durations)".into(),
            (Src::List { .. }, Lang::Rust) => "durations.len()".into(),
        }
    }

    /// The ms of call `i` by index (`durations[i]`), or the literal.
    fn ms_at_i(&self) -> Option<String> {
        match &self.src {
            Src::Count { ms, .. } => ms.map(|m| m.to_string()),
            Src::List { .. } => Some("durations[i]".into()),
        }
    }

    /// The call of index `i` in `lang`, with its ms and its token or signal.
    fn call(&self, lang: Lang, ms: Option<&str>, tok: Option<&str>) -> String {
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
    fn lp(&self, lang: Lang) -> (String, Option<String>) {
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
    fn each(&self, o: &mut Out, body: impl Fn(Option<&str>) -> Vec<String>) {
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
    fn map(&self, lang: Lang, body: impl Fn(Option<&str>) -> String) -> String {
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
    fn block(&self, lang: Lang, is_async: bool) -> (String, Option<String>) {
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

    /// Python: the parameters of a helper taking one call, the ms inside it, and the
    /// arguments that pass one call to it.
    fn py_one(&self) -> (&'static str, Option<String>, &'static str) {
        match &self.src {
            Src::Count { ms, .. } => ("i: int", ms.map(|m| m.to_string()), "i"),
            Src::List { .. } => ("i: int, ms: int", Some("ms".into()), "i, ms"),
        }
    }

    // -- comments shared by every language ----------------------------------------------------

    fn fail_comment(&self) -> String {
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

    fn retry_comment(&self) -> String {
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

    fn timeout_comment(&self, lang: Lang) -> String {
        let t = self.timeout.unwrap_or_default();
        let how = match lang {
            Lang::CSharp => "a TimeoutException (WaitAsync)",
            Lang::JavaScript => "a TimeoutError (AbortSignal.timeout)",
            Lang::Python => "a TimeoutError (asyncio.wait_for)",
            Lang::Rust => "an error (tokio::time::timeout)",
        };
        format!("Each attempt is abandoned after {t} ms with {how}.")
    }

    fn setup_comment(&self) -> String {
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

    fn setup(&self, lang: Lang) -> String {
        match lang {
            Lang::CSharp => self.cs_setup(),
            Lang::JavaScript => self.js_setup(),
            Lang::Python => self.py_setup(),
            Lang::Rust => self.rs_setup(),
        }
    }

    fn strategy(&self, s: Strategy, lang: Lang) -> String {
        match lang {
            Lang::CSharp => self.cs(s),
            Lang::JavaScript => self.js(s),
            Lang::Python => self.py(s),
            Lang::Rust => self.rs(s),
        }
    }
}

/// Why each strategy takes the time it does, or what goes wrong: the comment heading its snippet.
fn why(s: Strategy, lang: Lang, count: usize) -> String {
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
fn counter_note(safe: bool, errors: bool, count: usize) -> String {
    match (safe, errors) {
        (true, false) => format!("{count}: one update per call"),
        (true, true) => "one update per call that succeeded".into(),
        (false, false) if count > 1 => {
            format!("1, not {count}: every call read 0 before any wrote")
        }
        (false, _) => "every call read 0 before any wrote: updates were lost".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// C#

impl Ctx {
    fn cs_fail_check(&self) -> Option<(String, String)> {
        let ids_cond = |ids: &[u32]| {
            if ids.len() <= 6 {
                format!("id is {}", id_list(ids, " or "))
            } else {
                format!("new[] {{ {} }}.Contains(id)", id_list(ids, ", "))
            }
        };
        let cond = match &self.fail {
            Fail::None => return None,
            Fail::Always(ids) => ids_cond(ids),
            Fail::First(ids, n) => format!("{} && attempt <= {n}", ids_cond(ids)),
            Fail::Chance(p) => format!("Random.Shared.Next(100) < {p}"),
        };
        Some((
            format!("if ({cond})"),
            "throw new HttpRequestException($\"Call {id + 1} failed\");".into(),
        ))
    }

    fn cs_setup(&self) -> String {
        let mut o = Out::new(Lang::CSharp);
        if let Src::List {
            values,
            shared: true,
        } = &self.src
        {
            o.comment("The duration of each call, in ms.");
            o.l(&list_setup(Lang::CSharp, "durations", values));
            o.blank();
        }
        if self.jitter > 0 {
            let j = self.jitter;
            o.comment(&format!("Each wait varies by up to ± {j} ms."));
            o.l(&format!(
                "static int Jitter(int ms) => Math.Max(0, ms + Random.Shared.Next(-{j}, {}));",
                u64::from(j) + 1
            ));
            o.blank();
        }
        let ct = if self.token { ", ct" } else { "" };
        let jit = |ms: &str| {
            if self.jitter > 0 {
                format!("Jitter({ms})")
            } else {
                ms.to_string()
            }
        };
        let mut params = vec!["int id"];
        if self.has_ms() {
            params.push("int ms");
        }
        if matches!(self.fail, Fail::First(..)) {
            params.push("int attempt");
        }
        if self.token {
            params.push("CancellationToken ct = default");
        }
        let raw = if self.wrapped() {
            "CallOnceAsync"
        } else {
            "CallAsync"
        };
        o.comment(&self.setup_comment());
        o.l(&format!(
            "static async Task<int> {raw}({})",
            params.join(", ")
        ));
        o.open("{");
        match &self.steps {
            Some(steps) => {
                for s in steps {
                    o.l(&format!(
                        "await Task.Delay({}{ct}); // {}",
                        jit(&s.ms.to_string()),
                        label(s)
                    ));
                }
            }
            None => o.l(&format!("await Task.Delay({}{ct});", jit("ms"))),
        }
        if let Some((cond, throw)) = self.cs_fail_check() {
            o.comment(&self.fail_comment());
            o.l(&cond);
            o.under(&throw);
        }
        o.l("return id;");
        o.close("}");
        if !self.wrapped() {
            return o.done();
        }
        o.blank();
        let ms_param = if self.has_ms() { ", int ms" } else { "" };
        let ms_arg = if self.has_ms() { ", ms" } else { "" };
        let ct_param = if self.token {
            ", CancellationToken ct = default"
        } else {
            ""
        };
        let wait = self
            .timeout
            .map(|t| {
                format!(
                    ".WaitAsync(TimeSpan.FromMilliseconds({t}){})",
                    if self.token { ", ct" } else { "" }
                )
            })
            .unwrap_or_default();
        if self.attempts <= 1 {
            o.comment(&self.timeout_comment(Lang::CSharp));
            o.l(&format!(
                "static Task<int> CallAsync(int id{ms_param}{ct_param}) =>"
            ));
            o.under(&format!("CallOnceAsync(id{ms_arg}{ct}){wait};"));
            return o.done();
        }
        o.comment(&self.retry_comment());
        if self.timeout.is_some() {
            o.comment(&self.timeout_comment(Lang::CSharp));
        }
        let attempt_arg = if matches!(self.fail, Fail::First(..)) {
            ", attempt"
        } else {
            ""
        };
        o.l(&format!(
            "static async Task<int> CallAsync(int id{ms_param}{ct_param})"
        ));
        o.open("{");
        let exponential = self.delay_ms > 0 && self.backoff == Backoff::Exponential;
        if exponential {
            o.l(&format!("var delay = {};", self.delay_ms));
        }
        o.l("for (var attempt = 1; ; attempt++)");
        o.open("{");
        o.l("try");
        o.open("{");
        o.l(&format!(
            "return await CallOnceAsync(id{ms_arg}{attempt_arg}{ct}){wait};"
        ));
        o.close("}");
        let filter = if self.token {
            format!("attempt < {} && !ct.IsCancellationRequested", self.attempts)
        } else {
            format!("attempt < {}", self.attempts)
        };
        o.l(&format!("catch (Exception) when ({filter})"));
        o.open("{");
        if exponential {
            o.l(&format!("await Task.Delay(delay{ct});"));
            o.l("delay *= 2;");
        } else if self.delay_ms > 0 {
            o.l(&format!("await Task.Delay({}{ct});", self.delay_ms));
        } else {
            o.comment("Try again at once.");
        }
        o.close("}");
        o.close("}");
        o.close("}");
        o.done()
    }

    fn cs(&self, s: Strategy) -> String {
        use Strategy::*;
        let lang = Lang::CSharp;
        let mut o = Out::new(lang);
        o.comment(&why(s, lang, self.count));
        if let Some(d) = self.decl(lang) {
            o.l(&d);
        }
        let group = self.group(s);
        let cts = group.is_some() || s == (FirstWins { cancel_rest: true });
        if cts {
            o.l("using var cts = new CancellationTokenSource();");
        }
        if let Some(ms) = group {
            o.l(&format!(
                "cts.CancelAfter({ms}); // the deadline of the whole group"
            ));
        }
        let tok = cts.then_some("cts.Token");
        let fallible = self.errors() || group.is_some();
        let all = self.map(lang, |ms| self.call(lang, ms, tok));
        match s {
            Sequential => {
                o.l("var results = new List<int>();");
                o.guard(
                    fallible,
                    |o| {
                        self.each(o, |ms| {
                            vec![format!("results.Add(await {});", self.call(lang, ms, tok))]
                        })
                    },
                    &[
                        "// The first error ends the loop: the calls after it never start.",
                        "Console.WriteLine($\"Stopped after {results.Count} calls: {e.Message}\");",
                    ],
                );
            }
            AllAtOnce { fail_fast: false } => {
                o.chain("var tasks = ", &all, ".ToArray();");
                o.guard_as(
                    fallible,
                    "catch",
                    |o| o.l("int[] results = await Task.WhenAll(tasks);"),
                    &[
                        "// WhenAll waited for every call; each failed task holds its own error.",
                        "foreach (var failed in tasks.Where(t => !t.IsCompletedSuccessfully))",
                        "    Console.WriteLine(failed.Exception?.InnerException?.Message ?? \"Cancelled\");",
                    ],
                );
            }
            AllAtOnce { fail_fast: true } => {
                o.chain("var pending = ", &all, ".ToList();");
                o.l("var results = new List<int>();");
                o.guard(
                    fallible,
                    |o| {
                        o.l("while (pending.Count > 0)");
                        o.open("{");
                        o.l("var done = await Task.WhenAny(pending);");
                        o.l("pending.Remove(done);");
                        o.l("results.Add(await done); // rethrows the first error at once");
                        o.close("}");
                    },
                    &["Console.WriteLine($\"Gave up at the first error: {e.Message}\");"],
                );
            }
            FirstWins { cancel_rest } => {
                o.chain("var tasks = ", &all, ".ToList();");
                o.l("var first = await Task.WhenAny(tasks);");
                if cancel_rest {
                    o.l("cts.Cancel(); // the others stop waiting");
                }
                o.guard(
                    fallible,
                    |o| o.l("Console.WriteLine($\"First: call {await first + 1}\");"),
                    &[
                        "// WhenAny returns the first call to end, even a failed one.",
                        "Console.WriteLine($\"The first to end failed: {e.Message}\");",
                    ],
                );
            }
            Throttled { limit } => {
                o.l(&format!("using var throttle = new SemaphoreSlim({limit});"));
                let (head, ms) = self.block(lang, true);
                o.l(&format!("var tasks = {head}"));
                o.open("{");
                o.l(&format!(
                    "await throttle.WaitAsync({});",
                    tok.unwrap_or_default()
                ));
                o.l("try");
                o.open("{");
                o.l(&format!(
                    "return await {};",
                    self.call(lang, ms.as_deref(), tok)
                ));
                o.close("}");
                o.l("finally");
                o.open("{");
                o.l("throttle.Release();");
                o.close("}");
                o.close("}).ToArray();");
                o.guard(
                    fallible,
                    |o| o.l("int[] results = await Task.WhenAll(tasks);"),
                    &["Console.WriteLine($\"A call failed: {e.Message}\");"],
                );
                o.comment(&format!(
                    "Or, since .NET 6: Parallel.ForEachAsync with MaxDegreeOfParallelism = {limit}."
                ));
            }
            Streaming { concurrent: false } => {
                let mut args = Vec::new();
                let mut params = Vec::new();
                if self.is_list() {
                    args.push("durations");
                    params.push("int[] durations");
                }
                if tok.is_some() {
                    args.push("cts.Token");
                    params.push("CancellationToken ct");
                }
                o.guard(
                    fallible,
                    |o| {
                        o.l(&format!(
                            "await foreach (var r in ProduceAsync({}))",
                            args.join(", ")
                        ));
                        o.under("Console.WriteLine($\"Call {r + 1} done\"); // before the next call starts");
                    },
                    &["Console.WriteLine($\"Stopped: {e.Message}\");"],
                );
                o.blank();
                o.l(&format!(
                    "static async IAsyncEnumerable<int> ProduceAsync({})",
                    params.join(", ")
                ));
                o.open("{");
                let inner = tok.map(|_| "ct");
                self.each(&mut o, |ms| {
                    vec![format!(
                        "yield return await {};",
                        self.call(lang, ms, inner)
                    )]
                });
                o.close("}");
            }
            Streaming { concurrent: true } => {
                o.chain("var tasks = ", &all, ".ToList();");
                o.comment("Task.WhenEach is .NET 9; before it, loop over Task.WhenAny.");
                o.l("await foreach (var t in Task.WhenEach(tasks))");
                if fallible {
                    o.under(
                        "Console.WriteLine(t.IsCompletedSuccessfully ? $\"Call {t.Result + 1} done\" : \"A call failed\");",
                    );
                } else {
                    o.under("Console.WriteLine($\"Call {await t + 1} done\");");
                }
            }
            FireAndForget => {
                self.each(&mut o, |ms| {
                    vec![format!("_ = {};", self.call(lang, ms, None))]
                });
                o.l("Console.WriteLine(\"Done?\"); // printed before any call has ended");
                o.comment("Fix: keep the tasks and await Task.WhenAll(tasks).");
            }
            SharedCounter { safe } => {
                o.l("var count = 0;");
                let (head, ms) = self.block(lang, true);
                let call = self.call(lang, ms.as_deref(), tok);
                o.l(&format!("var tasks = {head}"));
                o.open("{");
                if safe {
                    o.l(&format!("await {call};"));
                    o.l("Interlocked.Increment(ref count); // calls may end on different threads");
                } else {
                    o.l("var seen = count;");
                    o.l(&format!("await {call};"));
                    o.l("count = seen + 1;");
                }
                o.close("}).ToArray();");
                o.guard(
                    fallible,
                    |o| o.l("await Task.WhenAll(tasks);"),
                    &["Console.WriteLine(e.Message);"],
                );
                o.l(&format!(
                    "Console.WriteLine($\"count = {{count}}\"); // {}",
                    counter_note(safe, self.errors(), self.count)
                ));
            }
            BlockOnResult => {
                o.l("var results = new List<int>();");
                self.each(&mut o, |ms| {
                    vec![format!(
                        "results.Add({}.Result); // never returns on a UI thread",
                        self.call(lang, ms, None)
                    )]
                });
                let (_, ms) = self.lp(lang);
                o.comment(&format!(
                    "Fix: results.Add(await {});",
                    self.call(lang, ms.as_deref(), None)
                ));
            }
            WorkerPerCall => {
                let blocking = self.map(lang, |ms| {
                    format!("Task.Run(() => {}.Result)", self.call(lang, ms, None))
                });
                o.chain("var tasks = ", &blocking, ".ToArray();");
                o.guard(
                    fallible,
                    |o| o.l("int[] results = await Task.WhenAll(tasks);"),
                    &["Console.WriteLine(e.Message);"],
                );
                o.comment(
                    "Fix: await the calls themselves (Task.WhenAll); waiting needs no thread.",
                );
            }
        }
        o.done()
    }
}

// ---------------------------------------------------------------------------------------------
// JavaScript

impl Ctx {
    /// The call waits on an abort signal: a deadline, a cancellation or a per-attempt timeout.
    fn js_signal(&self) -> bool {
        self.token || self.timeout.is_some()
    }

    fn js_fail_check(&self) -> Option<String> {
        let ids_cond = |ids: &[u32]| match ids {
            [one] => format!("id === {one}"),
            _ => format!("[{}].includes(id)", id_list(ids, ", ")),
        };
        let cond = match &self.fail {
            Fail::None => return None,
            Fail::Always(ids) => ids_cond(ids),
            Fail::First(ids, n) => format!("{} && attempt <= {n}", ids_cond(ids)),
            Fail::Chance(p) => format!("Math.random() * 100 < {p}"),
        };
        Some(format!(
            "if ({cond}) throw new Error(`Call ${{id + 1}} failed`);"
        ))
    }

    fn js_setup(&self) -> String {
        let mut o = Out::new(Lang::JavaScript);
        if let Src::List {
            values,
            shared: true,
        } = &self.src
        {
            o.comment("The duration of each call, in ms.");
            o.l(&list_setup(Lang::JavaScript, "durations", values));
            o.blank();
        }
        if self.js_signal() {
            o.comment(
                "Waits ms, or rejects as soon as the signal aborts (a deadline, a cancellation).",
            );
            o.l("function sleep(ms, signal) {");
            o.l("  return new Promise((resolve, reject) => {");
            o.l("    signal?.throwIfAborted();");
            o.l("    const timer = setTimeout(resolve, ms);");
            o.l("    const abort = () => {");
            o.l("      clearTimeout(timer);");
            o.l("      reject(signal.reason);");
            o.l("    };");
            o.l("    signal?.addEventListener(\"abort\", abort, { once: true });");
            o.l("  });");
            o.l("}");
        } else {
            o.l("const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));");
        }
        o.blank();
        if self.jitter > 0 {
            let j = self.jitter;
            o.comment(&format!("Each wait varies by up to ± {j} ms."));
            o.l(&format!(
                "const jitter = (ms) => Math.max(0, ms + Math.floor(Math.random() * {}) - {j});",
                u64::from(j) * 2 + 1
            ));
            o.blank();
        }
        let sig = if self.js_signal() { ", signal" } else { "" };
        let jit = |ms: &str| {
            if self.jitter > 0 {
                format!("jitter({ms})")
            } else {
                ms.to_string()
            }
        };
        let mut params = vec!["id"];
        if self.has_ms() {
            params.push("ms");
        }
        if matches!(self.fail, Fail::First(..)) {
            params.push("attempt");
        }
        if self.js_signal() {
            params.push("signal");
        }
        let raw = if self.wrapped() { "callOnce" } else { "call" };
        o.comment(&self.setup_comment());
        o.open(&format!("async function {raw}({}) {{", params.join(", ")));
        match &self.steps {
            Some(steps) => {
                for s in steps {
                    o.l(&format!(
                        "await sleep({}{sig}); // {}",
                        jit(&s.ms.to_string()),
                        label(s)
                    ));
                }
            }
            None => o.l(&format!("await sleep({}{sig});", jit("ms"))),
        }
        if let Some(check) = self.js_fail_check() {
            o.comment(&self.fail_comment());
            o.l(&check);
        }
        o.l("return id;");
        o.close("}");
        if !self.wrapped() {
            return o.done();
        }
        o.blank();
        let ms_arg = if self.has_ms() { ", ms" } else { "" };
        let outer = if self.token { ", signal" } else { "" };
        // The per-attempt signal: its own timeout, joined with the caller's signal if any.
        let per_attempt = self.timeout.map(|t| {
            if self.token {
                (
                    format!("const limit = AbortSignal.timeout({t});"),
                    "signal ? AbortSignal.any([signal, limit]) : limit".to_string(),
                )
            } else {
                (String::new(), format!("AbortSignal.timeout({t})"))
            }
        });
        if self.attempts <= 1 {
            let (pre, expr) = per_attempt.unwrap_or_default();
            o.comment(&self.timeout_comment(Lang::JavaScript));
            o.open(&format!("function call(id{ms_arg}{outer}) {{"));
            o.l(&pre);
            o.l(&format!("return callOnce(id{ms_arg}, {expr});"));
            o.close("}");
            return o.done();
        }
        o.comment(&self.retry_comment());
        if self.timeout.is_some() {
            o.comment(&self.timeout_comment(Lang::JavaScript));
        }
        let attempt_arg = if matches!(self.fail, Fail::First(..)) {
            ", attempt"
        } else {
            ""
        };
        let signal_arg = match (&per_attempt, self.token) {
            (Some(_), _) => ", attemptSignal",
            (None, true) => ", signal",
            (None, false) => "",
        };
        o.open(&format!("async function call(id{ms_arg}{outer}) {{"));
        let exponential = self.delay_ms > 0 && self.backoff == Backoff::Exponential;
        if exponential {
            o.l(&format!("let delay = {};", self.delay_ms));
        }
        o.open("for (let attempt = 1; ; attempt++) {");
        o.open("try {");
        if let Some((pre, expr)) = &per_attempt {
            o.l(pre);
            o.l(&format!("const attemptSignal = {expr};"));
        }
        o.l(&format!(
            "return await callOnce(id{ms_arg}{attempt_arg}{signal_arg});"
        ));
        o.close("} catch (err) {");
        o.depth += 1;
        let stop = if self.token {
            format!("attempt >= {} || signal?.aborted", self.attempts)
        } else {
            format!("attempt >= {}", self.attempts)
        };
        o.l(&format!("if ({stop}) throw err;"));
        if exponential {
            o.l(&format!("await sleep(delay{outer});"));
            o.l("delay *= 2;");
        } else if self.delay_ms > 0 {
            o.l(&format!("await sleep({}{outer});", self.delay_ms));
        }
        o.close("}");
        o.close("}");
        o.close("}");
        o.done()
    }

    fn js(&self, s: Strategy) -> String {
        use Strategy::*;
        let lang = Lang::JavaScript;
        let mut o = Out::new(lang);
        o.comment(&why(s, lang, self.count));
        if let Some(d) = self.decl(lang) {
            o.l(&d);
        }
        let group = self.group(s);
        let cancel = s == (FirstWins { cancel_rest: true });
        if cancel {
            o.l("const controller = new AbortController();");
        }
        let tok = match (group, cancel) {
            (Some(ms), true) => {
                o.l(&format!(
                    "const signal = AbortSignal.any([controller.signal, AbortSignal.timeout({ms})]);"
                ));
                Some("signal")
            }
            (Some(ms), false) => {
                o.l(&format!(
                    "const signal = AbortSignal.timeout({ms}); // the deadline of the whole group"
                ));
                Some("signal")
            }
            (None, true) => Some("controller.signal"),
            (None, false) => None,
        };
        let fallible = self.errors() || group.is_some();
        let all = self.map(lang, |ms| self.call(lang, ms, tok));
        match s {
            Sequential => {
                o.l("const results = [];");
                o.guard(
                    fallible,
                    |o| {
                        self.each(o, |ms| {
                            vec![format!("results.push(await {});", self.call(lang, ms, tok))]
                        })
                    },
                    &[
                        "// The first error ends the loop: the calls after it never start.",
                        "console.log(`Stopped after ${results.length} calls: ${err.message}`);",
                    ],
                );
            }
            AllAtOnce { fail_fast: false } if fallible => {
                o.comment(
                    "allSettled waits for every call and reports each outcome, failures included.",
                );
                o.bind("calls", &all, |x| {
                    format!("const settled = await Promise.allSettled({x});")
                });
                o.open("settled.forEach((s, i) => {");
                o.l("if (s.status === \"rejected\") console.log(`Call ${i + 1}: ${s.reason.message}`);");
                o.close("});");
            }
            AllAtOnce { .. } => {
                o.guard(
                    fallible,
                    |o| {
                        o.bind("calls", &all, |x| {
                            format!("const results = await Promise.all({x});")
                        })
                    },
                    &["console.log(`Gave up at the first error: ${err.message}`);"],
                );
            }
            FirstWins { cancel_rest } => {
                o.l(&format!("const tasks = {all};"));
                o.guard(
                    fallible,
                    |o| {
                        o.l("const first = await Promise.race(tasks);");
                        o.l("console.log(`First: call ${first + 1}`);");
                    },
                    &[
                        "// race settles with the first call to end, even a failed one.",
                        "console.log(`The first to end failed: ${err.message}`);",
                    ],
                );
                if cancel_rest {
                    o.l("controller.abort(); // the others stop waiting");
                }
            }
            Throttled { limit } => {
                o.l("const results = [];");
                o.l("let next = 0;");
                o.open("async function worker() {");
                o.open(&format!("while (next < {}) {{", self.len_expr(lang)));
                o.l("const i = next++;");
                let ms = self.ms_at_i();
                o.l(&format!(
                    "results[i] = await {};",
                    self.call(lang, ms.as_deref(), tok)
                ));
                o.close("}");
                o.close("}");
                o.guard(
                    fallible,
                    |o| {
                        o.l(&format!(
                            "await Promise.all(Array.from({{ length: {limit} }}, worker));"
                        ))
                    },
                    &["console.log(`A call failed: ${err.message}`);"],
                );
                o.comment(&format!("Or with the p-limit package: pLimit({limit})."));
            }
            Streaming { concurrent: false } => {
                o.open("async function* produce() {");
                self.each(&mut o, |ms| {
                    vec![format!("yield await {};", self.call(lang, ms, tok))]
                });
                o.close("}");
                o.guard(
                    fallible,
                    |o| {
                        o.open("for await (const r of produce()) {");
                        o.l("console.log(`Call ${r + 1} done`); // before the next call starts");
                        o.close("}");
                    },
                    &["console.log(`Stopped: ${err.message}`);"],
                );
            }
            Streaming { concurrent: true } => {
                o.l(&format!("const tasks = {all};"));
                o.l("const use = (r) => console.log(`Call ${r + 1} done`);");
                if fallible {
                    o.l("const report = (err) => console.log(`A call failed: ${err.message}`);");
                    o.l("await Promise.all(tasks.map((p) => p.then(use, report)));");
                } else {
                    o.l("await Promise.all(tasks.map((p) => p.then(use)));");
                }
            }
            FireAndForget => {
                self.each(&mut o, |ms| vec![format!("{};", self.call(lang, ms, None))]);
                o.l("console.log(\"Done?\"); // printed before any call has ended");
                o.comment("Fix: await Promise.all over the calls, and handle their errors.");
            }
            SharedCounter { safe } => {
                o.l("let count = 0;");
                let (head, ms) = self.block(lang, true);
                let call = self.call(lang, ms.as_deref(), tok);
                o.open(&format!("const tasks = {head}"));
                if safe {
                    o.l(&format!("await {call};"));
                    o.l("count++;");
                } else {
                    o.l("const seen = count;");
                    o.l(&format!("await {call};"));
                    o.l("count = seen + 1;");
                }
                o.close("});");
                let wait = if fallible { "allSettled" } else { "all" };
                o.l(&format!("await Promise.{wait}(tasks);"));
                o.l(&format!(
                    "console.log(`count = ${{count}}`); // {}",
                    counter_note(safe, self.errors(), self.count)
                ));
            }
            BlockOnResult => {
                self.each(&mut o, |ms| {
                    vec![
                        "let done = false;".into(),
                        format!(
                            "{}.finally(() => (done = true));",
                            self.call(lang, ms, None)
                        ),
                        "while (!done) {} // spins for ever: the timer fires on this thread".into(),
                    ]
                });
                o.comment("Fix: await the call instead of spinning.");
            }
            WorkerPerCall => {
                o.l("const source = `onmessage = (e) => {");
                o.l("  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, e.data.ms);");
                o.l("  postMessage(e.data.id);");
                o.l("};`;");
                o.l("const url = URL.createObjectURL(new Blob([source], { type: \"text/javascript\" }));");
                o.l("const blockingCall = (id, ms) =>");
                o.l("  new Promise((resolve) => {");
                o.l("    const worker = new Worker(url);");
                o.l("    worker.onmessage = (e) => {");
                o.l("      worker.terminate();");
                o.l("      resolve(e.data);");
                o.l("    };");
                o.l("    worker.postMessage({ id, ms });");
                o.l("  });");
                let total = self
                    .steps
                    .as_ref()
                    .map(|s| s.iter().map(|s| u64::from(s.ms)).sum::<u64>().to_string());
                let blocking = self.map(lang, |ms| {
                    format!(
                        "blockingCall(i, {})",
                        ms.map(str::to_string).or(total.clone()).unwrap_or_default()
                    )
                });
                o.bind("calls", &blocking, |x| {
                    format!("const results = await Promise.all({x});")
                });
                o.comment("Fix: await the calls themselves; waiting needs no thread.");
            }
        }
        o.done()
    }
}

// ---------------------------------------------------------------------------------------------
// Python

impl Ctx {
    fn py_fail_check(&self) -> Option<String> {
        let ids_cond = |ids: &[u32]| match ids {
            [one] => format!("call_id == {one}"),
            _ => format!("call_id in ({})", id_list(ids, ", ")),
        };
        let cond = match &self.fail {
            Fail::None => return None,
            Fail::Always(ids) => ids_cond(ids),
            Fail::First(ids, n) => format!("{} and attempt <= {n}", ids_cond(ids)),
            Fail::Chance(p) => format!("random.randrange(100) < {p}"),
        };
        Some(format!("if {cond}:"))
    }

    fn py_setup(&self) -> String {
        let mut o = Out::new(Lang::Python);
        o.l("import asyncio");
        if self.jitter > 0 || matches!(self.fail, Fail::Chance(_)) {
            o.l("import random");
        }
        if let Src::List {
            values,
            shared: true,
        } = &self.src
        {
            o.blank();
            o.comment("The duration of each call, in ms.");
            o.l(&list_setup(Lang::Python, "durations", values));
        }
        if self.jitter > 0 {
            let j = self.jitter;
            o.blank();
            o.blank();
            o.open("def jitter(ms: int) -> int:");
            o.docstring(&format!("Each wait varies by up to ± {j} ms."));
            o.l(&format!("return max(0, ms + random.randint(-{j}, {j}))"));
            o.depth = 0;
        }
        let mut params = vec!["call_id: int"];
        if self.has_ms() {
            params.push("ms: int");
        }
        if matches!(self.fail, Fail::First(..)) {
            params.push("attempt: int");
        }
        let raw = if self.wrapped() { "call_once" } else { "call" };
        o.blank();
        o.blank();
        o.open(&format!("async def {raw}({}) -> int:", params.join(", ")));
        o.docstring(&self.setup_comment());
        match &self.steps {
            Some(steps) => {
                for s in steps {
                    if self.jitter > 0 {
                        o.l(&format!(
                            "await asyncio.sleep(jitter({}) / 1000)  # {}",
                            s.ms,
                            label(s)
                        ));
                    } else {
                        o.l(&format!(
                            "await asyncio.sleep({})  # {}, {} ms",
                            secs(s.ms),
                            label(s),
                            s.ms
                        ));
                    }
                }
            }
            None if self.jitter > 0 => o.l("await asyncio.sleep(jitter(ms) / 1000)"),
            None => o.l("await asyncio.sleep(ms / 1000)"),
        }
        if let Some(check) = self.py_fail_check() {
            o.comment(&self.fail_comment());
            o.l(&check);
            o.under("raise ConnectionError(f\"call {call_id + 1} failed\")");
        }
        o.l("return call_id");
        o.depth = 0;
        if !self.wrapped() {
            return o.done();
        }
        o.blank();
        o.blank();
        let ms_param = if self.has_ms() { ", ms: int" } else { "" };
        let ms_arg = if self.has_ms() { ", ms" } else { "" };
        let attempt_arg = if matches!(self.fail, Fail::First(..)) {
            ", attempt"
        } else {
            ""
        };
        let once = format!("call_once(call_id{ms_arg}{attempt_arg})");
        let attempt = match self.timeout {
            Some(t) => format!("await asyncio.wait_for({once}, timeout={})", secs(t)),
            None => format!("await {once}"),
        };
        o.open(&format!("async def call(call_id: int{ms_param}) -> int:"));
        let mut doc = Vec::new();
        if self.attempts > 1 {
            doc.push(self.retry_comment());
        }
        if self.timeout.is_some() {
            doc.push(self.timeout_comment(Lang::Python));
        }
        o.docstring(&doc.join(" "));
        if self.attempts <= 1 {
            o.l(&format!("return {attempt}"));
            return o.done();
        }
        let exponential = self.delay_ms > 0 && self.backoff == Backoff::Exponential;
        o.l("attempt = 1");
        if exponential {
            o.l(&format!("delay_ms = {}", self.delay_ms));
        }
        o.open("while True:");
        o.open("try:");
        o.l(&format!("return {attempt}"));
        o.close("except Exception:");
        o.depth += 1;
        o.open(&format!("if attempt == {}:", self.attempts));
        o.l("raise");
        o.depth -= 2;
        if exponential {
            o.l("await asyncio.sleep(delay_ms / 1000)");
            o.l("delay_ms *= 2");
        } else if self.delay_ms > 0 {
            o.l(&format!(
                "await asyncio.sleep({})  # {} ms",
                secs(self.delay_ms),
                self.delay_ms
            ));
        }
        o.l("attempt += 1");
        o.done()
    }

    /// Writes `async def main()` with `intro` then `body` inside, the body wrapped in the group
    /// deadline if any.
    fn py_main(
        &self,
        o: &mut Out,
        group: Option<u32>,
        intro: &dyn Fn(&mut Out),
        body: impl FnOnce(&mut Out),
    ) {
        o.open("async def main() -> None:");
        intro(o);
        match group {
            Some(ms) => {
                o.open("try:");
                o.open(&format!(
                    "async with asyncio.timeout({}):  # {ms} ms for the whole group",
                    secs(ms)
                ));
                body(o);
                o.depth -= 2;
                o.open("except TimeoutError:");
                o.l("print(\"Deadline passed: the calls still pending were cancelled\")");
            }
            None => body(o),
        }
        o.depth = 0;
        o.blank();
        o.blank();
        o.l("asyncio.run(main())");
    }

    fn py(&self, s: Strategy) -> String {
        use Strategy::*;
        let lang = Lang::Python;
        let mut o = Out::new(lang);
        let group = self.group(s);
        let fallible = self.errors() || group.is_some();
        let all = self.map(lang, |ms| self.call(lang, ms, None));
        let settle = if fallible {
            ", return_exceptions=True"
        } else {
            ""
        };
        let intro = |o: &mut Out| {
            o.comment(&why(s, lang, self.count));
            if let Some(d) = self.decl(lang) {
                o.l(&d);
            }
        };
        match s {
            Sequential => self.py_main(&mut o, group, &intro, |o| {
                o.l("results = []");
                o.guard(
                    fallible,
                    |o| {
                        self.each(o, |ms| {
                            vec![format!("results.append(await {})", self.call(lang, ms, None))]
                        })
                    },
                    &[
                        "# The first error ends the loop: the calls after it never start.",
                        "print(f\"Stopped after {len(results)} calls: {e!r}\")",
                    ],
                );
            }),
            AllAtOnce { fail_fast: false } if fallible => self.py_main(&mut o, group, &intro, |o| {
                o.comment("return_exceptions=True waits for every call and returns each error in its place.");
                o.bind("calls", &format!("({all})"), |x| {
                    format!("results = await asyncio.gather(*{x}, return_exceptions=True)")
                });
                o.open("for i, r in enumerate(results):");
                o.open("if isinstance(r, Exception):");
                o.l("print(f\"Call {i + 1}: {r!r}\")");
                o.depth -= 2;
            }),
            AllAtOnce { .. } => self.py_main(&mut o, group, &intro, |o| {
                o.guard(
                    fallible,
                    |o| {
                        o.bind("calls", &format!("({all})"), |x| {
                            format!("results = await asyncio.gather(*{x})")
                        })
                    },
                    &["print(f\"Gave up at the first error: {e!r}\")"],
                );
            }),
            FirstWins { cancel_rest } => self.py_main(&mut o, group, &intro, |o| {
                let tasks = self.map(lang, |ms| {
                    format!("asyncio.create_task({})", self.call(lang, ms, None))
                });
                o.l(&format!("tasks = [{tasks}]"));
                o.l("done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)");
                if cancel_rest {
                    o.open("for t in pending:");
                    o.l("t.cancel()  # the others stop waiting");
                    o.depth -= 1;
                }
                o.l("first = done.pop()");
                o.guard(
                    fallible,
                    |o| o.l("print(f\"First: call {first.result() + 1}\")"),
                    &[
                        "# wait returns the first call to end, even a failed one.",
                        "print(f\"The first to end failed: {e!r}\")",
                    ],
                );
                if !cancel_rest {
                    o.comment("The others are still running; let them finish before leaving.");
                    o.l("await asyncio.gather(*pending, return_exceptions=True)");
                }
            }),
            Throttled { limit } => self.py_main(&mut o, group, &intro, |o| {
                let (params, ms, args) = self.py_one();
                o.l(&format!("slots = asyncio.Semaphore({limit})"));
                o.blank();
                o.open(&format!("async def limited({params}) -> int:"));
                o.open("async with slots:");
                o.l(&format!("return await {}", self.call(lang, ms.as_deref(), None)));
                o.depth -= 2;
                o.blank();
                let calls = self.map(lang, |_| format!("limited({args})"));
                o.bind("calls", &format!("({calls})"), |x| {
                    format!("results = await asyncio.gather(*{x}{settle})")
                });
            }),
            Streaming { concurrent: false } => {
                o.open("async def produce():");
                o.docstring(&why(s, lang, self.count));
                if let Some(d) = self.decl(lang) {
                    o.l(&d);
                }
                self.each(&mut o, |ms| {
                    vec![format!("yield await {}", self.call(lang, ms, None))]
                });
                o.depth = 0;
                o.blank();
                o.blank();
                self.py_main(&mut o, group, &|_| {}, |o| {
                    o.guard(
                        fallible,
                        |o| {
                            o.open("async for r in produce():");
                            o.l("print(f\"Call {r + 1} done\")  # before the next call starts");
                            o.depth -= 1;
                        },
                        &["print(f\"Stopped: {e!r}\")"],
                    );
                });
            }
            Streaming { concurrent: true } => self.py_main(&mut o, group, &intro, |o| {
                o.bind("calls", &format!("[{all}]"), |x| {
                    format!("for next_done in asyncio.as_completed({x}):")
                });
                o.depth += 1;
                o.guard(
                    fallible,
                    |o| {
                        o.l("r = await next_done");
                        o.l("print(f\"Call {r + 1} done\")");
                    },
                    &["print(f\"A call failed: {e!r}\")"],
                );
                o.depth -= 1;
            }),
            FireAndForget => self.py_main(&mut o, None, &intro, |o| {
                self.each(o, |ms| {
                    vec![format!("asyncio.create_task({})", self.call(lang, ms, None))]
                });
                o.l("print(\"Done?\")  # printed before any call has ended");
                o.comment("Fix: keep the tasks and await asyncio.gather(*tasks).");
            }),
            SharedCounter { safe } => self.py_main(&mut o, group, &intro, |o| {
                let (params, ms, args) = self.py_one();
                let call = self.call(lang, ms.as_deref(), None);
                o.l("count = 0");
                o.blank();
                o.open(&format!("async def one({params}) -> None:"));
                o.l("nonlocal count");
                if safe {
                    o.l(&format!("await {call}"));
                    o.l("count += 1");
                } else {
                    o.l("seen = count");
                    o.l(&format!("await {call}"));
                    o.l("count = seen + 1");
                }
                o.depth -= 1;
                o.blank();
                let calls = self.map(lang, |_| format!("one({args})"));
                o.bind("calls", &format!("({calls})"), |x| {
                    format!("await asyncio.gather(*{x}{settle})")
                });
                o.l(&format!(
                    "print(f\"count = {{count}}\")  # {}",
                    counter_note(safe, self.errors(), self.count)
                ));
            }),
            BlockOnResult => self.py_main(&mut o, None, &intro, |o| {
                o.l("loop = asyncio.get_running_loop()");
                o.l("results = []");
                self.each(o, |ms| {
                    vec![format!(
                        "results.append(loop.run_until_complete({}))",
                        self.call(lang, ms, None)
                    )]
                });
                o.comment("Fix: results.append(await call(...)).");
            }),
            WorkerPerCall => {
                o.l("from concurrent.futures import ThreadPoolExecutor");
                o.blank();
                o.blank();
                o.open("def main() -> None:");
                intro(&mut o);
                let (lambda, iters) = match &self.src {
                    Src::Count { count, ms } => {
                        let ms = ms.map(|m| m.to_string());
                        (
                            format!("lambda i: asyncio.run({})", self.call(lang, ms.as_deref(), None)),
                            format!("range({count})"),
                        )
                    }
                    Src::List { .. } => (
                        "lambda i, ms: asyncio.run(call(i, ms))".to_string(),
                        "range(len(durations)), durations".to_string(),
                    ),
                };
                o.open(&format!(
                    "with ThreadPoolExecutor(max_workers={MAX_WORKERS}) as pool:"
                ));
                o.guard(
                    self.errors(),
                    |o| o.l(&format!("results = list(pool.map({lambda}, {iters}))")),
                    &["print(f\"A call failed: {e!r}\")"],
                );
                o.depth -= 1;
                o.comment("Fix: await asyncio.gather(...) on one loop; waiting needs no thread.");
                o.depth = 0;
                o.blank();
                o.blank();
                o.l("main()");
            }
        }
        o.done()
    }
}

// ---------------------------------------------------------------------------------------------
// Rust

impl Ctx {
    fn rs_fail_check(&self) -> Option<String> {
        let ids_cond = |ids: &[u32]| match ids {
            [one] => format!("id == {one}"),
            _ => format!("[{}].contains(&id)", id_list(ids, ", ")),
        };
        let cond = match &self.fail {
            Fail::None => return None,
            Fail::Always(ids) => ids_cond(ids),
            Fail::First(ids, n) => format!("{} && attempt <= {n}", ids_cond(ids)),
            Fail::Chance(p) => format!("rand::random::<u32>() % 100 < {p}"),
        };
        Some(format!("if {cond} {{"))
    }

    fn rs_setup(&self) -> String {
        let mut o = Out::new(Lang::Rust);
        o.l("use std::time::Duration;");
        if self.timeout.is_some() {
            o.l("use tokio::time::{sleep, timeout};");
        } else {
            o.l("use tokio::time::sleep;");
        }
        if let Src::List {
            values,
            shared: true,
        } = &self.src
        {
            o.blank();
            o.doc("The duration of each call, in ms.");
            o.l(&list_setup(Lang::Rust, "durations", values));
        }
        if self.jitter > 0 {
            let j = self.jitter;
            o.blank();
            o.doc(&format!("Each wait varies by up to ± {j} ms."));
            o.open("fn jitter(ms: u64) -> u64 {");
            o.l(&format!(
                "let offset = (rand::random::<u64>() % {}) as i64 - {j};",
                u64::from(j) * 2 + 1
            ));
            o.l("ms.saturating_add_signed(offset)");
            o.close("}");
        }
        let ret = if self.errors() {
            "Result<usize, String>"
        } else {
            "usize"
        };
        let mut params = vec!["id: usize"];
        if self.has_ms() {
            params.push("ms: u64");
        }
        if matches!(self.fail, Fail::First(..)) {
            params.push("attempt: u32");
        }
        let raw = if self.wrapped() { "call_once" } else { "call" };
        let jit = |ms: &str| {
            if self.jitter > 0 {
                format!("jitter({ms})")
            } else {
                ms.to_string()
            }
        };
        o.blank();
        o.doc(&self.setup_comment());
        o.open(&format!(
            "async fn {raw}({}) -> {ret} {{",
            params.join(", ")
        ));
        match &self.steps {
            Some(steps) => {
                for s in steps {
                    o.l(&format!(
                        "sleep(Duration::from_millis({})).await; // {}",
                        jit(&s.ms.to_string()),
                        label(s)
                    ));
                }
            }
            None => o.l(&format!(
                "sleep(Duration::from_millis({})).await;",
                jit("ms")
            )),
        }
        if let Some(check) = self.rs_fail_check() {
            o.comment(&self.fail_comment());
            o.open(&check);
            o.l("return Err(format!(\"call {} failed\", id + 1));");
            o.close("}");
        }
        o.l(if self.errors() { "Ok(id)" } else { "id" });
        o.close("}");
        if !self.wrapped() {
            return o.done();
        }
        o.blank();
        let ms_param = if self.has_ms() { ", ms: u64" } else { "" };
        let ms_arg = if self.has_ms() { ", ms" } else { "" };
        let attempt_arg = if matches!(self.fail, Fail::First(..)) {
            ", attempt"
        } else {
            ""
        };
        let once = format!("call_once(id{ms_arg}{attempt_arg})");
        if self.attempts > 1 {
            o.doc(&self.retry_comment());
        }
        if self.timeout.is_some() {
            o.doc(&self.timeout_comment(Lang::Rust));
        }
        o.open(&format!(
            "async fn call(id: usize{ms_param}) -> Result<usize, String> {{"
        ));
        let attempt = |o: &mut Out, bind: &str| match self.timeout {
            Some(t) => {
                o.l(&format!(
                    "{bind}timeout(Duration::from_millis({t}), {once})"
                ));
                o.under(".await");
                o.under(".unwrap_or_else(|_| Err(format!(\"call {} timed out\", id + 1)))");
            }
            None => o.l(&format!("{bind}{once}.await")),
        };
        if self.attempts <= 1 {
            attempt(&mut o, "");
            o.close("}");
            return o.done();
        }
        let exponential = self.delay_ms > 0 && self.backoff == Backoff::Exponential;
        if exponential {
            o.l(&format!("let mut delay = {};", self.delay_ms));
        }
        o.l("let mut attempt = 1;");
        o.open("loop {");
        attempt(&mut o, "let result = ");
        // The binding above ends without its semicolon; add it to the last line.
        if let Some(last) = o.lines.last_mut() {
            last.push(';');
        }
        o.open("match result {");
        o.open(&format!("Err(_) if attempt < {} => {{", self.attempts));
        if exponential {
            o.l("sleep(Duration::from_millis(delay)).await;");
            o.l("delay *= 2;");
        } else if self.delay_ms > 0 {
            o.l(&format!(
                "sleep(Duration::from_millis({})).await;",
                self.delay_ms
            ));
        }
        o.l("attempt += 1;");
        o.close("}");
        o.l("done => return done,");
        o.close("}");
        o.close("}");
        o.close("}");
        o.done()
    }

    fn rs(&self, s: Strategy) -> String {
        use Strategy::*;
        let lang = Lang::Rust;
        let mut o = Out::new(lang);
        let uses: &[&str] = match s {
            Sequential | FireAndForget | BlockOnResult => &[],
            AllAtOnce { fail_fast: true } if self.errors() => {
                &["use futures::future::try_join_all;"]
            }
            AllAtOnce { .. } => &["use futures::future::join_all;"],
            FirstWins { .. } => &["use futures::future::select_all;"],
            Throttled { .. } | Streaming { concurrent: false } => {
                &["use futures::stream::{self, StreamExt};"]
            }
            Streaming { concurrent: true } => {
                &["use futures::stream::{FuturesUnordered, StreamExt};"]
            }
            SharedCounter { .. } => &["use futures::future::join_all;", "use std::cell::Cell;"],
            WorkerPerCall => &[
                "use futures::future::join_all;",
                "use tokio::runtime::Handle;",
                "use tokio::task::spawn_blocking;",
            ],
        };
        let mut uses = uses.to_vec();
        // The setup imports `timeout` only when the call itself needs it.
        if self.group(s).is_some() && self.timeout.is_none() {
            uses.push("use tokio::time::timeout;");
        }
        uses.iter().for_each(|u| o.l(u));
        if !uses.is_empty() {
            o.blank();
        }
        if s == BlockOnResult {
            o.l("#[tokio::main(flavor = \"current_thread\")]");
        } else {
            o.l("#[tokio::main]");
        }
        o.open("async fn main() {");
        o.comment(&why(s, lang, self.count));
        if let Some(d) = self.decl(lang) {
            o.l(&d);
        }
        let group = self.group(s);
        if group.is_some() {
            o.open("let group = async {");
        }
        let errors = self.errors();
        let all = self.map(lang, |ms| self.call(lang, ms, None));
        match s {
            Sequential => {
                o.l("let mut results = Vec::new();");
                if errors {
                    self.each(&mut o, |ms| {
                        vec![
                            format!("match {}.await {{", self.call(lang, ms, None)),
                            "    Ok(r) => results.push(r),".into(),
                            "    Err(e) => {".into(),
                            "        // The first error ends the loop: the calls after it never start.".into(),
                            "        println!(\"Stopped after {} calls: {e}\", results.len());".into(),
                            "        break;".into(),
                            "    }".into(),
                            "}".into(),
                        ]
                    });
                } else {
                    self.each(&mut o, |ms| {
                        vec![format!(
                            "results.push({}.await);",
                            self.call(lang, ms, None)
                        )]
                    });
                }
                o.l("println!(\"{results:?}\");");
            }
            AllAtOnce { fail_fast: true } if errors => {
                o.bind("calls", &all, |x| {
                    format!("match try_join_all({x}).await {{")
                });
                o.depth += 1;
                o.l("Ok(results) => println!(\"{results:?}\"),");
                o.l("Err(e) => println!(\"Gave up at the first error: {e}\"),");
                o.close("}");
            }
            AllAtOnce { .. } => {
                o.bind("calls", &all, |x| {
                    format!("let results = join_all({x}).await;")
                });
                if errors {
                    o.comment(
                        "join_all waits for every call and keeps each outcome, errors included.",
                    );
                    o.open("for (i, r) in results.iter().enumerate() {");
                    o.open("if let Err(e) = r {");
                    o.l("println!(\"Call {}: {e}\", i + 1);");
                    o.close("}");
                    o.close("}");
                } else {
                    o.l("println!(\"{results:?}\");");
                }
            }
            FirstWins { cancel_rest } => {
                if cancel_rest {
                    let pinned = self.map(lang, |ms| {
                        format!("Box::pin({})", self.call(lang, ms, None))
                    });
                    o.bind("calls", &pinned, |x| {
                        format!("let (first, _, others) = select_all({x}).await;")
                    });
                    o.l("drop(others); // dropping the other futures cancels them");
                } else {
                    let spawned = self.map(lang, |ms| {
                        format!("tokio::spawn({})", self.call(lang, ms, None))
                    });
                    o.comment("Spawned tasks run on after their handles are dropped.");
                    o.bind("tasks", &spawned, |x| {
                        format!("let (first, _, _others) = select_all({x}).await;")
                    });
                    o.l("let first = first.expect(\"the call panicked\");");
                }
                if errors {
                    o.open("match first {");
                    o.l("Ok(id) => println!(\"First: call {}\", id + 1),");
                    o.l("// select_all returns the first call to end, even a failed one.");
                    o.l("Err(e) => println!(\"The first to end failed: {e}\"),");
                    o.close("}");
                } else {
                    o.l("println!(\"First: call {}\", first + 1);");
                }
            }
            Throttled { limit } => {
                o.bind("calls", &all, |x| {
                    format!("let results: Vec<_> = stream::iter({x})")
                });
                o.under(&format!(".buffer_unordered({limit})"));
                o.under(".collect()");
                o.under(".await;");
                if errors {
                    o.l("let failed = results.iter().filter(|r| r.is_err()).count();");
                    o.l("println!(\"{} calls ended, {failed} failed\", results.len());");
                } else {
                    o.l("println!(\"{} calls done\", results.len());");
                }
            }
            Streaming { concurrent } => {
                if concurrent {
                    o.bind("calls", &all, |x| {
                        format!("let mut results: FuturesUnordered<_> = {x}.collect();")
                    });
                } else {
                    let (items, then) = match &self.src {
                        Src::Count { count, ms } => (
                            format!("0..{count}"),
                            format!(
                                "|i| {}",
                                self.call(lang, ms.map(|m| m.to_string()).as_deref(), None)
                            ),
                        ),
                        Src::List { .. } => (
                            "durations.iter().enumerate()".to_string(),
                            "|(i, &ms)| call(i, ms)".to_string(),
                        ),
                    };
                    o.l(&format!(
                        "let mut results = std::pin::pin!(stream::iter({items}).then({then}));"
                    ));
                }
                o.open("while let Some(r) = results.next().await {");
                let note = if concurrent {
                    ""
                } else {
                    " // before the next call starts"
                };
                if errors {
                    o.open("match r {");
                    o.l(&format!(
                        "Ok(id) => println!(\"Call {{}} done\", id + 1),{note}"
                    ));
                    o.l("Err(e) => println!(\"{e}\"),");
                    o.close("}");
                } else {
                    o.l(&format!("println!(\"Call {{}} done\", r + 1);{note}"));
                }
                o.close("}");
            }
            FireAndForget => {
                self.each(&mut o, |ms| {
                    vec![format!("tokio::spawn({});", self.call(lang, ms, None))]
                });
                o.l("println!(\"Done?\"); // printed before any call has ended");
                o.comment("Fix: keep the JoinHandles and join_all them.");
            }
            SharedCounter { safe } => {
                o.l("let count = Cell::new(0);");
                o.l("let count = &count;");
                let (head, ms) = self.block(lang, true);
                let call = self.call(lang, ms.as_deref(), None);
                o.open(&format!("join_all({head}"));
                match (safe, errors) {
                    (false, false) => {
                        o.l("let seen = count.get();");
                        o.l(&format!("{call}.await;"));
                        o.l("count.set(seen + 1);");
                    }
                    (false, true) => {
                        o.l("let seen = count.get();");
                        o.open(&format!("if {call}.await.is_ok() {{"));
                        o.l("count.set(seen + 1);");
                        o.close("}");
                    }
                    (true, false) => {
                        o.l(&format!("{call}.await;"));
                        o.l("count.set(count.get() + 1);");
                    }
                    (true, true) => {
                        o.open(&format!("if {call}.await.is_ok() {{"));
                        o.l("count.set(count.get() + 1);");
                        o.close("}");
                    }
                }
                o.close("}))");
                o.l(".await;");
                o.l(&format!(
                    "println!(\"count = {{}}\", count.get()); // {}",
                    counter_note(safe, errors, self.count)
                ));
            }
            BlockOnResult => {
                self.each(&mut o, |ms| {
                    vec![
                        format!(
                            "let r = futures::executor::block_on({}); // never returns",
                            self.call(lang, ms, None)
                        ),
                        "println!(\"{r:?}\");".into(),
                    ]
                });
                o.comment("Fix: let r = call(...).await;");
            }
            WorkerPerCall => {
                o.l("let rt = Handle::current();");
                let (head, ms) = self.block(lang, false);
                o.open(&format!("let threads = {head}"));
                o.l("let rt = rt.clone();");
                o.l(&format!(
                    "spawn_blocking(move || rt.block_on({}))",
                    self.call(lang, ms.as_deref(), None)
                ));
                o.close("});");
                o.l("let results = join_all(threads).await;");
                o.l("println!(\"{} calls ended\", results.len());");
                o.comment("Fix: join_all the calls themselves; waiting needs no thread.");
            }
        }
        if let Some(ms) = group {
            o.close("};");
            o.open(&format!(
                "if timeout(Duration::from_millis({ms}), group).await.is_err() {{"
            ));
            o.l("println!(\"Deadline passed: the calls still pending were dropped (cancelled)\");");
            o.close("}");
        }
        o.close("}");
        o.done()
    }
}

// ---------------------------------------------------------------------------------------------
// CPU scenarios: the kernel and the ways to run it

/// A CPU scenario, with the names its code uses.
struct Cpu<'a> {
    spec: &'a CpuSpec,
    /// Burn kernels: the list's name and the function's name per language (C#, JS, Python,
    /// Rust), after what the experiment says the items are.
    list: &'static str,
    func: [&'static str; 4],
    what: &'static str,
}

/// The two kernels that split a range of numbers or rows.
#[derive(Clone, Copy)]
enum Range {
    Primes(u64),
    Rows(MandelbrotSpec),
}

impl Range {
    fn end(self) -> String {
        match self {
            Range::Primes(limit) => grouped(limit),
            Range::Rows(spec) => grouped(u64::from(spec.height)),
        }
    }

    /// The kernel function's name.
    fn func(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Range::Primes(_), Lang::CSharp) => "CountPrimes",
            (Range::Primes(_), Lang::JavaScript) => "countPrimes",
            (Range::Primes(_), _) => "count_primes",
            (Range::Rows(_), Lang::CSharp) => "RenderRows",
            (Range::Rows(_), Lang::JavaScript) => "renderRows",
            (Range::Rows(_), _) => "render_rows",
        }
    }

    /// The kernel over `from` to `to` (excluded).
    fn call(self, lang: Lang, from: &str, to: &str) -> String {
        let f = self.func(lang);
        if lang == Lang::Rust {
            format!("{f}({from}..{to})")
        } else {
            format!("{f}({from}, {to})")
        }
    }

    /// What the answer is called: a count of primes, or a checksum of iterations.
    fn answer(self) -> &'static str {
        match self {
            Range::Primes(_) => "count",
            Range::Rows(_) => "total",
        }
    }

    /// The name of the range's end in code.
    fn end_name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Range::Primes(_), Lang::CSharp) => "Limit",
            (Range::Primes(_), _) => "limit",
            (Range::Rows(_), Lang::CSharp) => "Height",
            (Range::Rows(_), _) => "height",
        }
    }

    /// The declaration of the range's end.
    fn end_decl(self, lang: Lang) -> String {
        let (name, end) = (self.end_name(lang), self.end());
        match (self, lang) {
            (Range::Primes(_), Lang::CSharp) => format!("const long {name} = {end};"),
            (Range::Rows(_), Lang::CSharp) => format!("const int {name} = {end};"),
            (_, Lang::JavaScript) => format!("const {name} = {end};"),
            (_, Lang::Python) => format!("{name} = {end}"),
            (Range::Primes(_), Lang::Rust) => format!("let {name}: u64 = {end};"),
            (Range::Rows(_), Lang::Rust) => format!("let {name}: u32 = {end};"),
        }
    }
}

impl<'a> Cpu<'a> {
    fn new(experiment: Experiment, spec: &'a CpuSpec) -> Cpu<'a> {
        let (list, func, what) = match experiment {
            Experiment::Purchases => (
                "purchases",
                ["Purchase", "purchase", "purchase", "purchase"],
                "A purchase that blocks its thread for ms: busy, so it holds a core the whole time.",
            ),
            Experiment::Pipeline => (
                "orders",
                ["ProcessOrder", "processOrder", "process_order", "process_order"],
                "Processing one order: CPU work that keeps its thread busy for ms.",
            ),
            Experiment::Invoke => (
                "actions",
                ["Work", "work", "work", "work"],
                "An action that keeps its thread busy for ms: CPU work, not a wait.",
            ),
            _ => (
                "items",
                ["Work", "work", "work", "work"],
                "One item of work that keeps its thread busy for ms: CPU work, not a wait.",
            ),
        };
        Cpu {
            spec,
            list,
            func,
            what,
        }
    }

    fn range(&self) -> Option<Range> {
        match &self.spec.kernel {
            Kernel::Primes { limit } => Some(Range::Primes(*limit)),
            Kernel::Mandelbrot { spec } => Some(Range::Rows(*spec)),
            Kernel::Burn { .. } => None,
        }
    }

    fn burns(&self) -> &[u32] {
        match &self.spec.kernel {
            Kernel::Burn { ms } => ms,
            _ => &[],
        }
    }

    fn has(&self, modes: &[CpuMode]) -> bool {
        self.spec.modes.iter().any(|m| modes.contains(m))
    }

    /// Workers of the parallel modes; 0 leaves the count to the machine.
    fn workers(&self) -> u32 {
        self.spec.workers.min(MAX_WORKERS)
    }

    fn func(&self, lang: Lang) -> &'static str {
        self.func[Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)]
    }

    /// The burn list's declaration inside a snippet (none when the setup declares it).
    fn burn_decl(&self, lang: Lang) -> Option<String> {
        let ms = self.burns();
        match (is_long(ms), lang) {
            (false, _) => Some(list_decl(lang, self.list, ms)),
            (true, Lang::Rust) => Some(format!("let {0} = {0}();", self.list)),
            (true, _) => None,
        }
    }

    fn workers_decl(&self, lang: Lang) -> String {
        let w = self.workers();
        match (lang, w) {
            (Lang::CSharp, 0) => "var workers = Environment.ProcessorCount;".into(),
            (Lang::CSharp, w) => format!("var workers = {w};"),
            (Lang::JavaScript, 0) => "const workers = navigator.hardwareConcurrency;".into(),
            (Lang::JavaScript, w) => format!("const workers = {w};"),
            (Lang::Python, 0) => "workers = os.cpu_count() or 1".into(),
            (Lang::Python, w) => format!("workers = {w}"),
            (Lang::Rust, _) => "let workers = rayon::current_num_threads();".into(),
        }
    }

    /// Rust: the global rayon pool sized as the experiment says (nothing when left to rayon).
    fn rs_pool(&self, o: &mut Out) {
        let w = self.workers();
        if w > 0 {
            o.l("rayon::ThreadPoolBuilder::new()");
            o.under(&format!(".num_threads({w})"));
            o.under(".build_global()");
            o.under(".expect(\"the global pool is built once\");");
        }
    }

    fn why(&self, mode: CpuMode, lang: Lang) -> String {
        match mode {
            CpuMode::MainThread => match lang {
                Lang::CSharp => "On the UI thread: the window freezes (no clicks, no painting) \
                                 until it returns."
                    .into(),
                Lang::JavaScript => "In the page: nothing else runs (no clicks, no timers, no \
                                     painting) until it returns."
                    .into(),
                Lang::Python => {
                    "On the event loop's thread: no other task runs until it returns.".into()
                }
                Lang::Rust => "Inside an async fn: this executor thread runs nothing else until \
                               it returns."
                    .into(),
            },
            CpuMode::OneWorker => match lang {
                Lang::CSharp => "On a thread-pool thread (Task.Run): the UI stays responsive; the \
                                 work is no faster."
                    .into(),
                Lang::JavaScript => "On one Web Worker: the page stays responsive; the work is no \
                                     faster."
                    .into(),
                Lang::Python => "In one worker process: the event loop stays free; the work is no \
                                 faster."
                    .into(),
                Lang::Rust => "On a blocking thread of its own: the executor stays free; the work \
                               is no faster."
                    .into(),
            },
            CpuMode::Static => {
                let skew = match self.range() {
                    Some(Range::Primes(_)) => {
                        " The last range holds the biggest numbers, which cost the most, so its \
                         worker finishes last while the others idle."
                    }
                    Some(Range::Rows(_)) => {
                        " Rows through the set cost the most, so the workers holding them finish \
                         last."
                    }
                    None => " Each worker runs its own consecutive items.",
                };
                format!("Equal parts, one per worker, fixed in advance.{skew}")
            }
            CpuMode::Dynamic => match (lang, self.range()) {
                (Lang::Rust, _) => "rayon splits the work and idle threads steal from busy ones \
                                    (work stealing), so all finish at about the same time."
                    .into(),
                (Lang::CSharp, None) if self.invoke() => "Each action on a thread of its own: all \
                                                          start together, done when the longest \
                                                          is done."
                    .into(),
                (_, None) => "A shared queue: whichever worker is free takes the next item.".into(),
                (_, Some(_)) => format!(
                    "Many small chunks ({CHUNKS_PER_WORKER} per worker) in a shared queue: \
                     whichever worker is free takes the next, so all finish at about the same \
                     time."
                ),
            },
            CpuMode::Pipeline => format!(
                "Async for the waits, parallel for the computing: fetch ({PIPELINE_FETCH_MS} ms \
                 of I/O), process on every worker, save ({PIPELINE_SAVE_MS} ms), pause \
                 ({PIPELINE_WAIT_MS} ms), repeat."
            ),
        }
    }

    /// C# runs a few burn items with `Parallel.Invoke`, as the article does.
    fn invoke(&self) -> bool {
        (1..=4).contains(&self.burns().len()) && self.range().is_none()
    }

    fn setup(&self, lang: Lang) -> String {
        match lang {
            Lang::CSharp => self.cs_setup(),
            Lang::JavaScript => self.js_setup(),
            Lang::Python => self.py_setup(),
            Lang::Rust => self.rs_setup(),
        }
    }

    fn mode(&self, mode: CpuMode, lang: Lang) -> String {
        match lang {
            Lang::CSharp => self.cs(mode),
            Lang::JavaScript => self.js(mode),
            Lang::Python => self.py(mode),
            Lang::Rust => self.rs(mode),
        }
    }

    /// The pause's comment: the page shortens the article's pause.
    fn pause_note(&self) -> &'static str {
        "pause (the article waits 5 s)"
    }
}

/// The view of the Mandelbrot set as numbers for code: real start and span, imaginary start and
/// span.
fn view() -> [String; 4] {
    let f = |x: f64| format!("{x:?}");
    [
        f(MANDELBROT_RE.start),
        f(MANDELBROT_RE.end - MANDELBROT_RE.start),
        f(MANDELBROT_IM.start),
        f(MANDELBROT_IM.end - MANDELBROT_IM.start),
    ]
}

// -- C# -------------------------------------------------------------------------------------------

impl Cpu<'_> {
    fn cs_setup(&self) -> String {
        let mut o = Out::new(Lang::CSharp);
        let range = self.range();
        if range.is_some() && self.has(&[CpuMode::Dynamic, CpuMode::Pipeline]) {
            o.l("using System.Collections.Concurrent;");
        }
        if range.is_none() {
            o.l("using System.Diagnostics;");
        }
        if !o.lines.is_empty() {
            o.blank();
        }
        match range {
            Some(Range::Primes(_)) => {
                o.comment("Trial division up to the square root: honest CPU work whose cost grows with n.");
                o.l("static bool IsPrime(long n)");
                o.open("{");
                o.l("if (n < 2) return false;");
                o.l("if (n < 4) return true;");
                o.l("if (n % 2 == 0) return false;");
                o.l("for (long d = 3; d * d <= n; d += 2)");
                o.under("if (n % d == 0) return false;");
                o.l("return true;");
                o.close("}");
                o.blank();
                o.comment("How many primes lie between from (included) and to (excluded).");
                o.l("static int CountPrimes(long from, long to)");
                o.open("{");
                o.l("var count = 0;");
                o.l("for (var n = from; n < to; n++)");
                o.under("if (IsPrime(n)) count++;");
                o.l("return count;");
                o.close("}");
            }
            Some(Range::Rows(spec)) => {
                let [re0, re, im0, im] = view();
                let (w, h, it) = (spec.width, spec.height, spec.max_iter);
                o.comment(&format!(
                    "Escape-time iterations of every pixel in rows from..to of a {w} × {h} image, \
                     summed. Rows through the set cost the most."
                ));
                o.l("static long RenderRows(int from, int to)");
                o.open("{");
                o.l("long total = 0;");
                o.l("for (var y = from; y < to; y++)");
                o.open("{");
                o.l(&format!("var cy = {im0} + (y + 0.5) * {im} / {h};"));
                o.l(&format!("for (var x = 0; x < {w}; x++)"));
                o.open("{");
                o.l(&format!("var cx = {re0} + (x + 0.5) * {re} / {w};"));
                o.l("double zr = 0, zi = 0;");
                o.l("var i = 0;");
                o.l(&format!("for (; i < {it} && zr * zr + zi * zi <= 4; i++)"));
                o.under("(zr, zi) = (zr * zr - zi * zi + cx, 2 * zr * zi + cy);");
                o.l("total += i;");
                o.close("}");
                o.close("}");
                o.l("return total;");
                o.close("}");
            }
            None => {
                if is_long(self.burns()) {
                    o.comment("How long each item keeps its thread busy, in ms.");
                    o.l(&list_setup(Lang::CSharp, self.list, self.burns()));
                    o.blank();
                }
                o.comment(self.what);
                o.l(&format!("static void {}(int ms)", self.func(Lang::CSharp)));
                o.open("{");
                o.l("var clock = Stopwatch.StartNew();");
                o.l("while (clock.ElapsedMilliseconds < ms)");
                o.under("Thread.SpinWait(1_000);");
                o.close("}");
            }
        }
        o.done()
    }

    /// C#'s shared-queue run: the lines before (constants, options) and the work itself.
    fn cs_dynamic(&self, with_decl: bool) -> (Vec<String>, Vec<String>) {
        let lang = Lang::CSharp;
        let w = self.workers();
        let options = "var options = new ParallelOptions { MaxDegreeOfParallelism = workers };";
        match self.range() {
            Some(r) => {
                let end = r.end_name(lang);
                let zero = if matches!(r, Range::Primes(_)) {
                    "0L"
                } else {
                    "0"
                };
                let (var, init) = match r {
                    Range::Primes(_) => ("count", "var count = 0;"),
                    Range::Rows(_) => ("total", "long total = 0;"),
                };
                (
                    vec![r.end_decl(lang), self.workers_decl(lang), options.into()],
                    vec![
                        format!(
                            "var chunks = Partitioner.Create({zero}, {end}, {end} / (workers * {CHUNKS_PER_WORKER}) + 1); // {CHUNKS_PER_WORKER} chunks per worker"
                        ),
                        init.into(),
                        "Parallel.ForEach(chunks, options, range =>".into(),
                        "{".into(),
                        format!(
                            "    Interlocked.Add(ref {var}, {});",
                            r.call(lang, "range.Item1", "range.Item2")
                        ),
                        "});".into(),
                        format!("Console.WriteLine({var});"),
                    ],
                )
            }
            None => {
                let f = self.func(lang);
                let mut work: Vec<String> = Vec::new();
                if self.invoke() {
                    let opts = if w > 0 && (w as usize) < self.burns().len() {
                        format!("new ParallelOptions {{ MaxDegreeOfParallelism = {w} }}, ")
                    } else {
                        String::new()
                    };
                    let actions: Vec<String> = self
                        .burns()
                        .iter()
                        .map(|ms| format!("() => {f}({ms})"))
                        .collect();
                    work.push(format!("Parallel.Invoke({opts}{});", actions.join(", ")));
                    return (Vec::new(), work);
                }
                let mut pre = Vec::new();
                if w > 0 {
                    pre.push(format!(
                        "var options = new ParallelOptions {{ MaxDegreeOfParallelism = {w} }};"
                    ));
                }
                if with_decl {
                    work.extend(self.burn_decl(lang));
                }
                let opts = if w > 0 { "options, " } else { "" };
                work.push(format!(
                    "Parallel.ForEach({}, {opts}{f}); // this thread helps, then waits",
                    self.list
                ));
                (pre, work)
            }
        }
    }

    fn cs(&self, mode: CpuMode) -> String {
        let lang = Lang::CSharp;
        let mut o = Out::new(lang);
        o.comment(&self.why(mode, lang));
        let f = self.func(lang);
        let l = self.list;
        match (self.range(), mode) {
            (Some(r), CpuMode::MainThread) => {
                o.l(&format!(
                    "var {} = {};",
                    r.answer(),
                    r.call(lang, "0", &r.end())
                ));
                o.l(&format!("Console.WriteLine({});", r.answer()));
            }
            (Some(r), CpuMode::OneWorker) => {
                o.l(&format!(
                    "var {} = await Task.Run(() => {});",
                    r.answer(),
                    r.call(lang, "0", &r.end())
                ));
                o.l(&format!("Console.WriteLine({});", r.answer()));
            }
            (Some(r), CpuMode::Static) => {
                let end = r.end_name(lang);
                let ty = if matches!(r, Range::Primes(_)) {
                    "int"
                } else {
                    "long"
                };
                o.l(&r.end_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(&format!("var parts = new {ty}[workers];"));
                o.l("Parallel.For(0, workers, w =>");
                o.open("{");
                o.l(&format!(
                    "parts[w] = {};",
                    r.call(
                        lang,
                        &format!("{end} * w / workers"),
                        &format!("{end} * (w + 1) / workers")
                    )
                ));
                o.close("});");
                o.l("Console.WriteLine(parts.Sum());");
            }
            (None, CpuMode::MainThread) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&format!("foreach (var ms in {l})"));
                o.under(&format!("{f}(ms);"));
            }
            (None, CpuMode::OneWorker) => {
                o.l_opt(self.burn_decl(lang));
                o.l("await Task.Run(() =>");
                o.open("{");
                o.l(&format!("foreach (var ms in {l})"));
                o.under(&format!("{f}(ms);"));
                o.close("});");
            }
            (None, CpuMode::Static) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l("Parallel.For(0, workers, w =>");
                o.open("{");
                o.l(&format!(
                    "for (var i = {l}.Length * w / workers; i < {l}.Length * (w + 1) / workers; i++)"
                ));
                o.under(&format!("{f}({l}[i]);"));
                o.close("});");
            }
            (_, CpuMode::Dynamic) => {
                let (pre, work) = self.cs_dynamic(true);
                pre.iter().chain(&work).for_each(|x| o.l(x));
            }
            (_, CpuMode::Pipeline) => {
                let (pre, work) = self.cs_dynamic(true);
                pre.iter().for_each(|x| o.l(x));
                o.l(&format!(
                    "for (var cycle = 1; cycle <= {PIPELINE_CYCLES}; cycle++) // a service loops until stopped"
                ));
                o.open("{");
                o.l(&format!(
                    "await Task.Delay({PIPELINE_FETCH_MS}); // fetch the input: I/O, no thread held"
                ));
                work.iter().for_each(|x| o.l(x));
                o.l(&format!(
                    "await Task.Delay({PIPELINE_SAVE_MS}); // save the results: I/O"
                ));
                o.l(&format!(
                    "await Task.Delay({PIPELINE_WAIT_MS}); // {}",
                    self.pause_note()
                ));
                o.close("}");
            }
        }
        o.done()
    }
}

// -- JavaScript -----------------------------------------------------------------------------------

impl Cpu<'_> {
    fn js_setup(&self) -> String {
        let mut o = Out::new(Lang::JavaScript);
        let fns: Vec<&str> = match self.range() {
            Some(Range::Primes(_)) => {
                o.comment("Trial division up to the square root: honest CPU work whose cost grows with n.");
                o.open("function isPrime(n) {");
                o.l("if (n < 2) return false;");
                o.l("if (n < 4) return true;");
                o.l("if (n % 2 === 0) return false;");
                o.open("for (let d = 3; d * d <= n; d += 2) {");
                o.l("if (n % d === 0) return false;");
                o.close("}");
                o.l("return true;");
                o.close("}");
                o.blank();
                o.comment("How many primes lie between from (included) and to (excluded).");
                o.open("function countPrimes(from, to) {");
                o.l("let count = 0;");
                o.open("for (let n = from; n < to; n++) {");
                o.l("if (isPrime(n)) count++;");
                o.close("}");
                o.l("return count;");
                o.close("}");
                vec!["isPrime", "countPrimes"]
            }
            Some(Range::Rows(spec)) => {
                let [re0, re, im0, im] = view();
                let (w, h, it) = (spec.width, spec.height, spec.max_iter);
                o.comment(&format!(
                    "Escape-time iterations of every pixel in rows from..to of a {w} × {h} image, \
                     summed. Rows through the set cost the most."
                ));
                o.open("function renderRows(from, to) {");
                o.l("let total = 0;");
                o.open("for (let y = from; y < to; y++) {");
                o.l(&format!("const cy = {im0} + ((y + 0.5) * {im}) / {h};"));
                o.open(&format!("for (let x = 0; x < {w}; x++) {{"));
                o.l(&format!("const cx = {re0} + ((x + 0.5) * {re}) / {w};"));
                o.l("let [zr, zi, i] = [0, 0, 0];");
                o.open(&format!(
                    "for (; i < {it} && zr * zr + zi * zi <= 4; i++) {{"
                ));
                o.l("[zr, zi] = [zr * zr - zi * zi + cx, 2 * zr * zi + cy];");
                o.close("}");
                o.l("total += i;");
                o.close("}");
                o.close("}");
                o.l("return total;");
                o.close("}");
                vec!["renderRows"]
            }
            None => {
                if is_long(self.burns()) {
                    o.comment("How long each item keeps its thread busy, in ms.");
                    o.l(&list_setup(Lang::JavaScript, self.list, self.burns()));
                    o.blank();
                }
                o.comment(self.what);
                o.open(&format!("function {}(ms) {{", self.func(Lang::JavaScript)));
                o.l("const end = performance.now() + ms;");
                o.open("while (performance.now() < end) {");
                o.comment("spin: the thread stays busy");
                o.close("}");
                o.close("}");
                vec![self.func(Lang::JavaScript)]
            }
        };
        if self.has(&[CpuMode::Pipeline]) {
            o.blank();
            o.l("const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));");
        }
        if !self.has(&[
            CpuMode::OneWorker,
            CpuMode::Static,
            CpuMode::Dynamic,
            CpuMode::Pipeline,
        ]) {
            return o.done();
        }
        o.blank();
        o.comment("A Web Worker running the functions above: run(fn, ...args) posts one job and resolves with its answer.");
        o.l(&format!(
            "const source = [{}].join(\"\\n\") +",
            fns.join(", ")
        ));
        o.under("\"\\nonmessage = (e) => postMessage(self[e.data.fn](...e.data.args));\";");
        o.l("const workerUrl = URL.createObjectURL(new Blob([source], { type: \"text/javascript\" }));");
        o.blank();
        o.open("function newWorker() {");
        o.l("const worker = new Worker(workerUrl);");
        o.l("const run = (fn, ...args) =>");
        o.l("  new Promise((resolve, reject) => {");
        o.l("    worker.onmessage = (e) => resolve(e.data);");
        o.l("    worker.onerror = reject;");
        o.l("    worker.postMessage({ fn, args });");
        o.l("  });");
        o.l("return { run, stop: () => worker.terminate() };");
        o.close("}");
        if self.range().is_some() && self.has(&[CpuMode::OneWorker, CpuMode::Static]) {
            o.blank();
            o.comment("One job on a worker of its own.");
            o.open("async function runInWorker(fn, ...args) {");
            o.l("const worker = newWorker();");
            o.open("try {");
            o.l("return await worker.run(fn, ...args);");
            o.close("} finally {");
            o.under("worker.stop();");
            o.l("}");
            o.close("}");
        }
        o.done()
    }

    /// JavaScript's shared-queue run: the lines before (constants) and the work itself.
    fn js_dynamic(&self, with_decl: bool) -> (Vec<String>, Vec<String>) {
        let lang = Lang::JavaScript;
        let queue = |cond: &str, body: &[String], done: &str| {
            let mut w = vec![
                "await Promise.all(".to_string(),
                "  Array.from({ length: workers }, async () => {".into(),
                "    const worker = newWorker();".into(),
                format!("    while ({cond}) {{"),
            ];
            w.extend(body.iter().map(|b| format!("      {b}")));
            w.extend([
                "    }".to_string(),
                "    worker.stop();".into(),
                "  }),".into(),
                ");".into(),
            ]);
            w.extend((!done.is_empty()).then(|| done.to_string()));
            w
        };
        match self.range() {
            Some(r) => {
                let end = r.end_name(lang);
                let var = r.answer();
                let pre = vec![
                    r.end_decl(lang),
                    self.workers_decl(lang),
                    format!(
                        "const chunk = Math.ceil({end} / (workers * {CHUNKS_PER_WORKER})); // {CHUNKS_PER_WORKER} chunks per worker"
                    ),
                ];
                let mut work = vec!["let next = 0;".to_string(), format!("let {var} = 0;")];
                work.extend(queue(
                    &format!("next < {end}"),
                    &[
                        "const from = next;".into(),
                        format!("const to = Math.min(from + chunk, {end});"),
                        "next = to;".into(),
                        format!(
                            "const part = await worker.run(\"{}\", from, to);",
                            r.func(lang)
                        ),
                        format!("{var} += part; // after the await: nothing is lost"),
                    ],
                    &format!("console.log({var});"),
                ));
                (pre, work)
            }
            None => {
                let l = self.list;
                let mut work: Vec<String> = Vec::new();
                if with_decl {
                    work.extend(self.burn_decl(lang));
                }
                work.push("let next = 0;".into());
                work.extend(queue(
                    &format!("next < {l}.length"),
                    &[format!(
                        "await worker.run(\"{}\", {l}[next++]);",
                        self.func(lang)
                    )],
                    "",
                ));
                (vec![self.workers_decl(lang)], work)
            }
        }
    }

    fn js(&self, mode: CpuMode) -> String {
        let lang = Lang::JavaScript;
        let mut o = Out::new(lang);
        o.comment(&self.why(mode, lang));
        let f = self.func(lang);
        let l = self.list;
        match (self.range(), mode) {
            (Some(r), CpuMode::MainThread) => {
                o.l(&format!(
                    "const {} = {};",
                    r.answer(),
                    r.call(lang, "0", &r.end())
                ));
                o.l(&format!("console.log({});", r.answer()));
            }
            (Some(r), CpuMode::OneWorker) => {
                o.l(&format!(
                    "const {} = await runInWorker(\"{}\", 0, {});",
                    r.answer(),
                    r.func(lang),
                    r.end()
                ));
                o.l(&format!("console.log({});", r.answer()));
            }
            (Some(r), CpuMode::Static) => {
                let end = r.end_name(lang);
                o.l(&r.end_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(&format!(
                    "const bound = (w) => Math.floor(({end} * w) / workers);"
                ));
                o.l("const parts = await Promise.all(");
                o.l(&format!(
                    "  Array.from({{ length: workers }}, (_, w) => runInWorker(\"{}\", bound(w), bound(w + 1))),",
                    r.func(lang)
                ));
                o.l(");");
                o.l("console.log(parts.reduce((a, b) => a + b, 0));");
            }
            (None, CpuMode::MainThread) => {
                o.l_opt(self.burn_decl(lang));
                o.open(&format!("for (const ms of {l}) {{"));
                o.l(&format!("{f}(ms);"));
                o.close("}");
            }
            (None, CpuMode::OneWorker) => {
                o.l_opt(self.burn_decl(lang));
                o.l("const worker = newWorker();");
                o.open(&format!("for (const ms of {l}) {{"));
                o.l(&format!("await worker.run(\"{f}\", ms);"));
                o.close("}");
                o.l("worker.stop();");
            }
            (None, CpuMode::Static) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(&format!(
                    "const bound = (w) => Math.floor(({l}.length * w) / workers);"
                ));
                o.l("await Promise.all(");
                o.l("  Array.from({ length: workers }, async (_, w) => {");
                o.l("    const worker = newWorker();");
                o.l(&format!(
                    "    for (const ms of {l}.slice(bound(w), bound(w + 1))) {{"
                ));
                o.l(&format!("      await worker.run(\"{f}\", ms);"));
                o.l("    }");
                o.l("    worker.stop();");
                o.l("  }),");
                o.l(");");
            }
            (_, CpuMode::Dynamic) => {
                let (pre, work) = self.js_dynamic(true);
                pre.iter().chain(&work).for_each(|x| o.l(x));
            }
            (_, CpuMode::Pipeline) => {
                let (pre, work) = self.js_dynamic(true);
                pre.iter().for_each(|x| o.l(x));
                o.open(&format!(
                    "for (let cycle = 1; cycle <= {PIPELINE_CYCLES}; cycle++) {{"
                ));
                o.comment("A service loops until stopped.");
                o.l(&format!(
                    "await sleep({PIPELINE_FETCH_MS}); // fetch the input: I/O, the page stays free"
                ));
                work.iter().for_each(|x| o.l(x));
                o.l(&format!(
                    "await sleep({PIPELINE_SAVE_MS}); // save the results: I/O"
                ));
                o.l(&format!(
                    "await sleep({PIPELINE_WAIT_MS}); // {}",
                    self.pause_note()
                ));
                o.close("}");
            }
        }
        o.done()
    }
}

// -- Python ---------------------------------------------------------------------------------------

impl Cpu<'_> {
    /// Python: the parallel modes need `os.cpu_count()` when the worker count is left open.
    fn py_needs_os(&self) -> bool {
        self.workers() == 0 && self.has(&[CpuMode::Static, CpuMode::Dynamic, CpuMode::Pipeline])
    }

    fn py_setup(&self) -> String {
        let mut o = Out::new(Lang::Python);
        if self.has(&[CpuMode::MainThread, CpuMode::OneWorker, CpuMode::Pipeline]) {
            o.l("import asyncio");
        }
        if matches!(self.range(), Some(Range::Primes(_))) {
            o.l("import math");
        }
        if self.py_needs_os() {
            o.l("import os");
        }
        if self.range().is_none() {
            o.l("import time");
        }
        if self.has(&[
            CpuMode::OneWorker,
            CpuMode::Static,
            CpuMode::Dynamic,
            CpuMode::Pipeline,
        ]) {
            o.l("from concurrent.futures import ProcessPoolExecutor");
        }
        match self.range() {
            Some(Range::Primes(_)) => {
                o.blank();
                o.blank();
                o.open("def is_prime(n: int) -> bool:");
                o.docstring("Trial division up to the square root: honest CPU work whose cost grows with n.");
                o.l("if n < 4:");
                o.under("return n >= 2");
                o.l("if n % 2 == 0:");
                o.under("return False");
                o.l("return all(n % d for d in range(3, math.isqrt(n) + 1, 2))");
                o.depth = 0;
                o.blank();
                o.blank();
                o.open("def count_primes(start: int, end: int) -> int:");
                o.docstring("How many primes lie between start (included) and end (excluded).");
                o.l("return sum(1 for n in range(start, end) if is_prime(n))");
                o.depth = 0;
            }
            Some(Range::Rows(spec)) => {
                let [re0, re, im0, im] = view();
                let (w, h, it) = (spec.width, spec.height, spec.max_iter);
                o.blank();
                o.blank();
                o.open("def render_rows(start: int, end: int) -> int:");
                o.docstring(&format!(
                    "Escape-time iterations of every pixel in rows start..end of a {w} × {h} image."
                ));
                o.l("total = 0");
                o.open("for y in range(start, end):");
                o.l(&format!("cy = {im0} + (y + 0.5) * {im} / {h}"));
                o.open(&format!("for x in range({w}):"));
                o.l(&format!("c = complex({re0} + (x + 0.5) * {re} / {w}, cy)"));
                o.l("z, i = 0j, 0");
                o.open(&format!("while i < {it} and abs(z) <= 2:"));
                o.l("z = z * z + c");
                o.l("i += 1");
                o.depth -= 1;
                o.l("total += i");
                o.depth = 1;
                o.l("return total");
                o.depth = 0;
            }
            None => {
                let f = self.func(Lang::Python);
                if is_long(self.burns()) {
                    o.blank();
                    o.comment("How long each item keeps its process busy, in ms.");
                    o.l(&list_setup(Lang::Python, self.list, self.burns()));
                }
                o.blank();
                o.blank();
                o.open(&format!("def {f}(ms: int) -> None:"));
                o.docstring(self.what);
                o.l("end = time.perf_counter() + ms / 1000");
                o.open("while time.perf_counter() < end:");
                o.l("pass  # busy: the core stays taken");
                o.depth = 0;
                if self.has(&[CpuMode::OneWorker, CpuMode::Static]) {
                    o.blank();
                    o.blank();
                    o.open("def run_all(items: list[int]) -> None:");
                    o.docstring("The items one after another, on one worker.");
                    o.open("for ms in items:");
                    o.l(&format!("{f}(ms)"));
                    o.depth = 0;
                }
            }
        }
        o.done()
    }

    fn py(&self, mode: CpuMode) -> String {
        let lang = Lang::Python;
        let mut o = Out::new(lang);
        let is_async = matches!(
            mode,
            CpuMode::MainThread | CpuMode::OneWorker | CpuMode::Pipeline
        );
        o.open(if is_async {
            "async def main() -> None:"
        } else {
            "def main() -> None:"
        });
        o.comment(&self.why(mode, lang));
        let f = self.func(lang);
        let l = self.list;
        let pool = |o: &mut Out, workers: &str| {
            o.open(&format!(
                "with ProcessPoolExecutor(max_workers={workers}) as pool:"
            ));
        };
        if matches!(mode, CpuMode::OneWorker | CpuMode::Pipeline) {
            o.l("loop = asyncio.get_running_loop()");
        }
        match (self.range(), mode) {
            (Some(r), CpuMode::MainThread) => {
                o.l(&format!("{} = {}", r.answer(), r.call(lang, "0", &r.end())));
                o.l(&format!("print({})", r.answer()));
            }
            (Some(r), CpuMode::OneWorker) => {
                pool(&mut o, "1");
                o.l(&format!(
                    "{} = await loop.run_in_executor(pool, {}, 0, {})",
                    r.answer(),
                    r.func(lang),
                    r.end()
                ));
                o.depth -= 1;
                o.l(&format!("print({})", r.answer()));
            }
            (Some(r), CpuMode::Static) => {
                let end = r.end_name(lang);
                o.l(&r.end_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(&format!(
                    "bounds = [{end} * w // workers for w in range(workers + 1)]"
                ));
                pool(&mut o, "workers");
                o.l(&format!(
                    "{} = sum(pool.map({}, bounds[:-1], bounds[1:]))",
                    r.answer(),
                    r.func(lang)
                ));
                o.depth -= 1;
                o.l(&format!("print({})", r.answer()));
            }
            (Some(r), CpuMode::Dynamic | CpuMode::Pipeline) => {
                let end = r.end_name(lang);
                o.l(&r.end_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(&format!(
                    "chunk = -(-{end} // (workers * {CHUNKS_PER_WORKER}))  # rounded up: {CHUNKS_PER_WORKER} chunks per worker"
                ));
                o.l(&format!("starts = range(0, {end}, chunk)"));
                o.l(&format!(
                    "ends = [min(start + chunk, {end}) for start in starts]"
                ));
                pool(&mut o, "workers");
                if mode == CpuMode::Dynamic {
                    o.comment("Each process takes the next chunk as soon as it is free.");
                    o.l(&format!(
                        "{} = sum(pool.map({}, starts, ends))",
                        r.answer(),
                        r.func(lang)
                    ));
                    o.depth -= 1;
                    o.l(&format!("print({})", r.answer()));
                } else {
                    self.py_cycle(&mut o, &[
                        format!(
                            "jobs = (loop.run_in_executor(pool, {}, s, e) for s, e in zip(starts, ends))",
                            r.func(lang)
                        ),
                        "print(sum(await asyncio.gather(*jobs)))".into(),
                    ]);
                }
            }
            (None, CpuMode::MainThread) => {
                o.l_opt(self.burn_decl(lang));
                o.open(&format!("for ms in {l}:"));
                o.l(&format!("{f}(ms)"));
            }
            (None, CpuMode::OneWorker) => {
                o.l_opt(self.burn_decl(lang));
                pool(&mut o, "1");
                o.l(&format!("await loop.run_in_executor(pool, run_all, {l})"));
            }
            (None, CpuMode::Static) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(&format!("n = len({l})"));
                o.l(&format!(
                    "parts = [{l}[n * w // workers : n * (w + 1) // workers] for w in range(workers)]"
                ));
                pool(&mut o, "workers");
                o.l("list(pool.map(run_all, parts))");
            }
            (None, CpuMode::Dynamic) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&self.workers_decl(lang));
                pool(&mut o, "workers");
                o.l(&format!("list(pool.map({f}, {l}))"));
            }
            (None, CpuMode::Pipeline) => {
                o.l(&self.workers_decl(lang));
                pool(&mut o, "workers");
                let mut work: Vec<String> = self.burn_decl(lang).into_iter().collect();
                work.push(format!(
                    "jobs = (loop.run_in_executor(pool, {f}, ms) for ms in {l})"
                ));
                work.push("await asyncio.gather(*jobs)".into());
                self.py_cycle(&mut o, &work);
            }
        }
        o.depth = 0;
        o.blank();
        o.blank();
        o.open("if __name__ == \"__main__\":");
        o.l(if is_async {
            "asyncio.run(main())"
        } else {
            "main()"
        });
        o.done()
    }

    /// Python: the pipeline's loop, with `work` between the fetch and the save.
    fn py_cycle(&self, o: &mut Out, work: &[String]) {
        o.open(&format!(
            "for _ in range({PIPELINE_CYCLES}):  # a service loops until stopped"
        ));
        o.l(&format!(
            "await asyncio.sleep({})  # fetch the input: {PIPELINE_FETCH_MS} ms of I/O",
            secs(PIPELINE_FETCH_MS)
        ));
        work.iter().for_each(|w| o.l(w));
        o.l(&format!(
            "await asyncio.sleep({})  # save the results: {PIPELINE_SAVE_MS} ms",
            secs(PIPELINE_SAVE_MS)
        ));
        o.l(&format!(
            "await asyncio.sleep({})  # {}",
            secs(PIPELINE_WAIT_MS),
            self.pause_note()
        ));
    }
}

// -- Rust -----------------------------------------------------------------------------------------

impl Cpu<'_> {
    fn rs_setup(&self) -> String {
        let mut o = Out::new(Lang::Rust);
        // Only what the kernel needs: each mode imports its own (rayon, tokio's sleep).
        if self.range().is_some() {
            o.l("use std::ops::Range;");
        } else {
            o.l("use std::time::{Duration, Instant};");
        }
        o.blank();
        match self.range() {
            Some(Range::Primes(_)) => {
                o.doc("Trial division up to the square root: honest CPU work whose cost grows with n.");
                o.open("fn is_prime(n: u64) -> bool {");
                o.open("if n < 4 {");
                o.l("return n >= 2;");
                o.close("}");
                o.open("if n % 2 == 0 {");
                o.l("return false;");
                o.close("}");
                o.l("(3..=n.isqrt()).step_by(2).all(|d| n % d != 0)");
                o.close("}");
                o.blank();
                o.doc("How many primes lie in `range`.");
                o.open("fn count_primes(range: Range<u64>) -> u64 {");
                o.l("range.filter(|&n| is_prime(n)).count() as u64");
                o.close("}");
            }
            Some(Range::Rows(spec)) => {
                let [re0, re, im0, im] = view();
                let (w, h, it) = (spec.width, spec.height, spec.max_iter);
                o.doc(&format!(
                    "Escape-time iterations of every pixel in `rows` of a {w} × {h} image, summed. \
                     Rows through the set cost the most."
                ));
                o.open("fn render_rows(rows: Range<u32>) -> u64 {");
                o.l("let mut total = 0;");
                o.open("for y in rows {");
                o.l(&format!(
                    "let cy = {im0} + (f64::from(y) + 0.5) * {im} / {h}.0;"
                ));
                o.open(&format!("for x in 0..{w} {{"));
                o.l(&format!(
                    "let cx = {re0} + (f64::from(x) + 0.5) * {re} / {w}.0;"
                ));
                o.l("let (mut zr, mut zi, mut i) = (0.0_f64, 0.0_f64, 0);");
                o.open(&format!("while i < {it} && zr * zr + zi * zi <= 4.0 {{"));
                o.l("(zr, zi) = (zr * zr - zi * zi + cx, 2.0 * zr * zi + cy);");
                o.l("i += 1;");
                o.close("}");
                o.l("total += i;");
                o.close("}");
                o.close("}");
                o.l("total");
                o.close("}");
            }
            None => {
                if is_long(self.burns()) {
                    o.doc("How long each item keeps its thread busy, in ms.");
                    o.l(&list_setup(Lang::Rust, self.list, self.burns()));
                    o.blank();
                }
                o.doc(self.what);
                o.open(&format!("fn {}(ms: u64) {{", self.func(Lang::Rust)));
                o.l("let end = Instant::now() + Duration::from_millis(ms);");
                o.open("while Instant::now() < end {");
                o.l("std::hint::spin_loop();");
                o.close("}");
                o.close("}");
            }
        }
        o.done()
    }

    /// Rust's work-stealing run as one expression (for a range kernel) or statement (burns).
    fn rs_dynamic(&self) -> String {
        let f = self.func(Lang::Rust);
        match self.range() {
            Some(Range::Primes(limit)) => format!(
                "(0..{}u64).into_par_iter().filter(|&n| is_prime(n)).count()",
                grouped(limit)
            ),
            Some(Range::Rows(spec)) => format!(
                "(0..{}u32).into_par_iter().map(|y| render_rows(y..y + 1)).sum::<u64>()",
                grouped(u64::from(spec.height))
            ),
            None => format!("{}.par_iter().for_each(|&ms| {f}(ms))", self.list),
        }
    }

    fn rs(&self, mode: CpuMode) -> String {
        let lang = Lang::Rust;
        let mut o = Out::new(lang);
        let is_async = matches!(
            mode,
            CpuMode::MainThread | CpuMode::OneWorker | CpuMode::Pipeline
        );
        if matches!(mode, CpuMode::Static | CpuMode::Dynamic | CpuMode::Pipeline) {
            o.l("use rayon::prelude::*;");
        }
        if mode == CpuMode::Pipeline {
            if self.range().is_some() {
                // A burn kernel's setup imports it already.
                o.l("use std::time::Duration;");
            }
            o.l("use tokio::time::sleep;");
        }
        if !o.lines.is_empty() {
            o.blank();
        }
        if is_async {
            o.l("#[tokio::main]");
            o.open("async fn main() {");
        } else {
            o.open("fn main() {");
        }
        o.comment(&self.why(mode, lang));
        let f = self.func(lang);
        let l = self.list;
        if matches!(mode, CpuMode::Static | CpuMode::Dynamic | CpuMode::Pipeline) {
            self.rs_pool(&mut o);
        }
        match (self.range(), mode) {
            (Some(r), CpuMode::MainThread) => {
                o.l(&format!(
                    "let {} = {};",
                    r.answer(),
                    r.call(lang, "0", &r.end())
                ));
                o.l(&format!("println!(\"{{{}}}\");", r.answer()));
            }
            (Some(r), CpuMode::OneWorker) => {
                o.l(&format!(
                    "let {} = tokio::task::spawn_blocking(|| {})",
                    r.answer(),
                    r.call(lang, "0", &r.end())
                ));
                o.under(".await");
                o.under(".expect(\"the computation panicked\");");
                o.l(&format!("println!(\"{{{}}}\");", r.answer()));
            }
            (Some(r), CpuMode::Static) => {
                let end = r.end_name(lang);
                let ty = if matches!(r, Range::Primes(_)) {
                    "u64"
                } else {
                    "u32"
                };
                o.l(&r.end_decl(lang));
                o.l(&format!(
                    "let workers = rayon::current_num_threads() as {ty};"
                ));
                o.l(&format!("let {}: u64 = (0..workers)", r.answer()));
                o.under(".into_par_iter()");
                o.under(&format!(
                    ".map(|w| {})",
                    r.call(
                        lang,
                        &format!("{end} * w / workers"),
                        &format!("{end} * (w + 1) / workers")
                    )
                ));
                o.under(".sum();");
                o.l(&format!("println!(\"{{{}}}\");", r.answer()));
            }
            (Some(r), CpuMode::Dynamic) => {
                o.l(&format!("let {} = {};", r.answer(), self.rs_dynamic()));
                o.l(&format!("println!(\"{{{}}}\");", r.answer()));
            }
            (Some(r), CpuMode::Pipeline) => {
                self.rs_cycle(&mut o, |o| {
                    o.l(&format!(
                        "let {} = tokio::task::spawn_blocking(|| {})",
                        r.answer(),
                        self.rs_dynamic()
                    ));
                    o.under(".await");
                    o.under(".expect(\"the computation panicked\");");
                    o.l(&format!("println!(\"{{{}}}\");", r.answer()));
                });
            }
            (None, CpuMode::MainThread) => {
                o.l_opt(self.burn_decl(lang));
                o.open(&format!("for &ms in &{l} {{"));
                o.l(&format!("{f}(ms);"));
                o.close("}");
            }
            (None, CpuMode::OneWorker) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&format!(
                    "tokio::task::spawn_blocking(move || {l}.iter().for_each(|&ms| {f}(ms)))"
                ));
                o.under(".await");
                o.under(".expect(\"the work panicked\");");
            }
            (None, CpuMode::Static) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&self.workers_decl(lang));
                o.l(l);
                o.under(&format!(".par_chunks({l}.len().div_ceil(workers).max(1))"));
                o.under(&format!(
                    ".for_each(|part| part.iter().for_each(|&ms| {f}(ms)));"
                ));
            }
            (None, CpuMode::Dynamic) => {
                o.l_opt(self.burn_decl(lang));
                o.l(&format!("{};", self.rs_dynamic()));
            }
            (None, CpuMode::Pipeline) => {
                self.rs_cycle(&mut o, |o| {
                    o.l_opt(self.burn_decl(lang));
                    o.l(&format!(
                        "tokio::task::spawn_blocking(move || {})",
                        self.rs_dynamic()
                    ));
                    o.under(".await");
                    o.under(".expect(\"the work panicked\");");
                });
            }
        }
        o.close("}");
        o.done()
    }

    /// Rust: the pipeline's loop, with `work` between the fetch and the save.
    fn rs_cycle(&self, o: &mut Out, work: impl FnOnce(&mut Out)) {
        o.open(&format!("for _cycle in 0..{PIPELINE_CYCLES} {{"));
        o.comment("A service loops until stopped.");
        o.l(&format!(
            "sleep(Duration::from_millis({PIPELINE_FETCH_MS})).await; // fetch the input: I/O"
        ));
        work(o);
        o.l(&format!(
            "sleep(Duration::from_millis({PIPELINE_SAVE_MS})).await; // save the results: I/O"
        ));
        o.l(&format!(
            "sleep(Duration::from_millis({PIPELINE_WAIT_MS})).await; // {}",
            self.pause_note()
        ));
        o.close("}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::{Behaviour, Retry};

    /// Every snippet of `scenario` in `lang`, joined.
    fn code(scenario: &Scenario, lang: Lang) -> String {
        snippets(scenario, lang)
            .into_iter()
            .map(|s| s.code)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Every strategy variant, the mistakes included.
    fn all_strategies() -> Vec<Strategy> {
        use Strategy::*;
        vec![
            Sequential,
            AllAtOnce { fail_fast: false },
            AllAtOnce { fail_fast: true },
            FirstWins { cancel_rest: false },
            FirstWins { cancel_rest: true },
            Throttled { limit: 3 },
            Streaming { concurrent: false },
            Streaming { concurrent: true },
            FireAndForget,
            SharedCounter { safe: false },
            SharedCounter { safe: true },
            BlockOnResult,
            WorkerPerCall,
        ]
    }

    const ALL_MODES: [CpuMode; 5] = [
        CpuMode::MainThread,
        CpuMode::OneWorker,
        CpuMode::Static,
        CpuMode::Dynamic,
        CpuMode::Pipeline,
    ];

    /// Scenarios that reach every branch: each workload shape with each behaviour, every
    /// strategy; each kernel with every mode, with and without a worker count.
    fn corner_scenarios() -> Vec<Scenario> {
        let workloads = vec![
            Workload::Uniform {
                count: 10,
                duration_ms: 500,
            },
            Workload::Custom(vec![2000, 3000, 1000]),
            Workload::Custom((0..40).map(|i| 100 + i * 7).collect()),
            Workload::Custom([vec![1000; 10], vec![500, 700]].concat()),
            Workload::Steps {
                count: 100,
                steps: vec![
                    Step {
                        label: "fetch (HTTP)".into(),
                        ms: 100,
                    },
                    Step {
                        label: "process".into(),
                        ms: 50,
                    },
                ],
            },
        ];
        let behaviours = vec![
            Behaviour::default(),
            Behaviour {
                jitter_ms: 50,
                fail: FailRule::Chance { percent: 20 },
                timeout_ms: Some(2000),
                group_timeout_ms: Some(2500),
                retry: Retry {
                    attempts: 4,
                    delay_ms: 100,
                    backoff: Backoff::Fixed,
                },
                ..Behaviour::default()
            },
            Behaviour {
                fail: FailRule::Tasks {
                    tasks: vec![0, 1, 2, 3, 4, 5, 6, 7],
                    times: 1,
                },
                retry: Retry {
                    attempts: 2,
                    delay_ms: 0,
                    backoff: Backoff::Exponential,
                },
                ..Behaviour::default()
            },
            Behaviour {
                timeout_ms: Some(700),
                ..Behaviour::default()
            },
        ];
        let mut out = Vec::new();
        for w in &workloads {
            for b in &behaviours {
                out.push(Scenario {
                    experiment: Experiment::WhenAll,
                    workload: w.clone(),
                    behaviour: b.clone(),
                    strategies: all_strategies(),
                    cpu: None,
                });
            }
        }
        let kernels = [
            Kernel::Primes { limit: 5_000_000 },
            Kernel::Mandelbrot {
                spec: MandelbrotSpec::default(),
            },
            Kernel::Burn {
                ms: vec![1000, 500, 2000],
            },
            Kernel::Burn { ms: vec![1000; 10] },
            Kernel::Burn {
                ms: (0..30).map(|i| 10 + i).collect(),
            },
        ];
        for e in [
            Experiment::Purchases,
            Experiment::Pipeline,
            Experiment::Primes,
        ] {
            for k in &kernels {
                for workers in [0, 3] {
                    out.push(Scenario {
                        experiment: e,
                        workload: Workload::Custom(vec![]),
                        behaviour: Behaviour::default(),
                        strategies: vec![],
                        cpu: Some(CpuSpec {
                            kernel: k.clone(),
                            modes: ALL_MODES.to_vec(),
                            workers,
                        }),
                    });
                }
            }
        }
        out
    }

    fn every_scenario() -> Vec<Scenario> {
        Experiment::ALL
            .iter()
            .map(|e| e.scenario())
            .chain(corner_scenarios())
            .collect()
    }

    /// First bracket out of place in `code`, if any. String literals (' " `, Python's triple
    /// quotes included) and line comments (// or #) are skipped.
    fn unbalanced(code: &str, lang: Lang) -> Option<String> {
        let mut stack: Vec<char> = Vec::new();
        let mut chars = code.chars().peekable();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            if let Some(q) = quote {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            let comment = match lang {
                Lang::Python => c == '#',
                _ => c == '/' && chars.peek() == Some(&'/'),
            };
            if comment {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                continue;
            }
            match c {
                '"' | '`' => quote = Some(c),
                '\'' if lang != Lang::Rust => quote = Some(c),
                '(' | '[' | '{' => stack.push(c),
                ')' | ']' | '}' => {
                    let want = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    if stack.pop() != Some(want) {
                        return Some(format!("unexpected {c}"));
                    }
                }
                _ => {}
            }
        }
        if quote.is_some() {
            return Some("unterminated string".into());
        }
        (!stack.is_empty()).then(|| format!("unclosed {stack:?}"))
    }

    #[test]
    fn languages_have_stable_ids_and_titles() {
        let ids: Vec<&str> = Lang::ALL.iter().map(|l| l.id()).collect();
        assert_eq!(ids, vec!["csharp", "javascript", "python", "rust"]);
        let titles: Vec<&str> = Lang::ALL.iter().map(|l| l.title()).collect();
        assert_eq!(titles, vec!["C#", "JavaScript", "Python", "Rust"]);
    }

    #[test]
    fn every_preset_gives_a_setup_and_one_snippet_per_strategy_or_mode_in_every_language() {
        for e in Experiment::ALL {
            let s = e.scenario();
            let expected = 1 + match &s.cpu {
                Some(cpu) => cpu.modes.len(),
                None => s.strategies.len(),
            };
            for lang in Lang::ALL {
                let got = snippets(&s, lang);
                assert_eq!(got.len(), expected, "{e:?} in {lang:?}: snippet count");
                assert_eq!(got[0].title, "Setup", "{e:?} in {lang:?}: setup first");
                for snip in &got {
                    assert!(
                        !snip.code.trim().is_empty() && !snip.title.is_empty(),
                        "{e:?} in {lang:?}: empty snippet {:?}",
                        snip.title
                    );
                }
            }
        }
    }

    #[test]
    fn snippets_follow_the_order_and_titles_of_the_scenario() {
        let s = Experiment::WhenAny.scenario();
        let titles: Vec<String> = snippets(&s, Lang::Rust)
            .into_iter()
            .skip(1)
            .map(|s| s.title)
            .collect();
        let want: Vec<String> = s.strategies.iter().map(|s| s.title()).collect();
        assert_eq!(titles, want, "strategy titles in the scenario's order");
        let p = Experiment::Primes.scenario();
        let titles: Vec<String> = snippets(&p, Lang::CSharp)
            .into_iter()
            .map(|s| s.title)
            .collect();
        assert!(
            titles.iter().any(|t| t.starts_with("N workers")),
            "a worker count left to the machine reads N, not 0: {titles:?}"
        );
    }

    #[test]
    fn every_strategy_and_every_cpu_mode_has_code_in_every_language() {
        for s in corner_scenarios() {
            let expected = 1 + s.strategies.len() + s.cpu.as_ref().map_or(0, |c| c.modes.len());
            for lang in Lang::ALL {
                let got = snippets(&s, lang);
                assert_eq!(got.len(), expected, "{lang:?}: count for {:?}", s.workload);
                for snip in got {
                    assert!(
                        snip.code.lines().count() >= 2,
                        "{lang:?} {:?}: too short:\n{}",
                        snip.title,
                        snip.code
                    );
                }
            }
        }
    }

    #[test]
    fn experiment_a_in_csharp_uses_when_all_with_its_numbers_and_follows_the_workload() {
        let mut s = Experiment::WhenAll.scenario();
        let cs = code(&s, Lang::CSharp);
        for want in ["Task.WhenAll", "500", "10"] {
            assert!(cs.contains(want), "experiment A in C# lacks {want}:\n{cs}");
        }
        s.workload = Workload::Uniform {
            count: 7,
            duration_ms: 250,
        };
        let cs = code(&s, Lang::CSharp);
        assert!(cs.contains("250") && cs.contains('7'), "7 × 250 ms:\n{cs}");
        assert!(!cs.contains("500"), "the old 500 ms is gone:\n{cs}");
    }

    #[test]
    fn the_default_experiment_stays_short_and_clean() {
        let s = Experiment::WhenAll.scenario();
        for lang in Lang::ALL {
            let all = code(&s, lang);
            for noise in [
                "try", "catch", "except", "Random", "random", "timeout", "Err(",
            ] {
                assert!(
                    !all.contains(noise),
                    "{lang:?}: nothing fails or times out in A, yet {noise:?}:\n{all}"
                );
            }
            assert!(
                all.lines().count() < 40,
                "{lang:?}: A should fit on a screen:\n{all}"
            );
        }
    }

    #[test]
    fn the_when_any_preset_in_csharp_uses_when_any_over_the_listed_durations() {
        let cs = code(&Experiment::WhenAny.scenario(), Lang::CSharp);
        assert!(cs.contains("Task.WhenAny"), "no Task.WhenAny:\n{cs}");
        assert!(cs.contains("2000, 3000, 1000"), "no duration list:\n{cs}");
        assert!(
            cs.contains("cts.Cancel()"),
            "the cancelling variant cancels:\n{cs}"
        );
    }

    #[test]
    fn the_retries_preset_shows_attempts_delay_and_exponential_backoff_in_every_language() {
        let s = Experiment::Retries.scenario();
        for lang in Lang::ALL {
            let all = code(&s, lang);
            for want in ["3", "200", "exponential"] {
                assert!(
                    all.to_lowercase().contains(want),
                    "{lang:?}: retries lack {want}:\n{all}"
                );
            }
            assert!(
                all.contains("2 and 4"),
                "{lang:?}: failing calls, 1-based:\n{all}"
            );
        }
    }

    #[test]
    fn the_timeouts_preset_shows_the_attempt_timeout_and_the_group_deadline_in_every_language() {
        let s = Experiment::Timeouts.scenario();
        let markers = [
            (Lang::CSharp, ["WaitAsync", "CancelAfter"]),
            (
                Lang::JavaScript,
                ["AbortSignal.timeout(2000)", "AbortSignal.timeout(2500)"],
            ),
            (Lang::Python, ["asyncio.wait_for", "asyncio.timeout"]),
            (
                Lang::Rust,
                ["timeout(Duration::from_millis(2000)", "from_millis(2500)"],
            ),
        ];
        for (lang, idioms) in markers {
            let all = code(&s, lang);
            for want in ["2000", "2500"].iter().chain(idioms.iter()) {
                assert!(all.contains(want), "{lang:?}: timeouts lack {want}:\n{all}");
            }
        }
    }

    #[test]
    fn the_throttle_preset_limits_to_ten_in_every_language() {
        let s = Experiment::Throttle.scenario();
        let cs = code(&s, Lang::CSharp);
        assert!(cs.contains("SemaphoreSlim(10)"), "C#:\n{cs}");
        let idioms = [
            (Lang::JavaScript, "{ length: 10 }"),
            (Lang::Python, "Semaphore(10)"),
            (Lang::Rust, "buffer_unordered(10)"),
        ];
        for (lang, want) in idioms {
            let all = code(&s, lang);
            assert!(all.contains(want), "{lang:?}: lacks {want}:\n{all}");
        }
    }

    #[test]
    fn large_counts_are_looped_not_unrolled() {
        let s = Experiment::Throttle.scenario();
        for lang in Lang::ALL {
            for snip in snippets(&s, lang) {
                assert!(
                    snip.code.lines().count() <= 40,
                    "{lang:?} {:?}: 1000 calls must be a loop:\n{}",
                    snip.title,
                    snip.code
                );
                assert!(
                    snip.code.matches("100").count() < 10,
                    "{lang:?}: unrolled?\n{}",
                    snip.code
                );
            }
        }
    }

    #[test]
    fn snippets_stay_short_enough_to_read() {
        for s in every_scenario() {
            for lang in Lang::ALL {
                for snip in snippets(&s, lang) {
                    let limit = if snip.title == SETUP { 60 } else { 45 };
                    assert!(
                        snip.code.lines().count() <= limit,
                        "{lang:?} {:?} has {} lines:\n{}",
                        snip.title,
                        snip.code.lines().count(),
                        snip.code
                    );
                }
            }
        }
    }

    #[test]
    fn a_long_duration_list_is_declared_once_in_the_setup() {
        let s = Scenario {
            workload: Workload::Custom((0..40).map(|i| 100 + i * 7).collect()),
            ..Experiment::WhenAllMixed.scenario()
        };
        for lang in Lang::ALL {
            let got = snippets(&s, lang);
            assert!(
                got[0].code.contains("373"),
                "{lang:?}: the list is in the setup"
            );
            for snip in &got[1..] {
                assert!(
                    !snip.code.contains("373"),
                    "{lang:?}: not repeated:\n{}",
                    snip.code
                );
            }
        }
    }

    #[test]
    fn repeated_durations_are_written_as_repetitions() {
        let s = Experiment::Purchases.scenario();
        let want = [
            (Lang::CSharp, "Enumerable.Repeat(1000, 10)"),
            (Lang::JavaScript, "Array(10).fill(1000)"),
            (Lang::Python, "[1000] * 10"),
            (Lang::Rust, "vec![1000; 10]"),
        ];
        for (lang, w) in want {
            let all = code(&s, lang);
            assert!(all.contains(w), "{lang:?} lacks {w}:\n{all}");
        }
    }

    #[test]
    fn stepped_calls_wait_each_step_with_its_label() {
        let s = Experiment::ThrottleSteps.scenario();
        for lang in Lang::ALL {
            let setup = &snippets(&s, lang)[0].code;
            assert!(
                setup.contains("fetch") && setup.contains("process"),
                "{lang:?}: step labels:\n{setup}"
            );
            assert!(
                setup.contains("100") || setup.contains("0.1"),
                "{lang:?}: fetch wait:\n{setup}"
            );
        }
    }

    #[test]
    fn the_primes_preset_uses_parallel_for_in_csharp_and_rayon_in_rust() {
        let s = Experiment::Primes.scenario();
        let cs = code(&s, Lang::CSharp);
        assert!(
            cs.contains("Parallel.For") || cs.contains("Parallel.ForEach(Partitioner"),
            "C#:\n{cs}"
        );
        assert!(
            cs.contains("5_000_000") || cs.contains("5000000"),
            "C# limit:\n{cs}"
        );
        let rs = code(&s, Lang::Rust);
        assert!(
            rs.contains("par_iter") || rs.contains("into_par_iter"),
            "Rust:\n{rs}"
        );
        let py = code(&s, Lang::Python);
        assert!(py.contains("ProcessPoolExecutor"), "Python:\n{py}");
        let js = code(&s, Lang::JavaScript);
        assert!(js.contains("new Worker"), "JavaScript:\n{js}");
    }

    #[test]
    fn the_invoke_preset_is_parallel_invoke_in_csharp() {
        let cs = code(&Experiment::Invoke.scenario(), Lang::CSharp);
        assert!(
            cs.contains("Parallel.Invoke(() => Work(1000), () => Work(500), () => Work(2000))"),
            "C#:\n{cs}"
        );
    }

    #[test]
    fn no_snippet_contains_placeholders_or_nan() {
        for s in every_scenario() {
            for lang in Lang::ALL {
                for snip in snippets(&s, lang) {
                    for bad in ["TODO", "unimplemented", "NaN", "unreachable"] {
                        assert!(
                            !snip.code.contains(bad),
                            "{lang:?} {:?} contains {bad}:\n{}",
                            snip.title,
                            snip.code
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn generated_code_has_balanced_brackets_in_every_language() {
        for s in every_scenario() {
            for lang in Lang::ALL {
                for snip in snippets(&s, lang) {
                    assert_eq!(
                        unbalanced(&snip.code, lang),
                        None,
                        "{lang:?} {:?}:\n{}",
                        snip.title,
                        snip.code
                    );
                }
            }
        }
    }

    #[test]
    fn python_blocks_are_indented_under_their_headers() {
        for s in every_scenario() {
            for snip in snippets(&s, Lang::Python) {
                let lines: Vec<&str> = snip.code.lines().filter(|l| !l.trim().is_empty()).collect();
                let indent = |l: &str| l.len() - l.trim_start().len();
                for (i, line) in lines.iter().enumerate() {
                    assert_eq!(indent(line) % 4, 0, "{:?}: odd indent {line:?}", snip.title);
                    let code = line.split("  #").next().unwrap_or(line).trim_end();
                    if code.ends_with(':') && !code.trim_start().starts_with('#') {
                        let next = lines.get(i + 1).copied().unwrap_or("");
                        assert_eq!(
                            indent(next),
                            indent(line) + 4,
                            "{:?}: the block under {line:?} is not indented:\n{}",
                            snip.title,
                            snip.code
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn no_generated_code_adds_to_a_shared_total_across_an_await() {
        for s in every_scenario() {
            for lang in Lang::ALL {
                for snip in snippets(&s, lang) {
                    assert!(
                        !snip.code.contains("+= await"),
                        "{lang:?} {:?}: the read happens before the await, so updates are lost:\n{}",
                        snip.title,
                        snip.code
                    );
                }
            }
        }
    }

    #[test]
    fn the_bracket_checker_catches_what_it_should() {
        assert_eq!(unbalanced("f(a[1], \"(\") // )", Lang::Rust), None);
        assert_eq!(unbalanced("x = '(' # )", Lang::Python), None);
        assert!(unbalanced("f(a]", Lang::JavaScript).is_some());
        assert!(unbalanced("{", Lang::CSharp).is_some());
    }

    #[test]
    fn numbers_and_lists_are_written_the_way_each_language_reads_them() {
        assert_eq!(grouped(5_000_000), "5_000_000");
        assert_eq!(grouped(1200), "1200");
        assert_eq!(grouped(10_000), "10_000");
        assert_eq!(secs(2500), "2.5");
        assert_eq!(secs(2000), "2");
        assert_eq!(secs(50), "0.05");
        assert_eq!(call_numbers(&[1, 3]), "2 and 4");
        assert_eq!(call_numbers(&[0, 1, 4]), "1, 2 and 5");
        assert_eq!(
            list_expr(Lang::CSharp, &[2000, 3000, 1000], false),
            "new[] { 2000, 3000, 1000 }"
        );
        assert_eq!(
            list_expr(Lang::Python, &[1000, 1000, 1000, 1000, 500], false),
            "[*[1000] * 4, 500]"
        );
        assert_eq!(
            list_expr(Lang::Rust, &[7, 7, 7, 7, 1], false),
            "[vec![7; 4], vec![1]].concat()"
        );
    }

    /// Where [`every_preset_writes_the_code_of_its_snapshot_in_every_language`] keeps the text.
    const PRESETS_SNAPSHOT: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/codegen/presets.txt"
    );

    /// Every snippet of every preset in every language, headed by what it is; the CPU presets
    /// also as the page writes them, with "auto" workers resolved to 4 cores.
    fn presets_text() -> String {
        let mut cases: Vec<(String, Scenario)> = Vec::new();
        for e in Experiment::ALL {
            let s = e.scenario();
            if let Some(cpu) = &s.cpu {
                let resolved = Scenario {
                    cpu: Some(cpu.resolved(4)),
                    ..s.clone()
                };
                cases.push((format!("{e:?}"), s));
                cases.push((format!("{e:?}, 4 cores"), resolved));
            } else {
                cases.push((format!("{e:?}"), s));
            }
        }
        let mut out = String::new();
        for (name, s) in &cases {
            for lang in Lang::ALL {
                for snip in snippets(s, lang) {
                    out.push_str(&format!(
                        "==== {name} / {} / {}\n{}\n",
                        lang.title(),
                        snip.title,
                        snip.code
                    ));
                }
            }
        }
        out
    }

    /// The generated text changes only on purpose: after such a change, rewrite the snapshot
    /// with `UPDATE_SNAPSHOTS=1 cargo test --lib codegen` and review its diff.
    #[test]
    fn every_preset_writes_the_code_of_its_snapshot_in_every_language() {
        let got = presets_text();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(PRESETS_SNAPSHOT, &got).expect("the snapshot is written");
        }
        let want = std::fs::read_to_string(PRESETS_SNAPSHOT).expect("the snapshot is there");
        if let Some((i, (g, w))) = got
            .lines()
            .zip(want.lines())
            .enumerate()
            .find(|(_, (g, w))| g != w)
        {
            panic!(
                "line {} differs from {PRESETS_SNAPSHOT}:\n got: {g}\nwant: {w}",
                i + 1
            );
        }
        assert_eq!(
            got.len(),
            want.len(),
            "same lines as {PRESETS_SNAPSHOT}, but not the same length"
        );
    }
}
