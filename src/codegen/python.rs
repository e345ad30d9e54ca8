//! Python: the simulated call and each strategy, the CPU kernel and each mode.

use crate::codegen::async_scenario::{counter_note, why, Ctx, Fail, Src};
use crate::codegen::cpu_scenario::{view, Cpu, Range};
use crate::codegen::lang::Lang;
use crate::codegen::text::{id_list, is_long, label, list_setup, secs, Out};
use crate::codegen::writer::Writer;
use crate::cpu::partition::CHUNKS_PER_WORKER;
use crate::cpu::{CpuMode, PIPELINE_CYCLES, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS, PIPELINE_WAIT_MS};
use crate::model::scenario::{Backoff, Strategy, MAX_WORKERS};

/// Python 3.11 or later: asyncio and concurrent.futures.
pub(super) struct Python;

impl Writer for Python {
    fn setup(&self, ctx: &Ctx) -> String {
        ctx.py_setup()
    }

    fn strategy(&self, ctx: &Ctx, s: Strategy) -> String {
        ctx.py(s)
    }

    fn cpu_setup(&self, cpu: &Cpu<'_>) -> String {
        cpu.py_setup()
    }

    fn cpu_mode(&self, cpu: &Cpu<'_>, mode: CpuMode) -> String {
        cpu.py(mode)
    }
}

// ---------------------------------------------------------------------------------------------
// Async scenarios: the simulated call and the strategies

impl Ctx {
    /// Python: the parameters of a helper taking one call, the ms inside it, and the
    /// arguments that pass one call to it.
    fn py_one(&self) -> (&'static str, Option<String>, &'static str) {
        match &self.src {
            Src::Count { ms, .. } => ("i: int", ms.map(|m| m.to_string()), "i"),
            Src::List { .. } => ("i: int, ms: int", Some("ms".into()), "i, ms"),
        }
    }

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
// CPU scenarios: the kernel and the ways to run it

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
