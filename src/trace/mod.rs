//! The trace of one strategy's run: when each task started and ended, on which lane, and how it
//! ended. The executor appends events as they happen; charts and summaries only read it.

pub mod export;
pub mod history;
pub mod repeat;
pub mod replay;
pub mod report;
pub mod results;
pub mod session;
pub mod wire;

use serde::{Deserialize, Serialize};

/// How one attempt of a task ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The call completed.
    Completed,
    /// The call returned an error.
    Failed,
    /// The per-attempt timeout fired first and the call was abandoned.
    TimedOut,
    /// The run (or the group deadline) cancelled the call while it was pending.
    Cancelled,
}

impl Outcome {
    /// True for an attempt that ended in an error (a failure or a timeout).
    pub fn is_error(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::TimedOut)
    }
}

/// How the awaiting code continued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupOutcome {
    /// Every awaited result arrived.
    AllCompleted,
    /// The first call to finish (task index) decided it.
    FirstFinished { task: u32 },
    /// The await threw: `first` is the error it throws, `all` every failed task (the aggregate).
    Failed { first: u32, all: Vec<u32> },
    /// The group deadline cancelled what was pending.
    DeadlineExceeded,
    /// The person pressed Cancel.
    Cancelled,
    /// Nothing awaited the calls (fire and forget).
    NotAwaited,
    /// The loop blocked on a result it could never deliver; the watchdog stopped it.
    WouldDeadlock,
    /// A main-thread run was stopped at its cap so the tab would not hang.
    Capped,
}

/// Something that happened during a run, in ms since the run started.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum TraceEvent {
    /// Attempt `attempt` of task `task` started on `lane`.
    Started {
        task: u32,
        lane: u32,
        attempt: u32,
        at_ms: f64,
    },
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
    /// Attempt number, 0 for the first try.
    pub attempt: u32,
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
    /// When the awaiting code continued, and how.
    pub resumed: Option<(f64, GroupOutcome)>,
    /// When each result was consumed by the caller: (task, ms).
    pub consumed: Vec<(u32, f64)>,
    /// Errors raised where nobody awaited them (fire and forget).
    pub unobserved: Vec<u32>,
    /// Shared-counter runs: the final value of the counter.
    pub counter: Option<u32>,
    /// Event-loop lag probe: (ms when the tick was due, ms late).
    pub lag: Vec<(f64, f64)>,
    /// Names of the lanes when they are not one per task (workers: "worker 1", …).
    #[serde(default)]
    pub lane_names: Vec<String>,
    /// CPU runs: the combined output of the pieces that completed (e.g. the prime count).
    #[serde(default)]
    pub value: Option<u64>,
    /// CPU runs on workers: how long the workers took to be ready and warm (spawn, load,
    /// warm-up), ms, spent before the run's clock started: never inside its times.
    #[serde(default)]
    pub startup_ms: Option<f64>,
    /// CPU runs: the part of the start-up spent warming the kernel up (see
    /// [`crate::cpu::kernels::warm_up`]), ms; on the main thread, all of it.
    #[serde(default)]
    pub warmup_ms: Option<f64>,
    /// CPU runs: how far each lane's current piece has got (0 to 1), as its worker reports.
    #[serde(default)]
    pub lane_progress: Vec<f64>,
    /// The first error worth showing as text (a crashed worker, no workers at all).
    #[serde(default)]
    pub error: Option<String>,
    /// Where each task's pending attempt is: bookkeeping, not part of what was recorded.
    #[serde(skip)]
    open: Pending,
}

/// Per task, 1 + the index in [`Trace::spans`] of its pending attempt, 0 when none: ending one
/// is O(1), not a scan (a scan made 10,000 concurrent calls quadratic). A vector by task, not a
/// map: tasks are numbered from 0, and a map would link a hash table's code. Two traces with
/// the same spans are equal whatever this holds.
#[derive(Clone, Debug, Default)]
struct Pending(Vec<usize>);

