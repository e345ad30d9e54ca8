//! The language module's side: what `src/bin/lang.rs` exports to the page. The module is loaded
//! on demand into the page's own thread (an ES module imported by [`super::lang_module`]), so a
//! program's timers are the page's event loop and `spin` freezes the page, as the lesson says;
//! only the page's first program pays for the language.
//!
//! Worker jobs (`worker(…)`, `parallel(…)`) run on the module's own pool of the same CPU
//! workers the presets use.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{AbortHandle, Abortable};
use futures::FutureExt;
use wasm_bindgen_futures::future_to_promise;

use super::executor::BrowserRuntime;
use super::pool;
use crate::cpu::kernels::{warm_up, Job};
use crate::engine::Runtime;
use crate::lang::driver::{default_job_cost, VirtualOptions};
use crate::lang::runtime::{run_on, JobFuture, RuntimeClock};
use crate::lang::{run_virtual_with, Finished, Machine, ParseError};
use crate::markup::{program_card, Html, ProgramCard};

/// A program in flight (or ended) on the page's event loop.
pub struct ProgramRun {
    machine: Rc<RefCell<Machine>>,
    /// The prediction: first with the rough job costs, then (once jobs have run) with the
    /// one-worker cost this run measured.
    predicted: Rc<RefCell<Option<Finished>>>,
    /// How long the workers took to start and warm up before the clock started, ms (`None`
    /// for a program with no worker jobs, or while they start).
    startup: Rc<Cell<Option<f64>>>,
    abort: AbortHandle,
    ended: Rc<Cell<bool>>,
    done: js_sys::Promise,
}

/// The problems of `text` as a list for under the editor (empty text when there are none):
/// each says its line and column and carries its bytes, so the page can select them.
pub fn problems_html(text: &str) -> String {
    problems_list(&crate::lang::check::problems(text), "program-error")
}

/// What ended a run badly, for under the editor as for a problem found before running: where
/// (a button that selects the code) and why.
pub fn run_error_html(e: &crate::lang::RunError) -> String {
    let as_problem = ParseError {
        message: format!("the run ended here: {}", e.message),
        line: e.line,
        col: e.col,
        span: e.span.clone(),
    };
    problems_list(&[as_problem], "program-run-error")
}

/// A list of problems with test id `testid` (empty text for none).
fn problems_list(problems: &[ParseError], testid: &str) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let mut h = Html::new();
    h.open(
        "ul",
        &[("class", Some("problems")), ("data-testid", Some(testid))],
    );
    for p in problems {
        let (start, end) = (
            p.span.start.to_string(),
            p.span.end.max(p.span.start + 1).to_string(),
        );
        h.open("li", &[])
            .el(
                "button",
                &[
                    ("type", Some("button")),
                    ("class", Some("link")),
                    ("data-start", Some(&start)),
                    ("data-end", Some(&end)),
                    ("title", Some("Select it in the program")),
                ],
                &format!("line {}, column {}", p.line, p.col),
            )
            .text(&format!(": {}", p.message))
            .close("li");
    }
    h.close("ul");
    h.finish()
}

/// The link value of the program that does what the scenario of `fragment` does ("Edit as
/// code"), "auto" workers resolved to this browser's cores.
pub fn program_of(fragment: &str) -> Result<String, String> {
    let scenario = crate::model::router::decode(fragment)
        .draft
        .build()
        .scenario
        .ok_or("fix the highlighted field first")?;
    let cores = web_sys::window().map_or(1, |w| w.navigator().hardware_concurrency() as u32);
    Ok(crate::lang::link::encode(
        &crate::lang::from_scenario::program_of(&scenario.resolved(cores)),
    ))
}

/// The text of link value `code`: the editor's when it shows that value, the starter program
/// for an empty value.
pub fn text_of(code: &str) -> Result<String, String> {
    match super::lang_editor::editor() {
        Some(ed) if ed.code() == code => Ok(ed.text()),
        _ if code.is_empty() => Ok(crate::lang::examples::STARTER.to_string()),
        _ => crate::lang::link::decode(code),
    }
}

/// Starts the program of link value `code` (see [`text_of`]) on the page's event loop, with
/// worker jobs on up to `workers` workers; the prediction is the same program on a virtual
/// clock with as many workers. The editor is locked while it runs, and when an error ends it
/// the code at fault is selected.
pub fn start(code: &str, workers: u32) -> Result<ProgramRun, String> {
    let text = text_of(code)?;
    start_text(&text, workers).map_err(|e| e.to_string())
}

