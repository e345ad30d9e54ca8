//! The engine: runs a [`Plan`] with a [`Strategy`] on any [`Runtime`] and records a [`Trace`].
//!
//! The same code runs in the browser (real timers on the real event loop, see
//! `web::executor`) and natively on a virtual clock ([`virtual_rt`]), so scheduling orders
//! (throttling, retries, timeouts, cancellation) are tested deterministically and checked
//! against the predictor's formulas.
//!
//! Cancellation: wrap [`run`] in `futures::future::abortable`. Aborting drops it, which drops
//! every pending sleep (a browser timer is cleared when its future is dropped); then call
//! [`Recorder::finish`] with `cancelled = true` to mark what was pending.

pub mod virtual_rt;

use crate::cpu::protocol::WorkerError;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;

use futures::future::{join_all, select, select_all, Either, LocalBoxFuture};
use futures::FutureExt;

use crate::model::plan::Plan;
use crate::model::predict::WATCHDOG_MS;
use crate::model::scenario::{Strategy, MAX_WORKERS};
use crate::trace::results::StrategyView;
use crate::trace::{GroupOutcome, Outcome, Trace, TraceEvent};

/// Awaits all of `calls` together, as `join_all` does: every call is polled once, in order,
/// before any is awaited further, and the results come back in order. The calls are boxed to
/// one type, so the join's code (`FuturesOrdered` beyond 30 calls) is in the wasm once instead
/// of once per strategy.
pub(crate) async fn join_calls<'a>(
    calls: impl Iterator<Item = LocalBoxFuture<'a, bool>>,
) -> Vec<bool> {
    join_all(calls).await
}

/// What the engine needs from the place it runs: a clock, timers, and a way to block.
pub trait Runtime {
    /// A timer; dropping it before it fires cancels it.
    type Sleep: Future<Output = ()> + Unpin;
    /// Milliseconds on this runtime's clock.
    fn now_ms(&self) -> f64;
    /// A timer that fires after `ms`.
    fn sleep(&self, ms: u32) -> Self::Sleep;
    /// Blocks the thread for `ms`: nothing else on this event loop runs meanwhile.
    fn block_for(&self, ms: u32);
    /// Parks a worker of its own for `ms`, as a call blocking a thread while it waits does.
    /// Fails if no worker can be had.
    fn hold_worker(&self, ms: u32) -> Pin<Box<dyn Future<Output = Result<(), WorkerError>>>>;
}

/// Options of [`run`]. Defaults: the lag probe ticks every 50 ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOptions {
    /// Interval of the event-loop lag probe, ms; `None` runs no probe (benchmarks).
    pub lag_probe_ms: Option<u32>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lag_probe_ms: Some(50),
        }
    }
}

/// How many of the plan's tasks a strategy runs (blocking on a result uses just one call).
pub fn task_count(strategy: Strategy, plan: &Plan) -> usize {
    match strategy {
        Strategy::BlockOnResult => plan.tasks.len().min(1),
        _ => plan.tasks.len(),
    }
}

/// Collects one strategy's trace while it runs. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Recorder {
    trace: Rc<RefCell<Trace>>,
    clock: Rc<dyn Fn() -> f64>,
    /// Clock reading when the run began; `None` before it began.
    t0: Rc<Cell<Option<f64>>>,
}

impl Recorder {
    /// A recorder for a run of `task_count` tasks that has not begun, reading `clock`.
    pub fn new(task_count: usize, clock: impl Fn() -> f64 + 'static) -> Self {
        Recorder {
            trace: Rc::new(RefCell::new(Trace::new(task_count as u32))),
            clock: Rc::new(clock),
            t0: Rc::new(Cell::new(None)),
        }
    }