impl PartialEq for Pending {
    fn eq(&self, _: &Pending) -> bool {
        true
    }
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
            TraceEvent::Started {
                task,
                lane,
                attempt,
                at_ms,
            } => {
                let task_slot = task as usize;
                if task_slot < self.task_count as usize {
                    let open = &mut self.open.0;
                    if open.len() <= task_slot {
                        open.resize(self.task_count as usize, 0);
                    }
                    open[task_slot] = self.spans.len() + 1;
                }
                self.spans.push(Span {
                    task,
                    lane,
                    attempt,
                    start_ms: at_ms,
                    end_ms: None,
                    outcome: None,
                })
            }
            TraceEvent::Ended {
                task,
                at_ms,
                outcome,
            } => {
                // A task beyond `task_count` (never recorded by the page) is looked up by a scan.
                let pending = match self.open.0.get_mut(task as usize) {
                    Some(slot) => std::mem::take(slot).checked_sub(1),
                    None if task >= self.task_count => self
                        .spans
                        .iter()
                        .rposition(|s| s.task == task && s.end_ms.is_none()),
                    None => None,
                };
                if let Some(span) = pending.and_then(|i| self.spans.get_mut(i)) {
                    span.end_ms = Some(at_ms);
                    span.outcome = Some(outcome);
                    if outcome == Outcome::Completed {
                        self.completion_order.push(task);
                    }
                }
            }
        }
    }

    /// Records when (and how) the awaiting code continued; only the first call counts.
    pub fn resume(&mut self, at_ms: f64, how: GroupOutcome) {
        if self.resumed.is_none() {
            self.resumed = Some((at_ms, how));
        }
    }

    /// Marks every pending attempt as cancelled at `at_ms`.
    pub fn cancel_pending(&mut self, at_ms: f64) {
        self.open.0.clear();
        for span in self.spans.iter_mut().filter(|s| s.end_ms.is_none()) {
            span.end_ms = Some(at_ms);
            span.outcome = Some(Outcome::Cancelled);
        }
    }

    /// Ends the run at `at_ms`. With `cancelled` (the person pressed Cancel), every pending task
    /// is marked cancelled there.
    pub fn finish(&mut self, at_ms: f64, cancelled: bool) {
        if self.elapsed_ms.is_some() {
            return;
        }
        if cancelled {
            self.cancel_pending(at_ms);
            self.resume(at_ms, GroupOutcome::Cancelled);
        }
        self.cancelled = cancelled;
        self.elapsed_ms = Some(at_ms);
    }

    /// When the awaiting code continued, in ms (the strategy's elapsed time).
    pub fn resumed_ms(&self) -> Option<f64> {
        self.resumed.as_ref().map(|r| r.0)
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
        let count = |o: Outcome| ended.iter().filter(|s| s.outcome == Some(o)).count() as u32;
        let cancelled = count(Outcome::Cancelled);
        let mean_task_ms = if ended.is_empty() {
            0.0
        } else {
            ended.iter().map(|s| s.length_ms(0.0)).sum::<f64>() / ended.len() as f64
        };
        // Which tasks have a span (a set of flags: a BTreeSet would link a sort of its own).
        let mut started = vec![false; self.task_count as usize];
        for s in &self.spans {
            if let Some(flag) = started.get_mut(s.task as usize) {
                *flag = true;
            }
        }
        let started = started.iter().filter(|&&f| f).count() as u32;
        TraceStats {
            elapsed_ms: self.elapsed_ms,
            resumed_ms: self.resumed_ms(),
            completed,
            failed: count(Outcome::Failed),
            timed_out: count(Outcome::TimedOut),
            retries: self.spans.iter().filter(|s| s.attempt > 0).count() as u32,
            cancelled,
            not_started: self.task_count.saturating_sub(started),
            first_consumed_ms: self.consumed.iter().map(|c| c.1).reduce(f64::min),
            max_lag_ms: self.lag.iter().map(|l| l.1).fold(0.0, f64::max),
            peak_in_flight: self.peak_in_flight(),
            mean_task_ms,
        }
    }

    /// Most tasks pending at the same instant: a sweep over the start times, each counting the
    /// tasks started by then less those ended by then.
    pub fn peak_in_flight(&self) -> u32 {
        // Times sorted as the page's other times are (one sort of `f64`s, not one per shape).
        let sorted = |mut times: Vec<f64>| {
            times.sort_unstable_by(f64::total_cmp);
            times
        };
        let starts = sorted(self.spans.iter().map(|s| s.start_ms).collect());
        let ends = sorted(
            self.spans
                .iter()
                .map(|s| s.end_ms.unwrap_or(f64::INFINITY))
                .collect(),
        );
        // A task that ends as another starts (sequential awaits) does not overlap it: ends at
        // that instant count as before the start.
        let (mut ended, mut peak) = (0, 0i64);
        for (i, start) in starts.iter().enumerate() {
            while ends.get(ended).is_some_and(|e| e.total_cmp(start).is_le()) {
                ended += 1;
            }
            peak = peak.max((i + 1) as i64 - ended as i64);
        }
        peak as u32
    }
}

