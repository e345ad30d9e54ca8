//! The promise table, the timer queue and the worker jobs of the [`Machine`].

use crate::cpu::kernels::Job;
use crate::trace::Outcome;

use super::super::ast::Span;
use super::super::limits::Limit;
use super::super::trace::LaneKind;
use super::super::value::{number_to_string, PromiseId, Value};
use super::{
    Clock, JobGroup, JobId, Machine, Microtask, PromiseSlot, PromiseState, Reaction, Settled, Stop,
    Thrown, TimerAction, TimerKey,
};

impl Machine {
    // ----- promises -----

    pub(super) fn promise_unchecked(&mut self) -> PromiseId {
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
    pub(in crate::lang) fn new_promise(&mut self, span: &Span) -> Result<PromiseId, Stop> {
        if self.pending_promises >= self.limits.pending_promises {
            return Err(Stop::Fatal(Limit::PendingPromises, span.clone()));
        }
        // Settled promises keep their slot (ids are indices), so their number is capped too.
        if self.promises.len() >= self.limits.promises_total {
            return Err(Stop::Fatal(Limit::PromisesTotal, span.clone()));
        }
        Ok(self.promise_unchecked())
    }

    /// A promise already settled with `result`.
    pub(in crate::lang) fn settled_promise(
        &mut self,
        result: Settled,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        let p = self.new_promise(span)?;
        self.settle(p, result);
        Ok(p)
    }

    /// `value` as a promise: itself, or one fulfilled with it.
    pub(in crate::lang) fn promise_of(
        &mut self,
        value: Value,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        match value {
            Value::Promise(p) => Ok(p),
            other => self.settled_promise(Ok(other), span),
        }
    }

    pub(in crate::lang) fn is_pending(&self, p: PromiseId) -> bool {
        matches!(self.promises[p].state, PromiseState::Pending)
    }

    /// Runs `reaction` once `p` settles (at once, as a microtask, if it has).
    pub(in crate::lang) fn react_to(&mut self, p: PromiseId, reaction: Reaction) {
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
    pub(in crate::lang) fn resolve(&mut self, p: PromiseId, value: Value) {
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
    pub(in crate::lang) fn settle(&mut self, p: PromiseId, result: Settled) {
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
    pub(in crate::lang) fn cancel_promise(&mut self, p: PromiseId, outcome: Outcome) {
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
    pub(in crate::lang) fn set_timer(&mut self, ms: f64, action: TimerAction) -> TimerKey {
        let deadline = self.now + ms.max(0.0);
        self.timer_seq += 1;
        let key = ((deadline * 1000.0).round().max(0.0) as u64, self.timer_seq);
        self.timers.insert(key, action);
        key
    }

    /// A promise settled with `result` after `ms`, with a bar named `label` when given.
    pub(in crate::lang) fn timer_promise(
        &mut self,
        ms: f64,
        result: Settled,
        label: Option<String>,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        if self.now + ms > self.limits.run_ms {
            return Err(Stop::Fatal(Limit::Duration, span.clone()));
        }
        let p = self.new_promise(span)?;
        let key = self.set_timer(ms, TimerAction::Settle(p, result));
        let lane = label.map(|l| self.recording.open(l, LaneKind::Timer, self.now));
        let slot = &mut self.promises[p];
        slot.timer = Some(key);
        slot.lane = lane;
        Ok(p)
    }

    /// Clears a timer that has not fired.
    pub(in crate::lang) fn clear_timer(&mut self, key: TimerKey) {
        self.timers.remove(&key);
    }

    /// Blocks the loop for `ms` (`spin`): the clock moves on and nothing else runs meanwhile.
    pub(in crate::lang) fn block(&mut self, clock: &mut dyn Clock, ms: f64) {
        let before = clock.now_ms();
        clock.block_for(ms);
        self.now += (clock.now_ms() - before).max(0.0);
    }

    pub(super) fn fire(&mut self, action: TimerAction) {
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
                    let message = format!("timed out after {} ms", number_to_string(ms));
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
    pub(in crate::lang) fn submit_jobs(&mut self, jobs: Vec<(Job, String)>, target: PromiseId) {
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

    pub(super) fn answer_job(&mut self, id: JobId, result: Result<u64, String>) {
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
}
