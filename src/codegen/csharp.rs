//! C#: the simulated call and each strategy, the CPU kernel and each mode.

use crate::codegen::async_scenario::{counter_note, why, Ctx, Fail, Src};
use crate::codegen::cpu_scenario::{view, Cpu, Range};
use crate::codegen::lang::Lang;
use crate::codegen::text::{id_list, is_long, label, list_setup, Out};
use crate::codegen::writer::Writer;
use crate::cpu::partition::CHUNKS_PER_WORKER;
use crate::cpu::{CpuMode, PIPELINE_CYCLES, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS, PIPELINE_WAIT_MS};
use crate::model::scenario::{Backoff, Strategy};

/// C# (.NET 8 or later, top-level statements), the language of the articles.
pub(super) struct CSharp;

impl Writer for CSharp {
    fn setup(&self, ctx: &Ctx) -> String {
        ctx.cs_setup()
    }

    fn strategy(&self, ctx: &Ctx, s: Strategy) -> String {
        ctx.cs(s)
    }

    fn cpu_setup(&self, cpu: &Cpu<'_>) -> String {
        cpu.cs_setup()
    }

    fn cpu_mode(&self, cpu: &Cpu<'_>, mode: CpuMode) -> String {
        cpu.cs(mode)
    }
}

// ---------------------------------------------------------------------------------------------
// Async scenarios: the simulated call and the strategies

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
// CPU scenarios: the kernel and the ways to run it

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