/// Summary of one run, for the results table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceStats {
    /// Total elapsed time until every call ended, if the run has ended.
    pub elapsed_ms: Option<f64>,
    /// When the awaiting code continued (the strategy's cost to its caller).
    pub resumed_ms: Option<f64>,
    /// Tasks that completed.
    pub completed: u32,
    /// Attempts that failed.
    pub failed: u32,
    /// Attempts abandoned by their timeout.
    pub timed_out: u32,
    /// Attempts after the first (retries).
    pub retries: u32,
    /// When the first result was consumed.
    pub first_consumed_ms: Option<f64>,
    /// Worst lateness of the event-loop probe, ms.
    pub max_lag_ms: f64,
    /// Tasks stopped by cancellation while pending.
    pub cancelled: u32,
    /// Tasks that never started (the run was cancelled first).
    pub not_started: u32,
    /// Most tasks pending at once.
    pub peak_in_flight: u32,
    /// Mean measured duration of the tasks that ended.
    pub mean_task_ms: f64,
}

/// Shorthands for the tests that build traces by hand.
#[cfg(test)]
impl Trace {
    /// Records that attempt `attempt` of `task` started on `lane` at `at_ms`.
    pub(crate) fn start(&mut self, task: u32, lane: u32, attempt: u32, at_ms: f64) {
        self.record(TraceEvent::Started {
            task,
            lane,
            attempt,
            at_ms,
        });
    }

    /// Records that `task`'s current attempt ended at `at_ms` with `outcome`.
    pub(crate) fn end(&mut self, task: u32, at_ms: f64, outcome: Outcome) {
        self.record(TraceEvent::Ended {
            task,
            at_ms,
            outcome,
        });
    }
}

