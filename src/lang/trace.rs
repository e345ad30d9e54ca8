//! What a program run records (a lane per promise made by `sleep`, `call`, `fail`, ticks and
//! worker jobs, and the log lines with their times), and how it maps onto the app's
//! [`Trace`] so the existing timelines, tables and exports can show it.

use crate::trace::{GroupOutcome, Outcome, Trace, TraceEvent};

/// What made a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneKind {
    /// A timer on the event loop: `sleep`, `call`, `fail`, a tick.
    Timer,
    /// A job on a worker.
    Worker,
    /// CPU work blocking the event loop itself (`spin`).
    MainThread,
}

/// One promise's bar on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// What the program called it (`call("users", 500)` gives `users`).
    pub label: String,
    /// What made it.
    pub kind: LaneKind,
    /// When it started, ms since the run started.
    pub start_ms: f64,
    /// When it ended; `None` while pending.
    pub end_ms: Option<f64>,
    /// How it ended; `None` while pending.
    pub outcome: Option<Outcome>,
}

/// One `console.log` line.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// When it was written, ms since the run started.
    pub at_ms: f64,
    /// What was written.
    pub text: String,
}

/// Everything a run recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recording {
    /// One lane per promise with a bar, in the order they started.
    pub lanes: Vec<Lane>,
    /// The log, in order (at most [`MAX_LOG_LINES`](super::limits::MAX_LOG_LINES)).
    pub log: Vec<LogLine>,
    /// Log lines written beyond the limit, counted but not kept.
    pub log_dropped: usize,
    /// When an `await` continued with a lane's result: (lane, ms) (at most
    /// [`MAX_LOG_LINES`](super::limits::MAX_LOG_LINES)).
    pub consumed: Vec<(usize, f64)>,
    /// Every `await` that suspended and when it continued (at most
    /// [`MAX_LOG_LINES`](super::limits::MAX_LOG_LINES)).
    pub awaits: Vec<AwaitMark>,
}

/// An `await` that suspended its function, and when the function continued.
#[derive(Clone, Debug, PartialEq)]
pub struct AwaitMark {
    /// The `await` expression's bytes in the program (its line: [`line_col`](super::error::line_col)).
    pub span: std::ops::Range<usize>,
    /// When it began to wait, ms since the start.
    pub from_ms: f64,
    /// When the function continued, ms since the start.
    pub resumed_ms: f64,
}

impl Recording {
    /// Opens a lane at `at_ms`; returns its index.
    pub fn open(&mut self, label: String, kind: LaneKind, at_ms: f64) -> usize {
        self.lanes.push(Lane {
            label,
            kind,
            start_ms: at_ms,
            end_ms: None,
            outcome: None,
        });
        self.lanes.len() - 1
    }

    /// Ends lane `lane` at `at_ms`; a lane that already ended keeps its end.
    pub fn close(&mut self, lane: usize, at_ms: f64, outcome: Outcome) {
        if let Some(l) = self.lanes.get_mut(lane) {
            if l.end_ms.is_none() {
                l.end_ms = Some(at_ms);
                l.outcome = Some(outcome);
            }
        }
    }

    /// Marks every open lane cancelled at `at_ms` (the run ended while they were pending).
    pub fn cancel_open(&mut self, at_ms: f64) {
        for lane in 0..self.lanes.len() {
            self.close(lane, at_ms, Outcome::Cancelled);
        }
    }

    /// Records that an `await` continued with lane `lane`'s result at `at_ms`.
    pub fn consume(&mut self, lane: usize, at_ms: f64) {
        if self.consumed.len() < super::limits::MAX_LOG_LINES {
            self.consumed.push((lane, at_ms));
        }
    }

    /// Records that the `await` at `span` waited from `from_ms` until `resumed_ms`.
    pub fn awaited(&mut self, span: std::ops::Range<usize>, from_ms: f64, resumed_ms: f64) {
        if self.awaits.len() < super::limits::MAX_LOG_LINES {
            self.awaits.push(AwaitMark {
                span,
                from_ms,
                resumed_ms,
            });
        }
    }

    /// Appends a log line.
    pub fn log(&mut self, at_ms: f64, text: String) {
        if self.log.len() < super::limits::MAX_LOG_LINES {
            self.log.push(LogLine { at_ms, text });
        } else {
            self.log_dropped += 1;
        }
    }

    /// The run as the app's [`Trace`]: one task and lane per lane here, named by its label,
    /// completions in the order they happened, and once the run ended its elapsed time and when
    /// (and how) the main program continued (see `Finished::resumed`).
    pub fn to_trace(&self, elapsed_ms: Option<f64>, resumed: Option<(f64, GroupOutcome)>) -> Trace {
        let mut trace = Trace::new(self.lanes.len() as u32);
        for (i, lane) in self.lanes.iter().enumerate() {
            trace.record(TraceEvent::Started {
                task: i as u32,
                lane: i as u32,
                attempt: 0,
                at_ms: lane.start_ms,
            });
        }
        let mut ends: Vec<(f64, usize, Outcome)> = self
            .lanes
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((l.end_ms?, i, l.outcome?)))
            .collect();
        ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (at_ms, task, outcome) in ends {
            trace.record(TraceEvent::Ended {
                task: task as u32,
                at_ms,
                outcome,
            });
        }
        trace.lane_names = self.lanes.iter().map(|l| l.label.clone()).collect();
        trace.consumed = self
            .consumed
            .iter()
            .map(|&(lane, at_ms)| (lane as u32, at_ms))
            .collect();
        if let Some((at_ms, how)) = resumed {
            trace.resume(at_ms, how);
        }
        if let Some(elapsed) = elapsed_ms {
            trace.finish(elapsed, false);
        }
        trace
    }
}
