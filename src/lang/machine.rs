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
use crate::trace::Outcome;

use super::ast::{BinaryOp, LogicalOp, Program, Span, UnaryOp};
use super::compile::{compile, Op, Proto};
use super::error::{line_col, ParseError};
use super::limits::{Limit, Limits};

use super::trace::{LaneKind, Recording};
use super::value::{
    drop_deep, ArrayMethod, Builtin, Closure, Iter, PromiseId, Scope, ScopeError, Value,
};

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
            main: 0,
            main_task: 0,
            main_ms: None,
            finished: None,
            limits: Limits::default(),
            captured: Vec::new(),
            natives,
        };
        m.main = m.promise_unchecked();
        let frame = Frame {
            proto: main_proto,
            pc: 0,
            stack: Vec::new(),
            scope: Scope::child(&globals),
            handlers: Vec::new(),
            completions: Vec::new(),
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
        self.steps_stretch = 0;
        self.drain(clock)?;
        loop {
            if let Some((id, result)) = self.jobs_answered.pop_front() {
                self.steps_stretch = 0;
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
            self.steps_stretch = 0;
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

    // ----- promises -----

    fn promise_unchecked(&mut self) -> PromiseId {
        self.promises.push(PromiseSlot {
            state: PromiseState::Pending,
            reactions: Vec::new(),
            handled: false,
            lane: None,
            timer: None,
        });
        self.pending_promises += 1;
        self.promises.len() - 1
    }

    /// A new pending promise; fails past the limit of promises pending at once.
    pub(super) fn new_promise(&mut self, span: &Span) -> Result<PromiseId, Stop> {
        if self.pending_promises >= self.limits.pending_promises {
            return Err(Stop::Fatal(Limit::PendingPromises, span.clone()));
        }
        Ok(self.promise_unchecked())
    }

    /// A promise already settled with `result`.
    pub(super) fn settled_promise(
        &mut self,
        result: Settled,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        let p = self.new_promise(span)?;
        self.settle(p, result);
        Ok(p)
    }

    /// `value` as a promise: itself, or one fulfilled with it.
    pub(super) fn promise_of(&mut self, value: Value, span: &Span) -> Result<PromiseId, Stop> {
        match value {
            Value::Promise(p) => Ok(p),
            other => self.settled_promise(Ok(other), span),
        }
    }

    pub(super) fn is_pending(&self, p: PromiseId) -> bool {
        matches!(self.promises[p].state, PromiseState::Pending)
    }

    /// Runs `reaction` once `p` settles (at once, as a microtask, if it has).
    pub(super) fn react_to(&mut self, p: PromiseId, reaction: Reaction) {
        let slot = &mut self.promises[p];
        slot.handled = true;
        match &slot.state {
            PromiseState::Pending => slot.reactions.push(reaction),
            PromiseState::Settled(result) => {
                let result = result.clone();
                self.microtasks
                    .push_back(Microtask::React(reaction, result));
            }
        }
    }

    /// Resolves `p` with `value`: a promise value is adopted (followed), anything else
    /// fulfils it.
    pub(super) fn resolve(&mut self, p: PromiseId, value: Value) {
        match value {
            Value::Promise(q) if q == p => {
                let span = 0..0;
                self.settle(
                    p,
                    Err(Thrown {
                        value: Value::error("TypeError", "a promise cannot resolve to itself"),
                        span,
                    }),
                );
            }
            Value::Promise(q) => self.react_to(q, Reaction::Adopt(p)),
            other => self.settle(p, Ok(other)),
        }
    }

    /// Settles `p` (if pending) and queues its reactions.
    pub(super) fn settle(&mut self, p: PromiseId, result: Settled) {
        let slot = &mut self.promises[p];
        if !matches!(slot.state, PromiseState::Pending) {
            return;
        }
        slot.state = PromiseState::Settled(result.clone());
        slot.timer = None;
        let reactions = std::mem::take(&mut slot.reactions);
        self.pending_promises -= 1;
        if p == self.main {
            self.main_ms = Some(self.now);
        }
        for reaction in reactions {
            self.microtasks
                .push_back(Microtask::React(reaction, result.clone()));
        }
    }

    /// Abandons a pending promise settled by a timer: clears the timer, ends its bar with
    /// `outcome`, and rejects it (handled: nobody is told twice).
    pub(super) fn cancel_promise(&mut self, p: PromiseId, outcome: Outcome) {
        if !self.is_pending(p) {
            return;
        }
        let Some(key) = self.promises[p].timer else {
            return;
        };
        self.timers.remove(&key);
        if let Some(lane) = self.promises[p].lane {
            self.recording.close(lane, self.now, outcome);
        }
        self.promises[p].handled = true;
        let message = if outcome == Outcome::TimedOut {
            "abandoned after a timeout"
        } else {
            "cancelled: another promise won the race"
        };
        self.settle(
            p,
            Err(Thrown {
                value: Value::error("CancelledError", message),
                span: 0..0,
            }),
        );
    }

    // ----- timers -----

    /// Sets a timer `ms` from now.
    pub(super) fn set_timer(&mut self, ms: f64, action: TimerAction) -> TimerKey {
        let deadline = self.now + ms.max(0.0);
        self.timer_seq += 1;
        let key = ((deadline * 1000.0).round().max(0.0) as u64, self.timer_seq);
        self.timers.insert(key, action);
        key
    }

    /// A promise settled with `result` after `ms`, with a bar named `label` when given.
    pub(super) fn timer_promise(
        &mut self,
        ms: f64,
        result: Settled,
        label: Option<String>,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        let p = self.new_promise(span)?;
        let key = self.set_timer(ms, TimerAction::Settle(p, result));
        let lane = label.map(|l| self.recording.open(l, LaneKind::Timer, self.now));
        let slot = &mut self.promises[p];
        slot.timer = Some(key);
        slot.lane = lane;
        Ok(p)
    }

    /// Clears a timer that has not fired.
    pub(super) fn clear_timer(&mut self, key: TimerKey) {
        self.timers.remove(&key);
    }

    /// Blocks the loop for `ms` (`spin`): the clock moves on and nothing else runs meanwhile.
    pub(super) fn block(&mut self, clock: &mut dyn Clock, ms: f64) {
        let before = clock.now_ms();
        clock.block_for(ms);
        self.now += (clock.now_ms() - before).max(0.0);
    }

    fn fire(&mut self, action: TimerAction) {
        match action {
            TimerAction::Settle(p, result) => {
                if let Some(lane) = self.promises[p].lane {
                    let outcome = if result.is_ok() {
                        Outcome::Completed
                    } else {
                        Outcome::Failed
                    };
                    self.recording.close(lane, self.now, outcome);
                }
                self.settle(p, result);
            }
            TimerAction::Timeout {
                outer,
                inner,
                ms,
                span,
            } => {
                if self.is_pending(outer) {
                    let message =
                        format!("timed out after {} ms", super::value::number_to_string(ms));
                    self.settle(
                        outer,
                        Err(Thrown {
                            value: Value::error("TimeoutError", &message),
                            span,
                        }),
                    );
                    self.cancel_promise(inner, Outcome::TimedOut);
                }
            }
        }
    }

    // ----- worker jobs -----

    /// Hands `jobs` to the driver; `target` settles with the sum of their outputs.
    pub(super) fn submit_jobs(&mut self, jobs: Vec<(Job, String)>, target: PromiseId) {
        let group = self.job_groups.len();
        self.job_groups.push(JobGroup {
            target,
            remaining: jobs.len(),
            sum: 0,
            failed: false,
        });
        if jobs.is_empty() {
            self.settle(target, Ok(Value::Num(0.0)));
        }
        for (job, label) in jobs {
            let id = self.next_job;
            self.next_job += 1;
            let lane = self.recording.open(label, LaneKind::Worker, self.now);
            self.jobs_running.insert(id, (group, lane));
            self.jobs_new.push((id, job));
        }
    }

    fn answer_job(&mut self, id: JobId, result: Result<u64, String>) {
        let Some((group, lane)) = self.jobs_running.remove(&id) else {
            return;
        };
        let g = &mut self.job_groups[group];
        let target = g.target;
        match result {
            Ok(value) => {
                self.recording.close(lane, self.now, Outcome::Completed);
                g.sum += value;
                g.remaining -= 1;
                if g.remaining == 0 && !g.failed {
                    let sum = g.sum as f64;
                    self.settle(target, Ok(Value::Num(sum)));
                }
            }
            Err(message) => {
                self.recording.close(lane, self.now, Outcome::Failed);
                g.failed = true;
                self.settle(
                    target,
                    Err(Thrown {
                        value: Value::error("WorkerError", &message),
                        span: 0..0,
                    }),
                );
            }
        }
    }

    // ----- tasks -----

    fn new_task(&mut self, task: Task) -> usize {
        self.tasks.push(Some(task));
        self.tasks.len() - 1
    }

    /// Calls `f` with `args` in a task of its own, started as a microtask; the promise
    /// settles with what it returns (a returned promise is followed).
    pub(super) fn spawn_call(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        let Value::Closure(c) = f else {
            return Err(self.type_error(
                &format!("expected a function here, not {}", f.type_name()),
                span,
            ));
        };
        let p = self.new_promise(span)?;
        let frame = self.frame_for(c, args, Some(p));
        let task = self.new_task(Task {
            frames: vec![frame],
            waiting_at: None,
            waiting_on: None,
            waiting_since: 0.0,
        });
        self.microtasks.push_back(Microtask::Start(task));
        Ok(p)
    }

    fn frame_for(&self, c: &Closure, args: Vec<Value>, promise: Option<PromiseId>) -> Frame {
        let scope = Scope::child(&c.scope);
        let mut args = args.into_iter();
        for param in &c.proto.params {
            // A repeated parameter name keeps its first value.
            let _ = scope.declare(param, args.next().unwrap_or(Value::Undefined), true);
        }
        Frame {
            proto: c.proto.clone(),
            pc: 0,
            stack: Vec::new(),
            scope,
            handlers: Vec::new(),
            completions: Vec::new(),
            promise,
        }
    }

    /// A catchable `TypeError`.
    pub(super) fn type_error(&self, message: &str, span: &Span) -> Stop {
        Stop::Throw(Thrown {
            value: Value::error("TypeError", message),
            span: span.clone(),
        })
    }

    fn react(
        &mut self,
        reaction: Reaction,
        result: Settled,
        clock: &mut dyn Clock,
    ) -> Result<(), Stop> {
        match reaction {
            Reaction::Resume(task) => self.run_task(task, Some(result), clock),
            Reaction::Adopt(p) => {
                self.settle(p, result);
                Ok(())
            }
            other => {
                let natives = self.natives;
                natives.react(self, other, result)
            }
        }
    }

    fn run_task(
        &mut self,
        id: usize,
        resume: Option<Settled>,
        clock: &mut dyn Clock,
    ) -> Result<(), Stop> {
        let Some(mut task) = self.tasks.get_mut(id).and_then(Option::take) else {
            return Ok(());
        };
        if let Some(span) = task.waiting_at.take() {
            self.recording.awaited(span, task.waiting_since, self.now);
        }
        if let Some(lane) = task.waiting_on.take().and_then(|p| self.promises[p].lane) {
            self.recording.consumed.push((lane, self.now));
        }
        let mut flow = Flow::Next;
        match resume {
            Some(Ok(v)) => {
                if let Some(frame) = task.frames.last_mut() {
                    frame.stack.push(v);
                }
            }
            Some(Err(thrown)) => flow = self.throw(&mut task, thrown),
            None => {}
        }
        loop {
            match flow {
                Flow::Next => {}
                Flow::Suspended => {
                    self.tasks[id] = Some(task);
                    return Ok(());
                }
                Flow::Finished => return Ok(()),
            }
            let Some(frame) = task.frames.last_mut() else {
                return Ok(());
            };
            let proto = frame.proto.clone();
            let pc = frame.pc;
            frame.pc += 1;
            let span = &proto.spans[pc];
            self.steps_stretch += 1;
            self.steps_total += 1;
            if self.steps_stretch > self.limits.steps_per_stretch {
                return Err(Stop::Fatal(Limit::StepsPerStretch, span.clone()));
            }
            if self.steps_total > self.limits.steps_total {
                return Err(Stop::Fatal(Limit::StepsTotal, span.clone()));
            }
            flow = match self.exec(&mut task, id, &proto.code[pc], span, clock) {
                Ok(flow) => flow,
                Err(Stop::Throw(thrown)) => self.throw(&mut task, thrown),
                Err(fatal) => return Err(fatal),
            };
        }
    }

    /// Unwinds `task` to the nearest handler for `thrown`.
    fn throw(&mut self, task: &mut Task, thrown: Thrown) -> Flow {
        loop {
            let Some(frame) = task.frames.last_mut() else {
                return Flow::Finished;
            };
            if let Some(h) = frame.handlers.pop() {
                frame.stack.truncate(h.stack_len);
                frame.completions.truncate(h.completions_len);
                frame.scope = h.scope;
                if let Some(catch) = h.catch {
                    frame.stack.push(thrown.value);
                    frame.pc = catch;
                } else if let Some(finally) = h.finally {
                    frame.completions.push(Completion::Throw(thrown));
                    frame.pc = finally;
                }
                return Flow::Next;
            }
            let frame = task.frames.pop().expect("a frame");
            if let Some(p) = frame.promise {
                self.settle(p, Err(thrown));
                return match task.frames.last_mut() {
                    Some(caller) => {
                        caller.stack.push(Value::Promise(p));
                        Flow::Next
                    }
                    None => Flow::Finished,
                };
            }
        }
    }

    /// Returns `value` from the running function, through any finally blocks.
    fn do_return(&mut self, task: &mut Task, value: Value) -> Flow {
        let frame = task.frames.last_mut().expect("a frame");
        while let Some(h) = frame.handlers.pop() {
            if let Some(finally) = h.finally {
                frame.stack.truncate(h.stack_len);
                frame.completions.truncate(h.completions_len);
                frame.scope = h.scope;
                frame.completions.push(Completion::Return(value));
                frame.pc = finally;
                return Flow::Next;
            }
        }
        let frame = task.frames.pop().expect("a frame");
        let result = match frame.promise {
            Some(p) => {
                self.resolve(p, value);
                Value::Promise(p)
            }
            None => value,
        };
        match task.frames.last_mut() {
            Some(caller) => {
                caller.stack.push(result);
                Flow::Next
            }
            None => Flow::Finished,
        }
    }

    fn exec(
        &mut self,
        task: &mut Task,
        id: usize,
        op: &Op,
        span: &Span,
        clock: &mut dyn Clock,
    ) -> Result<Flow, Stop> {
        let frame = task.frames.last_mut().expect("a frame");
        match op {
            Op::Num(n) => frame.stack.push(Value::Num(*n)),
            Op::Str(s) => frame.stack.push(Value::Str(s.clone())),
            Op::Bool(b) => frame.stack.push(Value::Bool(*b)),
            Op::Null => frame.stack.push(Value::Null),
            Op::Undefined => frame.stack.push(Value::Undefined),
            Op::Load(name) => {
                let value = frame
                    .scope
                    .get(name)
                    .or_else(|| Builtin::global(name))
                    .ok_or_else(|| Thrown {
                        value: Value::error(
                            "ReferenceError",
                            &format!("unknown name `{name}` (declare it with const or let)"),
                        ),
                        span: span.clone(),
                    })?;
                frame.stack.push(value);
            }
            Op::Store(name) => {
                let value = frame.stack.last().cloned().unwrap_or(Value::Undefined);
                match frame.scope.set(name, value) {
                    Ok(()) => {}
                    Err(ScopeError::Const) => {
                        return Err(self.type_error(
                            &format!("`{name}` is a const and cannot be assigned"),
                            span,
                        ))
                    }
                    Err(_) => {
                        return Err(Stop::Throw(Thrown {
                            value: Value::error(
                                "ReferenceError",
                                &format!("unknown name `{name}` (declare it with let first)"),
                            ),
                            span: span.clone(),
                        }))
                    }
                }
            }
            Op::Declare { name, mutable } => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                if frame.scope.declare(name, value, *mutable).is_err() {
                    return Err(Stop::Throw(Thrown {
                        value: Value::error(
                            "SyntaxError",
                            &format!("`{name}` is already declared in this block"),
                        ),
                        span: span.clone(),
                    }));
                }
            }
            Op::Pop => {
                frame.stack.pop();
            }
            Op::Array(n) => {
                let items = frame.stack.split_off(frame.stack.len() - n);
                frame.stack.push(Value::array(items));
            }
            Op::Closure(index) => {
                let known = self
                    .captured
                    .last()
                    .is_some_and(|w| std::ptr::eq(w.as_ptr(), Rc::as_ptr(&frame.scope)));
                if !known {
                    self.captured.push(Rc::downgrade(&frame.scope));
                }
                let closure = Closure {
                    proto: self.protos[*index].clone(),
                    scope: frame.scope.clone(),
                };
                frame.stack.push(Value::Closure(Rc::new(closure)));
            }
            Op::Unary(op) => {
                let v = frame.stack.pop().unwrap_or(Value::Undefined);
                frame.stack.push(match op {
                    UnaryOp::Not => Value::Bool(!v.truthy()),
                    UnaryOp::Neg => Value::Num(-v.to_number()),
                    UnaryOp::Plus => Value::Num(v.to_number()),
                });
            }
            Op::Binary(op) => {
                let b = frame.stack.pop().unwrap_or(Value::Undefined);
                let a = frame.stack.pop().unwrap_or(Value::Undefined);
                frame.stack.push(binary(*op, &a, &b));
            }
            Op::Jump(to) => frame.pc = *to,
            Op::JumpIfFalse(to) => {
                if !frame.stack.pop().is_some_and(|v| v.truthy()) {
                    frame.pc = *to;
                }
            }
            Op::ShortCircuit(op, to) => {
                let truthy = frame.stack.last().is_some_and(Value::truthy);
                let decided = match op {
                    LogicalOp::And => !truthy,
                    LogicalOp::Or => truthy,
                };
                if decided {
                    frame.pc = *to;
                } else {
                    frame.stack.pop();
                }
            }
            Op::Member(name) => {
                let object = frame.stack.pop().unwrap_or(Value::Undefined);
                let value = self.member(&object, name, span)?;
                task.frames.last_mut().expect("a frame").stack.push(value);
            }
            Op::Index => {
                let index = frame.stack.pop().unwrap_or(Value::Undefined);
                let object = frame.stack.pop().unwrap_or(Value::Undefined);
                let value = match (&object, index.to_number()) {
                    (Value::Array(items), i) if i >= 0.0 && i.fract() == 0.0 => items
                        .borrow()
                        .get(i as usize)
                        .cloned()
                        .unwrap_or(Value::Undefined),
                    (Value::Str(s), i) if i >= 0.0 && i.fract() == 0.0 => s
                        .chars()
                        .nth(i as usize)
                        .map(|c| Value::str(&c.to_string()))
                        .unwrap_or(Value::Undefined),
                    (Value::Undefined | Value::Null, _) => {
                        return Err(self.type_error(
                            &format!("cannot read an index of {}", object.type_name()),
                            span,
                        ))
                    }
                    (_, _) => match &index {
                        Value::Str(name) => self.member(&object, name, span)?,
                        _ => Value::Undefined,
                    },
                };
                task.frames.last_mut().expect("a frame").stack.push(value);
            }
            Op::Call(argc) => {
                let args = frame.stack.split_off(frame.stack.len() - argc);
                let callee = frame.stack.pop().unwrap_or(Value::Undefined);
                return self.call(task, callee, args, span, clock);
            }
            Op::Await => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                let p = self.promise_of(value, span)?;
                let Some(frame) = task.frames.pop() else {
                    return Ok(Flow::Finished);
                };
                if task.frames.is_empty() {
                    // The task's own async function waits: the task sleeps.
                    task.frames.push(frame);
                    task.waiting_at = Some(span.clone());
                    task.waiting_on = Some(p);
                    task.waiting_since = self.now;
                    self.react_to(p, Reaction::Resume(id));
                    return Ok(Flow::Suspended);
                }
                // An async function called from this task waits: it goes on as a task of its
                // own, and its caller continues with its promise.
                let promise = frame
                    .promise
                    .expect("await only compiles in async functions");
                let waiting = self.new_task(Task {
                    frames: vec![frame],
                    waiting_at: Some(span.clone()),
                    waiting_on: Some(p),
                    waiting_since: self.now,
                });
                self.react_to(p, Reaction::Resume(waiting));
                task.frames
                    .last_mut()
                    .expect("a caller")
                    .stack
                    .push(Value::Promise(promise));
            }
            Op::Return => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                return Ok(self.do_return(task, value));
            }
            Op::Throw => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                return Err(Stop::Throw(Thrown {
                    value,
                    span: span.clone(),
                }));
            }
            Op::PushScope => frame.scope = Scope::child(&frame.scope),
            Op::PopScope => {
                if let Some(parent) = frame.scope.parent() {
                    frame.scope = parent.clone();
                }
            }
            Op::EnterTry { catch, finally } => {
                let handler = Handler {
                    catch: *catch,
                    finally: *finally,
                    stack_len: frame.stack.len(),
                    completions_len: frame.completions.len(),
                    scope: frame.scope.clone(),
                };
                frame.handlers.push(handler);
            }
            Op::LeaveTry => {
                frame.handlers.pop();
            }
            Op::NormalCompletion => frame.completions.push(Completion::Normal),
            Op::EndFinally => match frame.completions.pop() {
                Some(Completion::Normal) | None => {}
                Some(Completion::Return(value)) => return Ok(self.do_return(task, value)),
                Some(Completion::Throw(thrown)) => return Err(Stop::Throw(thrown)),
            },
            Op::IterStart { is_await } => {
                let iterable = frame.stack.pop().unwrap_or(Value::Undefined);
                let iter = match iterable {
                    Value::Array(items) => Iter::Array(items.borrow().clone(), 0),
                    Value::Stream(s) if *is_await => Iter::Stream(s),
                    Value::Stream(_) => {
                        return Err(self
                            .type_error("a stream is read with `for await (const x of …)`", span))
                    }
                    other => {
                        return Err(self
                            .type_error(&format!("cannot loop over {}", other.type_name()), span))
                    }
                };
                let frame = task.frames.last_mut().expect("a frame");
                frame
                    .stack
                    .push(Value::Iter(Rc::new(std::cell::RefCell::new(iter))));
            }
            Op::IterNext(exit) => {
                let Some(Value::Iter(iter)) = frame.stack.last().cloned() else {
                    return Err(self.type_error("not in a loop", span));
                };
                let mut iter = iter.borrow_mut();
                match &mut *iter {
                    Iter::Array(items, i) => {
                        if let Some(item) = items.get(*i) {
                            *i += 1;
                            frame.stack.push(item.clone());
                        } else {
                            frame.stack.pop();
                            frame.pc = *exit;
                        }
                    }
                    Iter::Stream(stream) => {
                        let stream = stream.clone();
                        drop(iter);
                        let natives = self.natives;
                        let next = natives.stream_next(self, &stream, span)?;
                        task.frames.last_mut().expect("a frame").stack.push(next);
                    }
                }
            }
            Op::IterDone(exit) => {
                if matches!(frame.stack.last(), Some(Value::Done)) {
                    frame.stack.pop();
                    frame.stack.pop();
                    frame.pc = *exit;
                }
            }
        }
        let _ = clock;
        Ok(Flow::Next)
    }

    fn member(&mut self, object: &Value, name: &str, span: &Span) -> Result<Value, Stop> {
        Ok(match object {
            Value::Namespace(ns) => match ns.member(name) {
                Some(b) => Value::Builtin(b),
                None => Value::Undefined,
            },
            Value::Array(items) => match name {
                "length" => Value::Num(items.borrow().len() as f64),
                "push" => Value::ArrayMethod(items.clone(), ArrayMethod::Push),
                _ => Value::Undefined,
            },
            Value::Str(s) if name == "length" => Value::Num(s.chars().count() as f64),
            Value::Object(_) => object.field(name).unwrap_or(Value::Undefined),
            Value::Promise(_) if matches!(name, "then" | "catch" | "finally") => {
                return Err(self.type_error(
                    &format!(
                        "promises have no `.{name}` in this language: use await (with try/catch)"
                    ),
                    span,
                ))
            }
            Value::Undefined | Value::Null => {
                return Err(self.type_error(
                    &format!("cannot read `{name}` of {}", object.type_name()),
                    span,
                ))
            }
            _ => Value::Undefined,
        })
    }

    fn call(
        &mut self,
        task: &mut Task,
        callee: Value,
        args: Vec<Value>,
        span: &Span,
        clock: &mut dyn Clock,
    ) -> Result<Flow, Stop> {
        let result = match callee {
            Value::Closure(c) => {
                if task.frames.len() >= self.limits.call_depth {
                    return Err(Stop::Fatal(Limit::CallDepth, span.clone()));
                }
                let promise = if c.proto.is_async {
                    Some(self.new_promise(span)?)
                } else {
                    None
                };
                let frame = self.frame_for(&c, args, promise);
                task.frames.push(frame);
                return Ok(Flow::Next);
            }
            Value::Builtin(b) => {
                let natives = self.natives;
                natives.call(self, b, args, span, clock)?
            }
            Value::ArrayMethod(items, ArrayMethod::Push) => {
                let mut items = items.borrow_mut();
                if items.len() + args.len() > self.limits.array_len {
                    return Err(Stop::Fatal(Limit::ArrayLen, span.clone()));
                }
                items.extend(args);
                Value::Num(items.len() as f64)
            }
            other => {
                let text = self.src.get(span.clone()).unwrap_or("");
                let callee = text.split('(').next().unwrap_or(text).trim();
                return Err(self.type_error(
                    &format!("`{callee}` is not a function (it is {})", other.type_name()),
                    span,
                ));
            }
        };
        task.frames.last_mut().expect("a frame").stack.push(result);
        Ok(Flow::Next)
    }
}

