//! The interpreter: a deterministic state machine on one event loop, with JavaScript's
//! semantics. It owns the tasks (async function activations, each an explicit stack of
//! frames), the promise table, the microtask queue and the timer queue, but never reads a clock
//! by itself: the driver passes a [`Clock`] to [`Machine::run_until_idle`], which runs
//! everything that is due and says what it waits for ([`Idle`]). The same program runs on a
//! virtual clock (the prediction, see [`driver`](super::driver)) and on real timers and workers
//! (the measurement, in the browser).
//!
//! A promise starts when it is created: `sleep(300)` sets its timer at once, whoever awaits it.

use std::collections::{BTreeMap, VecDeque};
use std::rc::{Rc, Weak};

use crate::cpu::kernels::Job;
use crate::trace::GroupOutcome;

use super::ast::{Program, Span};
use super::compile::{compile, compile_with, Proto};
use super::error::{line_col, ParseError};
use super::limits::{Limit, Limits};

use super::trace::Recording;
use super::value::{drop_deep, Builtin, Closure, PromiseId, Scope, Value};

/// The time as the driver knows it, and a way to block the loop (`spin`).
pub trait Clock {
    /// Milliseconds on the driver's clock.
    fn now_ms(&mut self) -> f64;
    /// Blocks the event loop for `ms` (a busy loop in the browser; a jump on a virtual clock).
    fn block_for(&mut self, ms: f64);
}

/// Identifies a worker job handed to the driver.
pub type JobId = u64;

/// What the machine waits for after [`Machine::run_until_idle`].
#[derive(Clone, Debug, PartialEq)]
pub struct Idle {
    /// When the next timer is due, on the driver's clock; `None` when no timer is set.
    pub next_timer_ms: Option<f64>,
    /// New worker jobs to run; answer each with [`Machine::job_done`].
    pub jobs: Vec<(JobId, Job)>,
    /// Jobs no longer wanted (the run ended); the driver may stop them.
    pub cancelled_jobs: Vec<JobId>,
    /// Set once the run has ended.
    pub done: Option<Finished>,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    /// When the main program settled (returned or threw), ms since the start.
    pub main_ms: Option<f64>,
    /// When the last thing happened (the run's elapsed time), ms since the start.
    pub end_ms: f64,
    /// What the main program returned, as `console.log` would show it.
    pub value: Option<String>,
    /// The error that ended it badly, if any: an uncaught error, an unhandled rejection, a
    /// program that never settles, a limit, or a cancel.
    pub error: Option<RunError>,
}

impl Finished {
    /// When and how the main program continued, as the app's trace records it: completed when
    /// it returned, capped when a limit stopped it, cancelled by the person; `None` when it
    /// threw or never settled.
    pub fn resumed(&self) -> Option<(f64, GroupOutcome)> {
        match self.error.as_ref().map(|e| e.kind) {
            None => Some((self.main_ms?, GroupOutcome::AllCompleted)),
            Some(RunErrorKind::Limit(_)) => Some((self.end_ms, GroupOutcome::Capped)),
            Some(RunErrorKind::Cancelled) => Some((self.end_ms, GroupOutcome::Cancelled)),
            Some(RunErrorKind::UnhandledRejection) => {
                Some((self.main_ms?, GroupOutcome::AllCompleted))
            }
            Some(RunErrorKind::Uncaught | RunErrorKind::NeverSettles) => None,
        }
    }
}

/// What went wrong in a run, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// What kind of error.
    pub kind: RunErrorKind,
    /// A sentence for the person.
    pub message: String,
    /// Line of the code at fault, from 1.
    pub line: u32,
    /// Column of the code at fault, from 1.
    pub col: u32,
    /// The code at fault, to mark in the editor.
    pub span: Span,
}

/// The kinds of [`RunError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunErrorKind {
    /// The main program threw (an unknown name, calling a non-function, a `throw`, a
    /// rejection it awaited …) and nothing caught it.
    Uncaught,
    /// A promise rejected and nothing ever awaited or handled it.
    UnhandledRejection,
    /// Nothing is pending (no timers, no jobs) but the main program has not settled.
    NeverSettles,
    /// A limit ended the run.
    Limit(Limit),
    /// The person cancelled the run.
    Cancelled,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.col, self.message
        )
    }
}

/// A thrown value and the code that threw it.
#[derive(Clone, Debug)]
pub(super) struct Thrown {
    pub value: Value,
    pub span: Span,
}