    /// A recorder reading `rt`'s clock.
    pub fn for_runtime<R: Runtime + Clone + 'static>(task_count: usize, rt: &R) -> Self {
        let rt = rt.clone();
        Recorder::new(task_count, move || rt.now_ms())
    }

    /// Starts the run's clock.
    pub fn begin(&self) {
        self.t0.set(Some((self.clock)()));
    }

    /// Milliseconds since [`Recorder::begin`] (0 before it).
    pub fn elapsed_ms(&self) -> f64 {
        self.t0.get().map(|t0| (self.clock)() - t0).unwrap_or(0.0)
    }

    /// True once the run began.
    pub fn has_begun(&self) -> bool {
        self.t0.get().is_some()
    }

    fn with(&self, f: impl FnOnce(&mut Trace, f64)) {
        let at = self.elapsed_ms();
        f(&mut self.trace.borrow_mut(), at);
    }

    fn started(&self, task: usize, attempt: u32) {
        self.started_on(task, task, attempt);
    }

    /// Task (or piece) `task` starts now on `lane`.
    pub fn started_on(&self, task: usize, lane: usize, attempt: u32) {
        self.with(|t, at_ms| {
            t.record(TraceEvent::Started {
                task: task as u32,
                lane: lane as u32,
                attempt,
                at_ms,
            })
        });
    }

    /// Names the lanes (when they are workers rather than one per task).
    pub fn name_lanes(&self, names: Vec<String>) {
        self.with(|t, _| t.lane_names = names);
    }

    /// Lets another executor edit the trace (CPU runs record their value and start-up).
    pub fn update(&self, f: impl FnOnce(&mut Trace, f64)) {
        self.with(f);
    }

    /// Task (or piece) `task` ended now.
    pub fn ended(&self, task: usize, outcome: Outcome) {
        self.with(|t, at_ms| {
            t.record(TraceEvent::Ended {
                task: task as u32,
                at_ms,
                outcome,
            })
        });
    }

    /// The awaiting code continued now (only the first call counts).
    pub fn resume(&self, how: GroupOutcome) {
        self.with(|t, at| t.resume(at, how));
    }

    fn consumed(&self, task: usize) {
        self.with(|t, at| t.consumed.push((task as u32, at)));
    }

    /// Every completed task's result is handed over now (the awaited list arrives).
    fn consume_completed(&self) {
        self.with(|t, at| {
            let done = t.completion_order.clone();
            t.consumed.extend(done.into_iter().map(|task| (task, at)));
        });
    }

    fn cancel_pending(&self) {
        self.with(|t, at| t.cancel_pending(at));
    }

    /// Ends the run now; with `cancelled`, pending tasks are marked as stopped here.
    /// Does nothing for a run that never began.
    pub fn finish(&self, cancelled: bool) {
        if self.has_begun() {
            self.with(|t, at| t.finish(at, cancelled));
        }
    }

    /// True once the run ended.
    pub fn is_finished(&self) -> bool {
        self.trace.borrow().is_finished()
    }

    /// A copy of the trace so far.
    /// What the results area shows of this recorder's strategy right now.
    pub fn view(
        &self,
        strategy: Strategy,
        plan: &std::sync::Arc<Plan>,
        ideal: crate::model::predict::Prediction,
    ) -> StrategyView {
        let trace = self.snapshot();
        let now_ms = trace.elapsed_ms.unwrap_or_else(|| self.elapsed_ms());
        StrategyView {
            strategy,
            plan: plan.clone(),
            ideal,
            trace,
            begun: self.has_begun(),
            now_ms,
        }
    }

    pub fn snapshot(&self) -> Trace {
        self.trace.borrow().clone()
    }

    /// Reads the trace so far without copying it.
    pub fn with_trace<T>(&self, f: impl FnOnce(&Trace) -> T) -> T {
        f(&self.trace.borrow())
    }
}

