//! Rust: the simulated call and each strategy, the CPU kernel and each mode.

use crate::codegen::async_scenario::{counter_note, why, Ctx, Fail, Src};
use crate::codegen::cpu_scenario::{view, Cpu, Range};
use crate::codegen::lang::Lang;
use crate::codegen::text::{grouped, id_list, is_long, label, list_setup, Out};
use crate::codegen::writer::Writer;
use crate::cpu::{CpuMode, PIPELINE_CYCLES, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS, PIPELINE_WAIT_MS};
use crate::model::scenario::{Backoff, Strategy};

/// Rust with tokio, futures and rayon.
pub(super) struct Rust;

impl Writer for Rust {
    fn setup(&self, ctx: &Ctx) -> String {
        ctx.rs_setup()
    }

    fn strategy(&self, ctx: &Ctx, s: Strategy) -> String {
        ctx.rs(s)
    }

    fn cpu_setup(&self, cpu: &Cpu<'_>) -> String {
        cpu.rs_setup()
    }

    fn cpu_mode(&self, cpu: &Cpu<'_>, mode: CpuMode) -> String {
        cpu.rs(mode)
    }
}

// ---------------------------------------------------------------------------------------------
// Async scenarios: the simulated call and the strategies

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

impl Cpu<'_> {
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