/// Traces with every field set and unset, every outcome and every group outcome, awkward names
/// and numbers: for the tests of the trace export.
#[cfg(test)]
pub(crate) fn every_kind_of_trace() -> Vec<Trace> {
    let mut traces = vec![Trace::default(), Trace::new(3)];
    let resumed = [
        GroupOutcome::AllCompleted,
        GroupOutcome::FirstFinished { task: 2 },
        GroupOutcome::Failed {
            first: 1,
            all: vec![1, 3, u32::MAX],
        },
        GroupOutcome::Failed {
            first: 0,
            all: vec![],
        },
        GroupOutcome::DeadlineExceeded,
        GroupOutcome::Cancelled,
        GroupOutcome::NotAwaited,
        GroupOutcome::WouldDeadlock,
        GroupOutcome::Capped,
    ];
    for (i, how) in resumed.into_iter().enumerate() {
        let mut t = Trace::new(5);
        let outcomes = [
            Outcome::Completed,
            Outcome::Failed,
            Outcome::TimedOut,
            Outcome::Cancelled,
        ];
        for (task, outcome) in outcomes.into_iter().enumerate() {
            let task = task as u32;
            t.start(task, task % 2, task / 3, f64::from(task) * 0.1);
            t.end(task, 1000.0 / 3.0 + f64::from(task), outcome);
        }
        // One left pending.
        t.start(4, 0, 0, 1e-7);
        t.resume(1_763_800_000_000.25, how);
        t.consumed = vec![(0, 0.5), (2, 1e21)];
        t.unobserved = vec![1, 3];
        t.lag = vec![(16.0, 0.0), (32.000_000_1, 2.5e-5)];
        if i % 2 == 0 {
            t.counter = Some(u32::MAX);
            t.value = Some(u64::MAX);
            t.startup_ms = Some(93_511.0 + 613.0 / 4096.0);
            t.warmup_ms = Some(41.5);
            t.lane_names = vec![
                "worker 1".into(),
                "say \"hi\" \\ C:\\".into(),
                "two\nlines\t\u{1}\u{7f}".into(),
                "é 中文 😀 👩‍💻".into(),
            ];
            t.lane_progress = vec![0.0, 0.25, 1.0 / 3.0, 1.0];
            t.error = Some("Worker crashed: \"boom\"\nat line 1 😱".into());
        }
        if i % 3 == 0 {
            t.finish(5000.0, i % 2 == 1);
        }
        if i == 4 {
            // Not finite: written as null, as serde_json writes them.
            t.lag.push((f64::NAN, f64::INFINITY));
            t.lane_progress.push(f64::NEG_INFINITY);
        }
        traces.push(t);
    }
    traces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_end_closes_its_task_s_latest_attempt_even_for_a_task_beyond_the_count() {
        let mut t = Trace::new(2);
        t.start(1, 0, 0, 0.0);
        t.end(1, 10.0, Outcome::Failed);
        t.start(1, 0, 1, 20.0);
        // Not a task of this run: still recorded, and still ended.
        t.start(7, 1, 0, 25.0);
        t.end(1, 30.0, Outcome::Completed);
        t.end(7, 40.0, Outcome::Completed);
        // An end with nothing pending changes nothing.
        t.end(0, 50.0, Outcome::Completed);
        t.end(1, 60.0, Outcome::Failed);
        let ends: Vec<_> = t
            .spans
            .iter()
            .map(|s| (s.task, s.end_ms, s.outcome))
            .collect();
        assert_eq!(
            ends,
            [
                (1, Some(10.0), Some(Outcome::Failed)),
                (1, Some(30.0), Some(Outcome::Completed)),
                (7, Some(40.0), Some(Outcome::Completed)),
            ]
        );
        assert_eq!(t.completion_order, [1, 7]);
        assert_eq!(t.stats().not_started, 1);
    }

    fn json(t: &Trace) -> String {
        serde_json::to_string_pretty(t).expect("a trace serialises")
    }

    fn read(text: &str) -> serde_json::Result<Trace> {
        serde_json::from_str(text)
    }

    #[test]
    fn a_trace_with_finite_numbers_reads_back_from_its_json() {
        let mut same = 0;
        for t in every_kind_of_trace() {
            // Not the non-finite floats, which JSON writes `null`.
            let finite = t.lag.iter().all(|l| l.0.is_finite() && l.1.is_finite())
                && t.lane_progress.iter().all(|p| p.is_finite());
            if finite {
                let text = json(&t);
                assert_eq!(read(&text).unwrap_or_else(|e| panic!("{e}: {text}")), t);
                same += 1;
            }
        }
        assert!(same >= 3, "{same} traces compared whole");
    }

    #[test]
    fn a_trace_without_the_fields_serde_defaults_reads_with_their_defaults() {
        // They are the last six fields.
        let full = json(&Trace::new(2));
        let cut = full
            .find(",\n  \"lane_names\"")
            .expect("lane_names written");
        let text = format!("{}\n}}", &full[..cut]);
        assert_eq!(read(&text).ok(), Some(Trace::new(2)), "{text}");
    }

    #[test]
    fn a_trace_that_is_not_one_is_an_error_not_a_panic() {
        let good = json(&every_kind_of_trace()[2]);
        for (from, to) in [
            ("\"task_count\": 5", "\"task_count\": -5"),
            ("\"Completed\"", "\"Done\""),
            ("\"AllCompleted\"", "\"Everything\""),
            (
                "\"consumed\": [\n    [\n      0,",
                "\"consumed\": [\n    [\n",
            ),
            ("\"cancelled\": false", "\"cancelled\": 0"),
            ("\"spans\"", "\"bars\""),
        ] {
            assert!(good.contains(from), "{from}");
            let bad = good.replacen(from, to, 1);
            assert!(read(&bad).is_err(), "{to} should be refused");
        }
    }

    fn started(task: u32, at_ms: f64) -> TraceEvent {
        TraceEvent::Started {
            task,
            lane: task,
            attempt: 0,
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
    fn retries_are_counted_and_a_retried_task_is_started_once() {
        let mut t = Trace::new(1);
        for (attempt, at, outcome) in [(0, 0.0, Outcome::Failed), (1, 300.0, Outcome::Completed)] {
            t.record(TraceEvent::Started {
                task: 0,
                lane: 0,
                attempt,
                at_ms: at,
            });
            t.record(TraceEvent::Ended {
                task: 0,
                at_ms: at + 100.0,
                outcome,
            });
        }
        t.finish(400.0, false);
        let s = t.stats();
        assert_eq!(
            (s.failed, s.retries, s.completed, s.not_started),
            (1, 1, 1, 0)
        );
    }

    #[test]
    fn only_the_first_resume_counts() {
        let mut t = Trace::new(0);
        t.resume(10.0, GroupOutcome::FirstFinished { task: 2 });
        t.resume(20.0, GroupOutcome::AllCompleted);
        assert_eq!(
            t.resumed,
            Some((10.0, GroupOutcome::FirstFinished { task: 2 }))
        );
        t.finish(30.0, true);
        assert_eq!(
            t.resumed_ms(),
            Some(10.0),
            "a cancel after resuming does not move it"
        );
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