/// A settled promise's result.
pub(super) type Settled = Result<Value, Thrown>;

/// Why an instruction did not simply continue.
pub(super) enum Stop {
    /// A catchable error.
    Throw(Thrown),
    /// A limit: the run ends.
    Fatal(Limit, Span),
}

impl From<Thrown> for Stop {
    fn from(t: Thrown) -> Stop {
        Stop::Throw(t)
    }
}

/// What the running task does next.
enum Flow {
    Next,
    Suspended,
    Finished,
}

#[derive(Debug)]
enum PromiseState {
    Pending,
    Settled(Settled),
}

/// Something waiting for a promise.
#[derive(Clone, Debug)]
pub(super) enum Reaction {
    /// A task awaiting it.
    Resume(usize),
    /// A promise resolved with it takes its result.
    Adopt(PromiseId),
    /// Input `index` of combinator `group`.
    Group(usize, usize),
    /// The promise given to `timeout(p, ms)`: settles the outer one and clears the timer.
    TimeoutInner { outer: PromiseId, timer: TimerKey },
    /// An attempt of `retry` settled.
    RetryAttempt(usize),
    /// A `retry` delay ended.
    RetryAgain(usize),
    /// Item `index` of `limit` settled.
    LimitDone(usize, usize),
    /// A function given to `worker`/`parallel` returned its job.
    SubmitJob {
        target: PromiseId,
        parts: u32,
        span: Span,
    },
}

pub(super) struct PromiseSlot {
    state: PromiseState,
    reactions: Vec<Reaction>,
    /// True once something awaits or handles it (no unhandled-rejection report then).
    handled: bool,
    /// Its bar on the timeline, if it has one.
    pub lane: Option<usize>,
    /// Its timer, for the promises a timer settles (cancelling it clears the timer).
    pub timer: Option<TimerKey>,
}

/// A timer's place in the queue: (deadline in µs since the start, sequence number).
pub(super) type TimerKey = (u64, u64);

/// What a timer does when it fires.
#[derive(Debug)]
pub(super) enum TimerAction {
    /// Settles a promise (sleep, call, fail, a tick, a retry's delay).
    Settle(PromiseId, Settled),
    /// `timeout(p, ms)` fired: rejects `outer` and abandons `inner`.
    Timeout {
        outer: PromiseId,
        inner: PromiseId,
        ms: f64,
        span: Span,
    },
}

/// The combinators over several promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum GroupKind {
    All,
    AllSettled,
    Race,
    Any,
}

pub(super) struct Group {
    pub kind: GroupKind,
    pub target: PromiseId,
    pub inputs: Vec<PromiseId>,
    pub values: Vec<Value>,
    pub remaining: usize,
    pub done: bool,
}

pub(super) struct RetryState {
    pub f: Value,
    pub attempts_left: u32,
    pub delay_ms: f64,
    pub target: PromiseId,
    pub span: Span,
}

pub(super) struct LimitState {
    pub items: Vec<Value>,
    pub next: usize,
    pub k: usize,
    pub results: Vec<Value>,
    pub remaining: usize,
    pub target: PromiseId,
    pub failed: bool,
    pub span: Span,
}

/// Worker jobs that together settle one promise (the parts of `parallel`).
pub(super) struct JobGroup {
    pub target: PromiseId,
    pub remaining: usize,
    pub sum: u64,
    pub failed: bool,
}

impl Drop for PromiseSlot {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.state, PromiseState::Pending) {
            PromiseState::Settled(Ok(v)) => drop_deep(v),
            PromiseState::Settled(Err(t)) => drop_deep(t.value),
            PromiseState::Pending => {}
        }
    }
}

struct Handler {
    catch: Option<usize>,
    finally: Option<usize>,
    stack_len: usize,
    completions_len: usize,
    loops_len: usize,
    scope: Rc<Scope>,
}

/// Where a loop began: what `break` and `continue` return to.
struct LoopMark {
    stack_len: usize,
    handlers_len: usize,
    completions_len: usize,
    scope: Rc<Scope>,
}

/// How a `try` block was left, replayed when its finally block ends.
enum Completion {
    Normal,
    Return(Value),
    Throw(Thrown),
}