/// [`start`] with the text itself.
pub fn start_text(text: &str, workers: u32) -> Result<ProgramRun, ParseError> {
    let machine = Rc::new(RefCell::new(Machine::new(text)?));
    let workers = workers.clamp(1, pool::MAX_WORKERS);
    let (first_guess, jobs, job_count) = predict(text, workers, 1.0);
    let predicted = Rc::new(RefCell::new(first_guess));
    let startup = Rc::new(Cell::new(None));
    let rate = Rc::new(JobRate::default());
    if let Some(ed) = super::lang_editor::editor() {
        ed.set_running(true);
    }
    let (abort, registration) = AbortHandle::new_pair();
    let ended = Rc::new(Cell::new(false));
    let slots = Rc::new(Slots::new(workers));
    let work = {
        let (machine, ended, predicted) = (machine.clone(), ended.clone(), predicted.clone());
        let startup = startup.clone();
        let text = text.to_string();
        async move {
            let rt = BrowserRuntime;
            // The workers the jobs will use, started and warm before the clock starts; the
            // start-up is shown apart, never in the program's time.
            let t0 = rt.now_ms();
            warm_up_workers(&jobs, job_count.min(workers as usize)).await;
            if !jobs.is_empty() {
                startup.set(Some(rt.now_ms() - t0));
            }
            let measured = rate.clone();
            let run = run_on(&machine, &rt, move |job| {
                run_job(job, slots.clone(), measured.clone())
            });
            if Abortable::new(run, registration).await.is_err() {
                let mut m = machine.borrow_mut();
                if m.finished().is_none() {
                    m.cancel(&mut RuntimeClock(&rt));
                }
            }
            if let Some(scale) = rate.scale() {
                *predicted.borrow_mut() = predict(&text, workers, scale).0;
            }
            ended.set(true);
            if let Some(ed) = super::lang_editor::editor() {
                ed.set_running(false);
                let m = machine.borrow();
                let fault = m.finished().and_then(|f| f.error.as_ref());
                if let Some(e) = fault.filter(|e| e.kind != crate::lang::RunErrorKind::Cancelled) {
                    ed.show_run_error(&run_error_html(e));
                    ed.select(e.span.start, e.span.end.max(e.span.start + 1));
                }
            }
            Ok(wasm_bindgen::JsValue::UNDEFINED)
        }
    };
    Ok(ProgramRun {
        machine,
        predicted,
        startup,
        abort,
        ended,
        done: future_to_promise(work),
    })
}

/// At most so many jobs on workers at once; the rest wait in order (a semaphore).
struct Slots {
    free: Cell<u32>,
    waiting: RefCell<VecDeque<oneshot::Sender<()>>>,
}

impl Slots {
    fn new(n: u32) -> Self {
        Slots {
            free: Cell::new(n),
            waiting: RefCell::default(),
        }
    }

    async fn acquire(&self) {
        if self.free.get() > 0 {
            self.free.set(self.free.get() - 1);
            return;
        }
        let (tx, rx) = oneshot::channel();
        self.waiting.borrow_mut().push_back(tx);
        // A dropped sender (the run was cancelled) ends the wait too; nothing runs after it.
        let _ = rx.await;
    }

    /// Hands the slot to the next job waiting (one whose run was not cancelled), or frees it.
    fn release(&self) {
        loop {
            let next = self.waiting.borrow_mut().pop_front();
            match next {
                Some(tx) => {
                    if tx.send(()).is_ok() {
                        return;
                    }
                }
                None => {
                    self.free.set(self.free.get() + 1);
                    return;
                }
            }
        }
    }
}

/// The program on the virtual clock with `workers` workers, each kernel job costing its rough
/// cost ([`default_job_cost`]) times `scale` (`burn` and `spin` cost what they say); and the
/// jobs it runs (every job runs on a worker: `spin` runs in the program itself, `burn` is a
/// job), one of each kernel, with their number (what to start and warm up).
fn predict(text: &str, workers: u32, scale: f64) -> (Option<Finished>, Vec<Job>, usize) {
    let seen: Rc<RefCell<(Vec<Job>, usize)>> = Rc::default();
    let finished = run_virtual_with(
        text,
        &VirtualOptions {
            workers: workers as usize,
            job_cost_ms: Box::new({
                let seen = seen.clone();
                move |job| {
                    let mut seen = seen.borrow_mut();
                    seen.1 += 1;
                    let kernel = warm_up::kernel(job);
                    if !seen.0.iter().any(|j| warm_up::kernel(j) == kernel) {
                        seen.0.push(job.clone());
                    }
                    match job {
                        Job::Spin { .. } | Job::Stall { .. } => default_job_cost(job),
                        _ => default_job_cost(job) * scale,
                    }
                }
            }),
            // The prediction computes nothing: it must not hold the page before the run.
            compute_jobs_up_to_ms: 0.0,
            ..VirtualOptions::default()
        },
    )
    .ok()
    .map(|r| r.finished);
    let (jobs, count) = seen.take();
    (finished, jobs, count)
}

