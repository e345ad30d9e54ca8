//! The trace of one strategy's run: when each task started and ended, on which lane, and how it
//! ended. The executor appends events as they happen; charts and summaries only read it.

use serde::{Deserialize, Serialize};

/// How a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The call completed.
    Completed,
    /// The run was cancelled while this call was pending.
    Cancelled,
}

/// Something that happened during a run, in ms since the run started.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum TraceEvent {
    /// Task `task` started on `lane`.
    Started { task: u32, lane: u32, at_ms: f64 },
    /// Task `task` ended.
    Ended {
        task: u32,
        at_ms: f64,
        outcome: Outcome,
    },
}

/// One task's bar on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Index of the task in the workload (the order given).
    pub task: u32,
    /// Lane it ran on (one lane per task on the event loop).
    pub lane: u32,
    /// Start, ms since the run started.
    pub start_ms: f64,
    /// End, ms since the run started; `None` while pending.
    pub end_ms: Option<f64>,
    /// How it ended; `None` while pending.
    pub outcome: Option<Outcome>,
}

impl Span {
    /// Duration so far: until `end_ms`, or until `now_ms` while pending.
    pub fn length_ms(&self, now_ms: f64) -> f64 {
        (self.end_ms.unwrap_or(now_ms) - self.start_ms).max(0.0)
    }
}

/// Everything recorded for one strategy's run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Number of tasks the run was given (some may never start if it is cancelled).
    pub task_count: u32,
    /// One span per started task, in start order.
    pub spans: Vec<Span>,
    /// Task indices in the order they completed.
    pub completion_order: Vec<u32>,
    /// Total elapsed time, set when the run ends (completed or cancelled).
    pub elapsed_ms: Option<f64>,
    /// True when the run was cancelled before it finished.
    pub cancelled: bool,
}

impl Trace {
    /// An empty trace for a run of `task_count` tasks.
    pub fn new(task_count: u32) -> Self {
        Trace {
            task_count,
            ..Trace::default()
        }
    }

    /// Appends one event. Events about unknown or already ended tasks are ignored, so a late
    /// event can never corrupt a finished bar.
    pub fn record(&mut self, event: TraceEvent) {
        match event {
            TraceEvent::Started { task, lane, at_ms } => self.spans.push(Span {
                task,
                lane,
                start_ms: at_ms,
                end_ms: None,
                outcome: None,
            }),
            TraceEvent::Ended {
                task,
                at_ms,
                outcome,
            } => {
                if let Some(span) = self
                    .spans
                    .iter_mut()
                    .rev()
                    .find(|s| s.task == task && s.end_ms.is_none())
                {
                    span.end_ms = Some(at_ms);
                    span.outcome = Some(outcome);
                    if outcome == Outcome::Completed {
                        self.completion_order.push(task);
                    }
                }
            }
        }
    }

    /// Ends the run at `at_ms`. With `cancelled`, every pending task is marked cancelled there.
    pub fn finish(&mut self, at_ms: f64, cancelled: bool) {
        if self.elapsed_ms.is_some() {
            return;
        }
        if cancelled {
            for span in self.spans.iter_mut().filter(|s| s.end_ms.is_none()) {
                span.end_ms = Some(at_ms);
                span.outcome = Some(Outcome::Cancelled);
            }
        }
        self.cancelled = cancelled;
        self.elapsed_ms = Some(at_ms);
    }

    /// True once [`Trace::finish`] was called.
    pub fn is_finished(&self) -> bool {
        self.elapsed_ms.is_some()
    }

    /// Number of tasks that completed.
    pub fn completed(&self) -> u32 {
        self.completion_order.len() as u32
    }

    /// The latest time anything happened, for drawing a run still in progress.
    pub fn last_event_ms(&self) -> f64 {
        self.spans
            .iter()
            .map(|s| s.end_ms.unwrap_or(s.start_ms))
            .fold(self.elapsed_ms.unwrap_or(0.0), f64::max)
    }

    /// Summary statistics of the run.
    pub fn stats(&self) -> TraceStats {
        let ended: Vec<&Span> = self.spans.iter().filter(|s| s.end_ms.is_some()).collect();
        let completed = self.completed();
        let cancelled = ended
            .iter()
            .filter(|s| s.outcome == Some(Outcome::Cancelled))
            .count() as u32;
        let mean_task_ms = if ended.is_empty() {
            0.0
        } else {
            ended.iter().map(|s| s.length_ms(0.0)).sum::<f64>() / ended.len() as f64
        };
        TraceStats {
            elapsed_ms: self.elapsed_ms,
            completed,
            cancelled,
            not_started: self.task_count.saturating_sub(self.spans.len() as u32),
            peak_in_flight: self.peak_in_flight(),
            mean_task_ms,
        }
    }

