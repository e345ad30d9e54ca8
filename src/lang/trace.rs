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

    /// The recording as it was at `t_ms` (ms since the run started), for a replay: the lanes
    /// started by then (those that ended later still pending), and the log lines, results
    /// taken and awaits that continued by then.
    pub fn at(&self, t_ms: f64) -> Recording {
        let by = |ms: f64| ms <= t_ms;
        Recording {
            lanes: self
                .lanes
                .iter()
                .filter(|l| by(l.start_ms))
                .map(|l| match l.end_ms {
                    Some(end) if !by(end) => Lane {
                        end_ms: None,
                        outcome: None,
                        ..l.clone()
                    },
                    _ => l.clone(),
                })
                .collect(),
            log: self.log.iter().filter(|l| by(l.at_ms)).cloned().collect(),
            log_dropped: if self.log.last().is_some_and(|l| by(l.at_ms)) {
                self.log_dropped
            } else {
                0
            },
            consumed: self.consumed.iter().copied().filter(|c| by(c.1)).collect(),
            awaits: self
                .awaits
                .iter()
                .filter(|a| by(a.resumed_ms))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::run_virtual;

    const TWO_AWAITS: &str = r#"
const a = call("users", 300);
const b = call("orders", 500);
console.log("started");
await a;
console.log("users back");
await b;
console.log("orders back");
"#;

    #[test]
    fn a_recording_at_a_moment_holds_only_what_had_happened_by_then() {
        let r = run_virtual(TWO_AWAITS).unwrap().recording;
        let at = r.at(400.0);
        assert_eq!(at.lanes.len(), 2);
        assert_eq!(at.lanes[0].end_ms, Some(300.0));
        assert_eq!(
            at.lanes[1].end_ms, None,
            "orders ends at 500: pending at 400"
        );
        assert_eq!(at.lanes[1].outcome, None);
        let lines: Vec<&str> = at.log.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lines, ["started", "users back"]);
        assert!(at.awaits.iter().all(|a| a.resumed_ms <= 400.0));
        assert!(at.consumed.iter().all(|c| c.1 <= 400.0));
    }

    #[test]
    fn a_recording_before_the_start_is_empty_and_after_the_end_is_whole() {
        let r = run_virtual(TWO_AWAITS).unwrap().recording;
        assert!(r.at(-1.0).lanes.is_empty());
        assert!(r.at(-1.0).log.is_empty());
        assert_eq!(r.at(10_000.0), r);
    }
}