/// A binary operator on two values, as JavaScript computes it (`==` is `===` here).
fn binary(op: BinaryOp, a: &Value, b: &Value) -> Value {
    use BinaryOp::*;
    match op {
        Add => match (a, b) {
            (Value::Num(x), Value::Num(y)) => Value::Num(x + y),
            (Value::Str(_) | Value::Array(_) | Value::Object(_), _)
            | (_, Value::Str(_) | Value::Array(_) | Value::Object(_)) => {
                Value::str(&(a.to_display() + &b.to_display()))
            }
            _ => Value::Num(a.to_number() + b.to_number()),
        },
        Sub => Value::Num(a.to_number() - b.to_number()),
        Mul => Value::Num(a.to_number() * b.to_number()),
        Div => Value::Num(a.to_number() / b.to_number()),
        Rem => Value::Num(a.to_number() % b.to_number()),
        Eq => Value::Bool(a.strict_eq(b)),
        NotEq => Value::Bool(!a.strict_eq(b)),
        Lt | Le | Gt | Ge => {
            let ord = match (a, b) {
                (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
                _ => a.to_number().partial_cmp(&b.to_number()),
            };
            Value::Bool(match ord {
                None => false,
                Some(o) => match op {
                    Lt => o.is_lt(),
                    Le => o.is_le(),
                    Gt => o.is_gt(),
                    _ => o.is_ge(),
                },
            })
        }
    }
}