    /// Most tasks pending at the same instant (a sweep over start and end times).
    pub fn peak_in_flight(&self) -> u32 {
        let mut points: Vec<(f64, i32)> = Vec::with_capacity(self.spans.len() * 2);
        for s in &self.spans {
            points.push((s.start_ms, 1));
            points.push((s.end_ms.unwrap_or(f64::INFINITY), -1));
        }
        // Ends sort before starts at the same instant: a task that ends as another starts
        // (sequential awaits) does not overlap it.
        points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut now, mut peak) = (0i32, 0i32);
        for (_, d) in points {
            now += d;
            peak = peak.max(now);
        }
        peak as u32
    }
}

/// Summary of one run, for the results table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceStats {
    /// Total elapsed time, if the run has ended.
    pub elapsed_ms: Option<f64>,
    /// Tasks that completed.
    pub completed: u32,
    /// Tasks stopped by cancellation while pending.
    pub cancelled: u32,
    /// Tasks that never started (the run was cancelled first).
    pub not_started: u32,
    /// Most tasks pending at once.
    pub peak_in_flight: u32,
    /// Mean measured duration of the tasks that ended.
    pub mean_task_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(task: u32, at_ms: f64) -> TraceEvent {
        TraceEvent::Started {
            task,
            lane: task,
            at_ms,
        }
    }
    fn ended(task: u32, at_ms: f64) -> TraceEvent {
        TraceEvent::Ended {
            task,
            at_ms,
            outcome: Outcome::Completed,
        }
    }

    #[test]
    fn a_sequential_trace_never_has_two_tasks_in_flight() {
        let mut t = Trace::new(3);
        for (i, at) in [(0, 0.0), (1, 500.0), (2, 1000.0)] {
            t.record(started(i, at));
            t.record(ended(i, at + 500.0));
        }
        t.finish(1500.0, false);
        let s = t.stats();
        assert_eq!(s.peak_in_flight, 1, "back-to-back tasks do not overlap");
        assert_eq!(s.completed, 3);
        assert_eq!(s.elapsed_ms, Some(1500.0));
        assert_eq!(s.mean_task_ms, 500.0);
    }

    #[test]
    fn completion_order_is_the_order_tasks_finished_not_the_order_given() {
        let mut t = Trace::new(3);
        for i in 0..3 {
            t.record(started(i, 0.0));
        }
        t.record(ended(2, 1000.0));
        t.record(ended(0, 2000.0));
        t.record(ended(1, 3000.0));
        t.finish(3000.0, false);
        assert_eq!(t.completion_order, vec![2, 0, 1]);
        assert_eq!(t.stats().peak_in_flight, 3);
    }

    #[test]
    fn cancelling_marks_pending_tasks_and_counts_the_unstarted() {
        let mut t = Trace::new(5);
        t.record(started(0, 0.0));
        t.record(ended(0, 500.0));
        t.record(started(1, 500.0));
        t.finish(700.0, true);
        let s = t.stats();
        assert!(t.cancelled);
        assert_eq!(s.completed, 1);
        assert_eq!(s.cancelled, 1);
        assert_eq!(s.not_started, 3);
        assert_eq!(t.spans[1].end_ms, Some(700.0));
        assert_eq!(t.spans[1].outcome, Some(Outcome::Cancelled));
    }

    #[test]
    fn late_events_after_a_task_ended_are_ignored() {
        let mut t = Trace::new(1);
        t.record(started(0, 0.0));
        t.record(ended(0, 10.0));
        t.record(ended(0, 99.0));
        assert_eq!(t.spans[0].end_ms, Some(10.0));
        assert_eq!(t.completion_order, vec![0], "no double completion");
    }

    #[test]
    fn finishing_twice_keeps_the_first_elapsed_time() {
        let mut t = Trace::new(0);
        t.finish(5.0, false);
        t.finish(9.0, true);
        assert_eq!(t.elapsed_ms, Some(5.0));
        assert!(!t.cancelled);
    }

    #[test]
    fn a_pending_span_grows_with_the_clock() {
        let mut t = Trace::new(1);
        t.record(started(0, 100.0));
        assert_eq!(t.spans[0].length_ms(350.0), 250.0);
        assert_eq!(t.last_event_ms(), 100.0);
    }
}
