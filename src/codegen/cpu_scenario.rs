//! A CPU scenario with the names its code uses, and the comments all languages share.

use crate::codegen::lang::Lang;
use crate::codegen::text::{grouped, is_long, list_decl};
use crate::cpu::kernels::{MandelbrotSpec, MANDELBROT_IM, MANDELBROT_RE};
use crate::cpu::partition::CHUNKS_PER_WORKER;
use crate::cpu::{CpuMode, CpuSpec, Kernel, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS, PIPELINE_WAIT_MS};
use crate::model::scenario::{Experiment, MAX_WORKERS};

/// A CPU scenario, with the names its code uses.
pub(super) struct Cpu<'a> {
    spec: &'a CpuSpec,
    /// Burn kernels: the list's name and the function's name per language (C#, JS, Python,
    /// Rust), after what the experiment says the items are.
    pub(super) list: &'static str,
    pub(super) func: [&'static str; 4],
    pub(super) what: &'static str,
}

/// The two kernels that split a range of numbers or rows.
#[derive(Clone, Copy)]
pub(super) enum Range {
    Primes(u64),
    Rows(MandelbrotSpec),
}

impl Range {
    pub(super) fn end(self) -> String {
        match self {
            Range::Primes(limit) => grouped(limit),
            Range::Rows(spec) => grouped(u64::from(spec.height)),
        }
    }

    /// The kernel function's name.
    pub(super) fn func(self, lang: Lang) -> &'static str {
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
    pub(super) fn call(self, lang: Lang, from: &str, to: &str) -> String {
        let f = self.func(lang);
        if lang == Lang::Rust {
            format!("{f}({from}..{to})")
        } else {
            format!("{f}({from}, {to})")
        }
    }

    /// What the answer is called: a count of primes, or a checksum of iterations.
    pub(super) fn answer(self) -> &'static str {
        match self {
            Range::Primes(_) => "count",
            Range::Rows(_) => "total",
        }
    }

    /// The name of the range's end in code.
    pub(super) fn end_name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Range::Primes(_), Lang::CSharp) => "Limit",
            (Range::Primes(_), _) => "limit",
            (Range::Rows(_), Lang::CSharp) => "Height",
            (Range::Rows(_), _) => "height",
        }
    }

    /// The declaration of the range's end.
    pub(super) fn end_decl(self, lang: Lang) -> String {
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
    pub(super) fn new(experiment: Experiment, spec: &'a CpuSpec) -> Cpu<'a> {
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

    pub(super) fn range(&self) -> Option<Range> {
        match &self.spec.kernel {
            Kernel::Primes { limit } => Some(Range::Primes(*limit)),
            Kernel::Mandelbrot { spec } => Some(Range::Rows(*spec)),
            Kernel::Burn { .. } => None,
        }
    }

    pub(super) fn burns(&self) -> &[u32] {
        match &self.spec.kernel {
            Kernel::Burn { ms } => ms,
            _ => &[],
        }
    }

    pub(super) fn has(&self, modes: &[CpuMode]) -> bool {
        self.spec.modes.iter().any(|m| modes.contains(m))
    }

    /// Workers of the parallel modes; 0 leaves the count to the machine.
    pub(super) fn workers(&self) -> u32 {
        self.spec.workers.min(MAX_WORKERS)
    }

    pub(super) fn func(&self, lang: Lang) -> &'static str {
        self.func[Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)]
    }

    /// The burn list's declaration inside a snippet (none when the setup declares it).
    pub(super) fn burn_decl(&self, lang: Lang) -> Option<String> {
        let ms = self.burns();
        match (is_long(ms), lang) {
            (false, _) => Some(list_decl(lang, self.list, ms)),
            (true, Lang::Rust) => Some(format!("let {0} = {0}();", self.list)),
            (true, _) => None,
        }
    }

    pub(super) fn workers_decl(&self, lang: Lang) -> String {
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

    pub(super) fn why(&self, mode: CpuMode, lang: Lang) -> String {
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
    pub(super) fn invoke(&self) -> bool {
        (1..=4).contains(&self.burns().len()) && self.range().is_none()
    }

    /// The pause's comment: the page shortens the article's pause.
    pub(super) fn pause_note(&self) -> &'static str {
        "pause (the article waits 5 s)"
    }
}

/// The view of the Mandelbrot set as numbers for code: real start and span, imaginary start and
/// span.
pub(super) fn view() -> [String; 4] {
    let f = |x: f64| format!("{x:?}");
    [
        f(MANDELBROT_RE.start),
        f(MANDELBROT_RE.end - MANDELBROT_RE.start),
        f(MANDELBROT_IM.start),
        f(MANDELBROT_IM.end - MANDELBROT_IM.start),
    ]
}