struct Frame {
    proto: Rc<Proto>,
    pc: usize,
    stack: Vec<Value>,
    scope: Rc<Scope>,
    handlers: Vec<Handler>,
    completions: Vec<Completion>,
    loops: Vec<LoopMark>,
    /// The promise of an async function's call (settled when it returns or throws).
    promise: Option<PromiseId>,
}

impl Drop for Frame {
    fn drop(&mut self) {
        self.stack.drain(..).for_each(drop_deep);
    }
}

struct Task {
    frames: Vec<Frame>,
    /// The `await` it is suspended at.
    waiting_at: Option<Span>,
    /// The promise it awaits (to mark on the timeline when its result is consumed).
    waiting_on: Option<PromiseId>,
    /// Since when it awaits, ms.
    waiting_since: f64,
}

enum Microtask {
    /// Starts a task (a function called by a built-in).
    Start(usize),
    /// Runs a reaction to a settled promise.
    React(Reaction, Settled),
}

/// The interpreter. See the module documentation.
pub struct Machine {
    src: Rc<str>,
    protos: Vec<Rc<Proto>>,
    tasks: Vec<Option<Task>>,
    promises: Vec<PromiseSlot>,
    pending_promises: usize,
    microtasks: VecDeque<Microtask>,
    timers: BTreeMap<TimerKey, TimerAction>,
    timer_seq: u64,
    pub(super) groups: Vec<Group>,
    pub(super) retries: Vec<RetryState>,
    pub(super) limiters: Vec<LimitState>,
    pub(super) job_groups: Vec<JobGroup>,
    /// Jobs handed out and not answered: job id -> (job group, lane).
    jobs_running: BTreeMap<JobId, (usize, usize)>,
    jobs_new: Vec<(JobId, Job)>,
    jobs_answered: VecDeque<(JobId, Result<u64, String>)>,
    next_job: JobId,
    /// What the run recorded.
    pub recording: Recording,
    t0: Option<f64>,
    /// Now, ms since the start (as of the last reading of the clock).
    pub(super) now: f64,
    steps_stretch: u64,
    steps_total: u64,
    /// Ms blocked by `spin` in this synchronous stretch.
    pub(super) blocked_in_stretch: f64,
    main: PromiseId,
    main_task: usize,
    main_ms: Option<f64>,
    finished: Option<Finished>,
    /// The limits of this run.
    pub(super) limits: Limits,
    /// Every scope a closure captured, to break reference cycles when the machine is dropped.
    captured: Vec<Weak<Scope>>,
    /// The built-in functions.
    natives: &'static dyn Natives,
    /// The array methods of the prelude, by name.
    methods: Vec<(Rc<str>, Rc<Closure>)>,
}

impl Drop for Machine {
    fn drop(&mut self) {
        for scope in std::mem::take(&mut self.captured) {
            if let Some(scope) = scope.upgrade() {
                scope.clear_chain();
            }
        }
    }
}

/// The built-in functions, as the machine calls them. Implemented in
/// [`builtins`](super::builtins), which uses the machine: the machine only knows this trait, so
/// the two files do not use each other.
pub(super) trait Natives {
    /// Calls built-in `b` with `args`.
    fn call(
        &self,
        m: &mut Machine,
        b: Builtin,
        args: Vec<Value>,
        span: &Span,
        clock: &mut dyn Clock,
    ) -> Result<Value, Stop>;
    /// Runs a built-in's reaction to a settled promise.
    fn react(&self, m: &mut Machine, reaction: Reaction, result: Settled) -> Result<(), Stop>;
    /// The next value of a stream in `for await`: a promise of it, or of the end.
    fn stream_next(
        &self,
        m: &mut Machine,
        stream: &Rc<std::cell::RefCell<super::value::Stream>>,
        span: &Span,
    ) -> Result<Value, Stop>;
}

mod exec;
mod promises;

pub(super) use exec::type_error;