/// Runs one task: its attempts (with retry delays, per-attempt timeout and steps) until one
/// completes. With `on_worker` each step parks a worker instead of awaiting a timer on the
/// loop. Returns whether it completed.
async fn run_task<R: Runtime>(
    rt: &R,
    plan: &Plan,
    rec: &Recorder,
    i: usize,
    on_worker: bool,
) -> bool {
    let task = &plan.tasks[i];
    for a in 0..plan.retry.attempts {
        let delay = plan.retry.delay_before(a);
        if delay > 0 {
            rt.sleep(delay).await;
        }
        rec.started(i, a);
        let work = async {
            for step in &task.steps {
                if on_worker {
                    rt.hold_worker(step.ms).await?;
                } else {
                    rt.sleep(step.ms).await;
                }
            }
            Ok::<(), WorkerError>(())
        };
        let result = match plan.timeout_ms {
            // The timeout's timer is set before the call's: when both are due together, the
            // timeout fires first (timers due at the same time fire in the order they were set).
            Some(to) => match select(pin!(work), rt.sleep(to)).await {
                Either::Left((r, _)) => Some(r),
                Either::Right(_) => None,
            },
            None => Some(work.await),
        };
        let outcome = match result {
            None => Outcome::TimedOut,
            Some(Err(_)) => Outcome::Failed,
            Some(Ok(())) if task.fails[a as usize] => Outcome::Failed,
            Some(Ok(())) => Outcome::Completed,
        };
        rec.ended(i, outcome);
        if outcome == Outcome::Completed {
            return true;
        }
    }
    false
}

/// The await of a group of calls that all ran: completed, or the aggregate of failures.
fn settle_group(rec: &Recorder, oks: &[bool]) {
    let failed: Vec<u32> = oks
        .iter()
        .enumerate()
        .filter(|(_, ok)| !**ok)
        .map(|(i, _)| i as u32)
        .collect();
    match failed.first() {
        None => {
            rec.consume_completed();
            rec.resume(GroupOutcome::AllCompleted);
        }
        // Like Task.WhenAll: the first error in the order the tasks were given.
        Some(&first) => rec.resume(GroupOutcome::Failed { first, all: failed }),
    }
}