/// Takes `n` workers from the pool and warms each up for the kernel of every job in `jobs`,
/// side by side, then gives them back warm: done before the program's clock starts, so a
/// first job is as fast as the tenth, as for the presets' ways. A worker that fails here is
/// left to the run itself, which says what went wrong.
async fn warm_up_workers(jobs: &[Job], n: usize) {
    if n == 0 || jobs.is_empty() {
        return;
    }
    let Ok(mut workers) = pool::take(n).await else {
        return;
    };
    let warmed = futures::future::join_all(workers.iter_mut().map(|w| async move {
        for job in jobs {
            w.warm_up(pool::next_id(), job).await?;
        }
        Ok::<(), super::worker_client::JobError>(())
    }))
    .await;
    if warmed.iter().all(Result::is_ok) {
        pool::give_back(workers);
    }
}

/// What the kernel jobs of a run cost on one worker, against their rough cost: the scale
/// that turns the rough prediction into one from this browser's measured cost.
#[derive(Default)]
struct JobRate {
    rough_ms: Cell<f64>,
    measured_ms: Cell<f64>,
}

impl JobRate {
    fn add(&self, job: &Job, compute_ms: f64) {
        if !matches!(
            job,
            Job::Spin { .. } | Job::Stall { .. } | Job::Panic { .. }
        ) {
            self.rough_ms
                .set(self.rough_ms.get() + default_job_cost(job));
            self.measured_ms.set(self.measured_ms.get() + compute_ms);
        }
    }

    fn scale(&self) -> Option<f64> {
        (self.rough_ms.get() > 0.0).then(|| self.measured_ms.get() / self.rough_ms.get())
    }
}

/// One worker job: waits for a free slot (at most the run's workers at once), then runs on a
/// pool worker, which goes back warm; its compute time is added to `rate`.
fn run_job(job: Job, slots: Rc<Slots>, rate: Rc<JobRate>) -> JobFuture {
    async move {
        slots.acquire().await;
        let result = async {
            let mut workers = pool::take(1).await.map_err(|e| e.to_string())?;
            let mut w = workers.pop().ok_or("no worker could be had")?;
            let id = pool::next_id();
            match w.run(id, id, job.clone()).await {
                Ok(done) => {
                    pool::give_back(vec![w]);
                    rate.add(&job, done.compute_ms);
                    Ok(done.value)
                }
                Err(e) => Err(e.message),
            }
        }
        .await;
        slots.release();
        result
    }
    .boxed_local()
}

impl ProgramRun {
    /// The card as the run is now, its timeline `width` px wide; with `at_ms`, as it was that
    /// many ms into the run (a replay of the ended run).
    pub fn render(&self, width: f64, at_ms: Option<f64>) -> String {
        let m = self.machine.borrow();
        let predicted = self.predicted.borrow();
        let now_ms = m
            .started_at()
            .map(|t0| BrowserRuntime.now_ms() - t0)
            .unwrap_or(0.0);
        let finished = m.finished();
        let card = ProgramCard {
            src: m.source(),
            recording: &m.recording,
            finished,
            now_ms,
            predicted: predicted.as_ref(),
            startup_ms: self.startup.get(),
            starting: m.started_at().is_none() && !self.ended.get(),
        };
        match (at_ms, finished) {
            (Some(t), Some(f)) if t < f.end_ms => {
                let recording = m.recording.at(t);
                let card = ProgramCard {
                    recording: &recording,
                    finished: None,
                    now_ms: t.max(0.0),
                    ..card
                };
                program_card(&card, width)
            }
            _ => program_card(&card, width),
        }
    }

    /// The ended run's result line as the page reads it ([`crate::trace::wire`], as a serde
    /// value); `undefined` while it runs.
    pub fn line(&self) -> wasm_bindgen::JsValue {
        use crate::lang::line::{result_line, Ended};
        let m = self.machine.borrow();
        m.finished()
            .and_then(|f| {
                let ended = Ended::of(f, self.predicted.borrow().as_ref(), self.startup.get());
                crate::trace::wire::encode(&result_line(&m.recording, &ended))
            })
            .and_then(|wire| super::message::to_js(&wire).ok())
            .unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
    }

    /// Stops the run; it ends as cancelled, every pending promise marked so.
    pub fn cancel(&self) {
        self.abort.abort();
        // At once, not when the aborted run is next polled: the page draws the card right
        // after this, and it must say cancelled.
        let mut m = self.machine.borrow_mut();
        if m.finished().is_none() {
            m.cancel(&mut RuntimeClock(&BrowserRuntime));
        }
        self.ended.set(true);
        if let Some(ed) = super::lang_editor::editor() {
            ed.set_running(false);
        }
    }

    /// Whether the run has ended.
    pub fn ended(&self) -> bool {
        self.ended.get()
    }

    /// Workers kept warm in the module's pool for the next run (0 when no run used any).
    pub fn warm_workers(&self) -> u32 {
        pool::idle_count() as u32
    }

    /// Resolves when the run has ended.
    pub fn done(&self) -> js_sys::Promise {
        self.done.clone()
    }
}