impl Machine {
    /// A machine for `program` (parsed from `src`) whose built-ins are `natives`.
    pub(super) fn load(
        src: &str,
        program: &Program,
        natives: &'static dyn Natives,
    ) -> Result<Machine, ParseError> {
        let compiled = compile(src, program)?;
        let globals = Rc::new(Scope::default());
        let main_proto = compiled.protos[0].clone();
        let mut m = Machine {
            src: Rc::from(src),
            protos: compiled.protos,
            tasks: Vec::new(),
            promises: Vec::new(),
            pending_promises: 0,
            microtasks: VecDeque::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
            groups: Vec::new(),
            retries: Vec::new(),
            limiters: Vec::new(),
            job_groups: Vec::new(),
            jobs_running: BTreeMap::new(),
            jobs_new: Vec::new(),
            jobs_answered: VecDeque::new(),
            next_job: 1,
            recording: Recording::default(),
            t0: None,
            now: 0.0,
            steps_stretch: 0,
            steps_total: 0,
            blocked_in_stretch: 0.0,
            main: 0,
            main_task: 0,
            main_ms: None,
            finished: None,
            limits: Limits::default(),
            captured: Vec::new(),
            natives,
            methods: prelude_methods(&globals),
        };
        m.main = m.promise_unchecked();
        let frame = Frame {
            proto: main_proto,
            pc: 0,
            stack: Vec::new(),
            scope: Scope::child(&globals),
            handlers: Vec::new(),
            completions: Vec::new(),
            loops: Vec::new(),
            promise: Some(m.main),
        };
        m.tasks.push(Some(Task {
            frames: vec![frame],
            waiting_at: None,
            waiting_on: None,
            waiting_since: 0.0,
        }));
        m.main_task = 0;
        m.microtasks.push_back(Microtask::Start(0));
        Ok(m)
    }