async fn run_body<R: Runtime>(rt: &R, strategy: Strategy, plan: &Plan, rec: &Recorder) {
    let n = task_count(strategy, plan);
    let on_worker = strategy == Strategy::WorkerPerCall;
    let task = |i: usize| run_task(rt, plan, rec, i, on_worker);
    match strategy {
        Strategy::Sequential | Strategy::Streaming { concurrent: false } => {
            let streaming = strategy != Strategy::Sequential;
            for i in 0..n {
                if !task(i).await {
                    rec.resume(GroupOutcome::Failed {
                        first: i as u32,
                        all: vec![i as u32],
                    });
                    return;
                }
                if streaming {
                    rec.consumed(i);
                }
            }
            if !streaming {
                rec.consume_completed();
            }
            rec.resume(GroupOutcome::AllCompleted);
        }
        Strategy::AllAtOnce { .. } | Strategy::Throttled { .. } | Strategy::WorkerPerCall
            if n > 0 =>
        {
            let fail_fast = strategy == Strategy::AllAtOnce { fail_fast: true };
            let limit = match strategy {
                Strategy::Throttled { limit } => Some(limit),
                // Calls queue for a worker once every worker of the pool is held.
                Strategy::WorkerPerCall => Some(MAX_WORKERS),
                _ => None,
            };
            let oks: Vec<bool> = if let Some(limit) = limit {
                // `limit` loops share one queue: each takes the next call when its last ends.
                let next = Cell::new(0usize);
                let oks = RefCell::new(vec![true; n]);
                join_calls((0..(limit.max(1) as usize).min(n)).map(|_| {
                    async {
                        loop {
                            let i = next.get();
                            if i >= n {
                                break true;
                            }
                            next.set(i + 1);
                            let ok = task(i).await;
                            oks.borrow_mut()[i] = ok;
                        }
                    }
                    .boxed_local()
                }))
                .await;
                oks.into_inner()
            } else {
                // join_all polls every call once before any completes: all timers start
                // first, then are awaited together (Task.WhenAll, Promise.all).
                join_calls((0..n).map(|i| {
                    async move {
                        let ok = task(i).await;
                        if !ok && fail_fast {
                            // Promise.all rejects now; the other calls go on regardless.
                            rec.resume(GroupOutcome::Failed {
                                first: i as u32,
                                all: vec![i as u32],
                            });
                        }
                        ok
                    }
                    .boxed_local()
                }))
                .await
            };
            settle_group(rec, &oks);
        }
        Strategy::FirstWins { cancel_rest } if n > 0 => {
            // The same boxed type as join_calls takes; select_all gives the winner's index.
            let calls = (0..n).map(|i| async move { task(i).await }.boxed_local());
            let (_ok, first, rest) = select_all(calls).await;
            rec.consumed(first);
            rec.resume(GroupOutcome::FirstFinished { task: first as u32 });
            if cancel_rest {
                drop(rest);
                rec.cancel_pending();
            } else {
                join_calls(rest.into_iter()).await;
            }
        }
        Strategy::Streaming { concurrent: true } => {
            let oks = join_calls((0..n).map(|i| {
                async move {
                    let ok = task(i).await;
                    if ok {
                        rec.consumed(i);
                    }
                    ok
                }
                .boxed_local()
            }))
            .await;
            let failed: Vec<u32> = (0..n as u32).filter(|&i| !oks[i as usize]).collect();
            match failed.first() {
                None => rec.resume(GroupOutcome::AllCompleted),
                Some(&first) => rec.resume(GroupOutcome::Failed { first, all: failed }),
            }
        }
        Strategy::FireAndForget => {
            rec.resume(GroupOutcome::NotAwaited);
            // The calls still run (the trace follows them), but nothing observes their errors.
            join_calls((0..n).map(|i| {
                async move {
                    let ok = task(i).await;
                    if !ok {
                        rec.with(|t, _| t.unobserved.push(i as u32));
                    }
                    ok
                }
                .boxed_local()
            }))
            .await;
        }
        Strategy::SharedCounter { safe } => {
            let counter = Cell::new(0u32);
            join_calls((0..n).map(|i| {
                let counter = &counter;
                async move {
                    if safe {
                        if task(i).await {
                            counter.set(counter.get() + 1);
                        }
                    } else {
                        let read = counter.get();
                        if task(i).await {
                            counter.set(read + 1);
                        }
                    }
                    true
                }
                .boxed_local()
            }))
            .await;
            rec.with(|t, _| t.counter = Some(counter.get()));
            settle_group(rec, &vec![true; n]);
        }
        Strategy::BlockOnResult if n > 0 => {
            let mut call = Box::pin(task(0));
            // Start the call (its timer is set), then block the loop waiting for it.
            if futures::poll!(&mut call).is_pending() {
                rt.block_for(WATCHDOG_MS);
                rec.resume(GroupOutcome::WouldDeadlock);
                call.await;
            } else {
                rec.resume(GroupOutcome::AllCompleted);
            }
        }
        // Nothing to run.
        _ => rec.resume(GroupOutcome::AllCompleted),
    }
}

/// Records how late a steady timer fires, forever: run it beside the work it watches.
pub async fn lag_probe<R: Runtime>(rt: &R, rec: &Recorder, every_ms: u32) {
    loop {
        let due = rec.elapsed_ms() + every_ms as f64;
        rt.sleep(every_ms).await;
        let late = (rec.elapsed_ms() - due).max(0.0);
        rec.with(|t, _| t.lag.push((due, late)));
    }
}

/// Runs `plan` with `strategy` on `rt`, recording into `rec`, and ends the trace when every
/// call has ended (or the group deadline cancelled what was pending).
pub async fn run<R: Runtime>(
    rt: &R,
    strategy: Strategy,
    plan: &Plan,
    rec: &Recorder,
    options: RunOptions,
) {
    rec.begin();
    let body = async {
        let body = pin!(run_body(rt, strategy, plan, rec));
        match plan.group_timeout_ms {
            Some(deadline) => {
                if let Either::Right(_) = select(body, rt.sleep(deadline)).await {
                    rec.cancel_pending();
                    rec.resume(GroupOutcome::DeadlineExceeded);
                }
            }
            None => body.await,
        }
    };
    match options.lag_probe_ms {
        // The probe is polled first, so its timer is set before the body can block the loop.
        Some(every) => {
            let _ = select(pin!(lag_probe(rt, rec, every.max(1))), pin!(body)).await;
        }
        None => body.await,
    }
    rec.finish(false);
}

#[cfg(test)]
mod tests;
