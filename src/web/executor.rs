//! Runs strategies for real on the browser event loop: every simulated call is a
//! `setTimeout` timer awaited through `gloo_timers::future::TimeoutFuture`, timed with
//! `performance.now()`, and recorded into a [`Trace`] as it happens.
//!
//! Cancellation: wrap the future returned by [`run`] in `futures::future::abortable`. Aborting
//! drops it, which drops every pending `TimeoutFuture` (and so clears its timer); then call
//! [`Recorder::finish`] with `cancelled = true` to mark what was pending.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::future::join_all;
use gloo_timers::future::TimeoutFuture;

use super::clock::now_ms;
use crate::scenario::{Strategy, TaskSpec};
use crate::trace::{Outcome, Trace, TraceEvent};

/// Collects one strategy's trace while it runs. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Recorder {
    trace: Rc<RefCell<Trace>>,
    /// `performance.now()` when the run began; `None` before it began.
    t0: Rc<Cell<Option<f64>>>,
    dirty: Rc<Cell<bool>>,
}

impl Recorder {
    /// A recorder for a run of `task_count` tasks that has not begun.
    pub fn new(task_count: usize) -> Self {
        Recorder {
            trace: Rc::new(RefCell::new(Trace::new(task_count as u32))),
            t0: Rc::new(Cell::new(None)),
            dirty: Rc::new(Cell::new(true)),
        }
    }

    /// Starts the run's clock.
    pub fn begin(&self) {
        self.t0.set(Some(now_ms()));
        self.dirty.set(true);
    }

    /// Milliseconds since [`Recorder::begin`] (0 before it).
    pub fn elapsed_ms(&self) -> f64 {
        self.t0.get().map(|t0| now_ms() - t0).unwrap_or(0.0)
    }

    /// True once the run began.
    pub fn has_begun(&self) -> bool {
        self.t0.get().is_some()
    }

    fn record(&self, event: TraceEvent) {
        self.trace.borrow_mut().record(event);
        self.dirty.set(true);
    }

    fn started(&self, task: usize) {
        let at_ms = self.elapsed_ms();
        self.record(TraceEvent::Started {
            task: task as u32,
            lane: task as u32,
            at_ms,
        });
    }

    fn ended(&self, task: usize) {
        let at_ms = self.elapsed_ms();
        self.record(TraceEvent::Ended {
            task: task as u32,
            at_ms,
            outcome: Outcome::Completed,
        });
    }

    /// Ends the run now; with `cancelled`, pending tasks are marked as stopped here.
    /// Does nothing for a run that never began.
    pub fn finish(&self, cancelled: bool) {
        if self.has_begun() {
            let at = self.elapsed_ms();
            self.trace.borrow_mut().finish(at, cancelled);
            self.dirty.set(true);
        }
    }

    /// True once the run ended.
    pub fn is_finished(&self) -> bool {
        self.trace.borrow().is_finished()
    }

    /// A copy of the trace so far.
    pub fn snapshot(&self) -> Trace {
        self.trace.borrow().clone()
    }

    /// True if something was recorded since the last call (and clears the flag).
    pub fn take_dirty(&self) -> bool {
        self.dirty.replace(false)
    }
}

/// Runs `tasks` with `strategy` on the event loop, recording into `rec`, and ends the trace
/// when every task completed.
pub async fn run(strategy: Strategy, tasks: &[TaskSpec], rec: &Recorder) {
    rec.begin();
    match strategy {
        Strategy::Sequential => {
            for (i, t) in tasks.iter().enumerate() {
                rec.started(i);
                TimeoutFuture::new(t.duration_ms).await;
                rec.ended(i);
            }
        }
        Strategy::AllAtOnce => {
            // join_all polls every call once before any completes: all timers are started
            // first, then awaited together, like Task.WhenAll or Promise.all.
            join_all(tasks.iter().enumerate().map(|(i, t)| async move {
                rec.started(i);
                TimeoutFuture::new(t.duration_ms).await;
                rec.ended(i);
            }))
            .await;
        }
    }
    rec.finish(false);
}