    /// The same machine with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Machine {
        self.limits = limits;
        self
    }

    /// The first scope a closure captured (tests check it is freed with the machine).
    #[cfg(test)]
    pub(super) fn debug_captured_scope(&self) -> Weak<Scope> {
        self.captured.first().cloned().unwrap_or_default()
    }

    /// The source the machine runs.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// When the run started on its clock's time (its first step), ms; `None` before it.
    pub fn started_at(&self) -> Option<f64> {
        self.t0
    }

    /// How the run ended, once it has.
    pub fn finished(&self) -> Option<&Finished> {
        self.finished.as_ref()
    }

    /// Runs everything that is due now: the program's start on the first call, answered jobs,
    /// due timers (each followed by the microtasks it queued), and says what it waits for.
    pub fn run_until_idle(&mut self, clock: &mut dyn Clock) -> Idle {
        if self.finished.is_none() {
            let t0 = *self.t0.get_or_insert_with(|| clock.now_ms());
            self.now = clock.now_ms() - t0;
            if let Err(stop) = self.run_due(clock) {
                self.end_fatal(stop);
            }
            if self.finished.is_none() && self.is_quiet() {
                self.end_quiet();
            }
        }
        let t0 = self.t0.unwrap_or(0.0);
        Idle {
            next_timer_ms: self.timers.keys().next().map(|k| t0 + k.0 as f64 / 1000.0),
            jobs: std::mem::take(&mut self.jobs_new),
            cancelled_jobs: if self.finished.is_some() {
                std::mem::take(&mut self.jobs_running).into_keys().collect()
            } else {
                Vec::new()
            },
            done: self.finished.clone(),
        }
    }

    /// Answers worker job `id` (its output, or why it failed). Handled on the next
    /// [`Machine::run_until_idle`], as a task of its own.
    pub fn job_done(&mut self, id: JobId, result: Result<u64, String>) {
        self.jobs_answered.push_back((id, result));
    }

    /// Ends the run now (the person pressed Cancel): pending bars end cancelled.
    pub fn cancel(&mut self, clock: &mut dyn Clock) {
        if self.finished.is_some() {
            return;
        }
        self.now = clock.now_ms() - self.t0.unwrap_or_else(|| clock.now_ms());
        let error = self.error(RunErrorKind::Cancelled, "the run was cancelled", 0..0);
        self.end_with(Some(error));
    }

    fn run_due(&mut self, clock: &mut dyn Clock) -> Result<(), Stop> {
        let t0 = self.t0.unwrap_or(0.0);
        self.new_stretch();
        self.drain(clock)?;
        loop {
            if let Some((id, result)) = self.jobs_answered.pop_front() {
                self.new_stretch();
                self.answer_job(id, result);
                self.drain(clock)?;
                continue;
            }
            let now_us = (self.now * 1000.0).round().max(0.0) as u64;
            let Some(entry) = self.timers.first_entry() else {
                return Ok(());
            };
            if entry.key().0 > now_us {
                return Ok(());
            }
            let action = entry.remove();
            self.new_stretch();
            self.fire(action);
            self.drain(clock)?;
            self.now = self.now.max(clock.now_ms() - t0);
        }
    }

    /// Runs microtasks until none is left.
    fn drain(&mut self, clock: &mut dyn Clock) -> Result<(), Stop> {
        while let Some(job) = self.microtasks.pop_front() {
            match job {
                Microtask::Start(task) => self.run_task(task, None, clock)?,
                Microtask::React(reaction, result) => self.react(reaction, result, clock)?,
            }
            if self.finished.is_some() {
                break;
            }
        }
        Ok(())
    }

    /// A new synchronous stretch begins (a timer fired, a job answered): its budgets restart.
    fn new_stretch(&mut self) {
        self.steps_stretch = 0;
        self.blocked_in_stretch = 0.0;
    }

    fn is_quiet(&self) -> bool {
        self.microtasks.is_empty()
            && self.timers.is_empty()
            && self.jobs_running.is_empty()
            && self.jobs_new.is_empty()
            && self.jobs_answered.is_empty()
    }

    /// Nothing is pending: the run is over, well or not.
    fn end_quiet(&mut self) {
        let error = match &self.promises[self.main].state {
            PromiseState::Pending => {
                let span = self.tasks[self.main_task]
                    .as_ref()
                    .and_then(|t| t.waiting_at.clone())
                    .unwrap_or(0..0);
                Some(self.error(
                    RunErrorKind::NeverSettles,
                    "the program never settles: it awaits a promise that nothing will settle \
                     (no timer or job is pending)",
                    span,
                ))
            }
            PromiseState::Settled(Err(thrown)) => Some(self.error(
                RunErrorKind::Uncaught,
                &format!("uncaught {}", thrown.value.to_display()),
                thrown.span.clone(),
            )),
            PromiseState::Settled(Ok(_)) => self.unhandled_rejection(),
        };
        self.end_with(error);
    }

    /// The first rejection nothing handled, as an error.
    fn unhandled_rejection(&self) -> Option<RunError> {
        self.promises.iter().find_map(|p| match &p.state {
            PromiseState::Settled(Err(thrown)) if !p.handled => Some(self.error(
                RunErrorKind::UnhandledRejection,
                &format!(
                    "a promise rejected with {} and nothing awaited it",
                    thrown.value.to_display()
                ),
                thrown.span.clone(),
            )),
            _ => None,
        })
    }

    fn end_fatal(&mut self, stop: Stop) {
        let error = match stop {
            Stop::Fatal(limit, span) => self.error(
                RunErrorKind::Limit(limit),
                &limit.message(&self.limits),
                span,
            ),
            Stop::Throw(thrown) => self.error(
                RunErrorKind::Uncaught,
                &format!("uncaught {}", thrown.value.to_display()),
                thrown.span,
            ),
        };
        self.end_with(Some(error));
    }

    fn end_with(&mut self, error: Option<RunError>) {
        let end = self.now;
        self.recording.cancel_open(end);
        self.timers.clear();
        self.microtasks.clear();
        let value = match &self.promises[self.main].state {
            PromiseState::Settled(Ok(v)) => Some(v.to_display()),
            _ => None,
        };
        let end_ms = self
            .recording
            .lanes
            .iter()
            .filter_map(|l| l.end_ms)
            .fold(self.main_ms.unwrap_or(0.0), f64::max)
            .max(if error.is_some() { end } else { 0.0 });
        self.finished = Some(Finished {
            main_ms: self.main_ms,
            end_ms,
            value,
            error,
        });
    }

    pub(super) fn error(&self, kind: RunErrorKind, message: &str, span: Span) -> RunError {
        let (line, col) = line_col(&self.src, span.start);
        RunError {
            kind,
            message: message.to_string(),
            line,
            col,
            span,
        }
    }
}

/// The prelude's array methods as closures over `globals`.
fn prelude_methods(globals: &Rc<Scope>) -> Vec<(Rc<str>, Rc<Closure>)> {
    let src = super::prelude::PRELUDE;
    // The prelude is fixed text, tested to parse and compile; no method is better than a panic.
    let Ok(program) = super::parser::parse(src) else {
        return Vec::new();
    };
    let Ok(compiled) = compile_with(src, &program, true) else {
        return Vec::new();
    };
    compiled
        .protos
        .into_iter()
        .skip(1)
        .filter_map(|proto| {
            let name: Rc<str> = Rc::from(proto.name.clone()?.as_str());
            let closure = Closure {
                proto,
                scope: globals.clone(),
            };
            Some((name, Rc::new(closure)))
        })
        .collect()
}
