//! JavaScript: the simulated call and each strategy, the CPU kernel and each mode.

use crate::codegen::async_scenario::{counter_note, why, Ctx, Fail, Src};
use crate::codegen::cpu_scenario::{view, Cpu, Range};
use crate::codegen::lang::Lang;
use crate::codegen::text::{id_list, is_long, label, list_setup, Out};
use crate::codegen::writer::Writer;
use crate::cpu::partition::CHUNKS_PER_WORKER;
use crate::cpu::{CpuMode, PIPELINE_CYCLES, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS, PIPELINE_WAIT_MS};
use crate::model::scenario::{Backoff, Strategy};

/// JavaScript in the browser (ES2022 modules: top-level await, Web Workers).
pub(super) struct JavaScript;

impl Writer for JavaScript {
    fn setup(&self, ctx: &Ctx) -> String {
        ctx.js_setup()
    }

    fn strategy(&self, ctx: &Ctx, s: Strategy) -> String {
        ctx.js(s)
    }

    fn cpu_setup(&self, cpu: &Cpu<'_>) -> String {
        cpu.js_setup()
    }

    fn cpu_mode(&self, cpu: &Cpu<'_>, mode: CpuMode) -> String {
        cpu.js(mode)
    }
}

// ---------------------------------------------------------------------------------------------
// Async scenarios: the simulated call and the strategies

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
// CPU scenarios: the kernel and the ways to run it

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
