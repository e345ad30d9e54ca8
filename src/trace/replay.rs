//! Replaying a recorded trace: the trace as it was at any moment, the moments worth stepping to,
//! what happened between two moments in words, and a pure replay clock (play, pause, step,
//! speed). The page keeps every strategy's finished [`Trace`]; a reader scrubs through it and
//! watches which task starts and ends when. Nothing here reads a real clock: the page feeds
//! [`Player::tick`] the real time that passed.

use crate::trace::{GroupOutcome, Outcome, Span, Trace, TraceEvent};
use crate::units::fmt_ms;

/// Moments closer than this (ms) are one step of the replay: a browser records a burst of
/// starts a few microseconds apart, and nobody wants to step through them one by one.
const MERGE_MS: f64 = 0.05;

/// Tolerance (ms) of [`next_event`] and [`prev_event`]: a position that sits on an event (up to
/// float noise from the scrub bar) counts as being at it, so a step always moves.
const STEP_EPS_MS: f64 = 0.01;

/// Most sentences [`happenings`] returns before summing up the rest.
const MAX_HAPPENINGS: usize = 8;

/// The replay speeds offered, slowest first (1.0 is real time).
pub const SPEEDS: [f64; 6] = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0];

/// The latest moment anything in `trace` is known to have happened, ms: span starts and ends,
/// the end of the run, when the await continued, results consumed, lag ticks fired, workers
/// ready.
fn last_moment(trace: &Trace) -> f64 {
    let resumed = trace.resumed_ms().into_iter();
    let consumed = trace.consumed.iter().map(|c| c.1);
    let lag = trace.lag.iter().map(|&(due, late)| due + late);
    resumed
        .chain(consumed)
        .chain(lag)
        .chain(trace.startup_ms)
        .fold(trace.last_event_ms(), f64::max)
}

/// The trace as it was at `t_ms` (ms since the run started), for drawing a replay with the same
/// chart code as a live run.
///
/// Spans that started after `t_ms` are gone; spans that ended after it are pending (no end, no
/// outcome). `completion_order`, `consumed` and `lag` keep what had happened by then (a lag
/// tick counts once it fired, at due + late). `resumed`, `elapsed_ms` (with `cancelled`) and
/// `startup_ms` are kept if they are at or before `t_ms`. What is only known at the end of a run
/// (`counter`, `value`, `error`, `unobserved`) is kept once the run had ended. `lane_progress`
/// is cleared (live progress has no timestamps), `task_count` and `lane_names` are kept.
///
/// For `t_ms` at or after the last thing recorded (including `f64::INFINITY`) the result equals
/// `trace`. For a negative or NaN `t_ms` it is the run before anything started: no spans.
pub fn trace_at(trace: &Trace, t_ms: f64) -> Trace {
    // A clone keeps even fields nothing here knows how to clip, so the end of a replay is
    // exactly the run that was recorded.
    if t_ms >= last_moment(trace) {
        return trace.clone();
    }
    clip(trace, t_ms)
}

/// [`trace_at`] without the shortcut at the end (tests check both agree there).
fn clip(trace: &Trace, t_ms: f64) -> Trace {
    let at_or_before = |v: f64| v <= t_ms;
    let ended = trace.elapsed_ms.is_some_and(at_or_before);
    // Rebuilt through `record` rather than edited in place, so the private index of pending
    // attempts matches the spans and the clipped trace stays a valid trace.
    let mut out = Trace::new(trace.task_count);
    for s in trace.spans.iter().filter(|s| at_or_before(s.start_ms)) {
        out.record(TraceEvent::Started {
            task: s.task,
            lane: s.lane,
            attempt: s.attempt,
            at_ms: s.start_ms,
        });
        if let (Some(end), Some(outcome)) = (s.end_ms, s.outcome) {
            if at_or_before(end) {
                out.record(TraceEvent::Ended {
                    task: s.task,
                    at_ms: end,
                    outcome,
                });
            }
        }
    }
    // `record` lists completions in start order; the original order is the order they
    // finished in (ties included), so filter that instead, by a flag per task (a set would
    // link a hash table's code).
    let mut done = vec![false; trace.task_count as usize];
    for s in out
        .spans
        .iter()
        .filter(|s| s.outcome == Some(Outcome::Completed))
    {
        if let Some(flag) = done.get_mut(s.task as usize) {
            *flag = true;
        }
    }
    out.completion_order = trace
        .completion_order
        .iter()
        .copied()
        .filter(|&t| done.get(t as usize) == Some(&true))
        .collect();
    out.elapsed_ms = trace.elapsed_ms.filter(|&e| at_or_before(e));
    out.cancelled = trace.cancelled && ended;
    out.resumed = trace.resumed.clone().filter(|r| at_or_before(r.0));
    out.consumed = trace
        .consumed
        .iter()
        .copied()
        .filter(|c| at_or_before(c.1))
        .collect();
    out.lag = trace
        .lag
        .iter()
        .copied()
        .filter(|&(due, late)| at_or_before(due + late))
        .collect();
    out.lane_names = trace.lane_names.clone();
    out.startup_ms = trace.startup_ms.filter(|&s| at_or_before(s));
    if ended {
        out.unobserved = trace.unobserved.clone();
        out.counter = trace.counter;
        out.value = trace.value;
        out.error = trace.error.clone();
    }
    out
}

/// Every distinct moment something happens in `traces` (span starts and ends, the await
/// continuing, results consumed, runs ending), in ms, sorted ascending: the stops of
/// [`Player::step_forward`]. Always starts with 0.0 (the start of the replay).
///
/// Moments within 0.05 ms of each other are one moment, represented by the latest of them so
/// that stepping onto it shows all of it (the burst at the start is represented by 0.0).
/// Negative and non-finite times are ignored.
pub fn event_times(traces: &[&Trace]) -> Vec<f64> {
    let mut raw: Vec<f64> = Vec::new();
    for t in traces {
        for s in &t.spans {
            raw.push(s.start_ms);
            raw.extend(s.end_ms);
        }
        raw.extend(t.resumed_ms());
        raw.extend(t.consumed.iter().map(|c| c.1));
        raw.extend(t.elapsed_ms);
    }
    raw.retain(|t| t.is_finite() && *t > 0.0);
    raw.sort_unstable_by(f64::total_cmp);
    let mut out = vec![0.0];
    for t in raw {
        let n = out.len();
        let last = &mut out[n - 1];
        if t - *last > MERGE_MS {
            out.push(t);
        } else if n > 1 {
            // The first moment stays 0.0: the replay starts there.
            *last = t;
        }
    }
    out
}

/// The first of `times` (sorted ascending) after `t` (more than 0.01 ms after it); `None` at
/// the end or for a NaN `t`.
pub fn next_event(times: &[f64], t: f64) -> Option<f64> {
    if t.is_nan() {
        return None;
    }
    let i = times.partition_point(|&x| x <= t + STEP_EPS_MS);
    times.get(i).copied()
}

/// The last of `times` (sorted ascending) before `t` (more than 0.01 ms before it); `None` at
/// the start or for a NaN `t`.
pub fn prev_event(times: &[f64], t: f64) -> Option<f64> {
    if t.is_nan() {
        return None;
    }
    let i = times.partition_point(|&x| x < t - STEP_EPS_MS);
    i.checked_sub(1).map(|i| times[i])
}

/// "task #3", "retry 1 of task #3", or "piece #3" on named (worker) lanes.
fn subject(trace: &Trace, s: &Span) -> String {
    let noun = if trace.lane_names.is_empty() {
        "task"
    } else {
        "piece"
    };
    if s.attempt > 0 {
        format!("retry {} of {noun} #{}", s.attempt, s.task + 1)
    } else {
        format!("{noun} #{}", s.task + 1)
    }
}

fn continued(how: &GroupOutcome) -> String {
    match how {
        GroupOutcome::AllCompleted => "the await continued (all completed)".into(),
        GroupOutcome::FirstFinished { task } => {
            format!("the await continued (first finished: #{})", task + 1)
        }
        // No failed task listed: the run could not start at all (no workers).
        GroupOutcome::Failed { all, .. } if all.is_empty() => "the await threw".into(),
        GroupOutcome::Failed { first, .. } => {
            format!("the await continued (threw: #{})", first + 1)
        }
        GroupOutcome::DeadlineExceeded => "the await continued (deadline exceeded)".into(),
        GroupOutcome::Cancelled => "the await continued (cancelled)".into(),
        GroupOutcome::NotAwaited => "the caller continued without awaiting".into(),
        GroupOutcome::WouldDeadlock => "the watchdog stopped the blocked loop".into(),
        GroupOutcome::Capped => "the run was stopped at its cap".into(),
    }
}

/// What happened in `trace` after `from_ms` up to and including `to_ms`, one short sentence
/// each, in time order: "12 ms: task #3 started", "512 ms: task #3 completed (500 ms)",
/// "812 ms: retry 1 of task #2 started", "512 ms: the await continued (all completed)". On
/// named lanes (workers) tasks are pieces and starts say where: "piece #3 started on worker 2".
///
/// At the same instant, ends come before starts (one call ends, the next begins) and the await
/// continuing comes last. At most 8 sentences, then "… and N more". Empty when `to_ms` is not
/// after `from_ms` (stepping back undoes; it does not happen).
pub fn happenings(trace: &Trace, from_ms: f64, to_ms: f64) -> Vec<String> {
    let within = |t: f64| t > from_ms && t <= to_ms;
    // (time, group, span index, order within the span): ends of earlier calls sort before new
    // starts, but a 0 ms call still starts before it ends.
    let mut items: Vec<((f64, u8, usize, u8), String)> = Vec::new();
    for (i, s) in trace.spans.iter().enumerate() {
        let who = subject(trace, s);
        if within(s.start_ms) {
            let lane = trace
                .lane_names
                .get(s.lane as usize)
                .map(|l| format!(" on {l}"))
                .unwrap_or_default();
            items.push((
                (s.start_ms, 1, i, 0),
                format!("{} ms: {who} started{lane}", fmt_ms(s.start_ms)),
            ));
        }
        if let (Some(end), Some(outcome)) = (s.end_ms, s.outcome) {
            if within(end) {
                let what = match outcome {
                    Outcome::Completed => "completed",
                    Outcome::Failed => "failed",
                    Outcome::TimedOut => "timed out",
                    Outcome::Cancelled => "was cancelled",
                };
                let key = if end > s.start_ms {
                    (end, 0, i, 0)
                } else {
                    (end, 1, i, 1)
                };
                items.push((
                    key,
                    format!(
                        "{} ms: {who} {what} ({} ms)",
                        fmt_ms(end),
                        fmt_ms(s.length_ms(end))
                    ),
                ));
            }
        }
    }
    if let Some((at, how)) = trace.resumed.as_ref().filter(|r| within(r.0)) {
        items.push((
            (*at, 2, 0, 0),
            format!("{} ms: {}", fmt_ms(*at), continued(how)),
        ));
    }
    // Each key (time, group, span, order within the span) is one happening's alone, so the
    // order is total and an unstable sort gives the order they were listed in.
    items.sort_unstable_by(|a, b| {
        let (x, y) = (a.0, b.0);
        x.0.total_cmp(&y.0)
            .then(x.1.cmp(&y.1))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    let total = items.len();
    let mut out: Vec<String> = items
        .into_iter()
        .take(MAX_HAPPENINGS)
        .map(|i| i.1)
        .collect();
    if total > MAX_HAPPENINGS {
        out.push(format!("… and {} more", total - MAX_HAPPENINGS));
    }
    out
}

/// The replay speed for a run lasting `end_ms`: the entry of [`SPEEDS`] closest to
/// `end_ms / 6000`, so that a replay lasts about six seconds (long enough to follow a 500 ms run
/// at 0.1×, short enough that a 5 s run is not tedious at 1×). Closest on a log scale, because
/// the speeds are a ladder of ratios: a 1 s run gets 0.25× (4 s), not 0.1× (10 s). 1.0 for an
/// empty or invalid length.
pub fn default_speed(end_ms: f64) -> f64 {
    if !(end_ms.is_finite() && end_ms > 0.0) {
        return 1.0;
    }
    let target = (end_ms / 6000.0).ln();
    SPEEDS
        .into_iter()
        .min_by(|a, b| (a.ln() - target).abs().total_cmp(&(b.ln() - target).abs()))
        .unwrap_or(1.0)
}

/// The replay clock: where the replay is, how fast it goes and whether it is playing. Pure: the
/// page calls [`Player::tick`] on each animation frame with the real time that passed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Player {
    /// Current position, ms since the run started, in `[0, end_ms]`.
    pub position_ms: f64,
    /// Length of the replay, ms (the end of the longest run shown).
    pub end_ms: f64,
    /// Replay ms per real ms; one of [`SPEEDS`] by default ([`default_speed`]).
    pub speed: f64,
    /// True while playing.
    pub playing: bool,
}

impl Player {
    /// A paused player at the end of a replay lasting `end_ms`: a finished run shows its end
    /// until the reader asks for more. Speed [`default_speed`]; a negative or invalid `end_ms`
    /// counts as 0.
    pub fn new(end_ms: f64) -> Self {
        let end_ms = if end_ms.is_finite() && end_ms > 0.0 {
            end_ms
        } else {
            0.0
        };
        Player {
            position_ms: end_ms,
            end_ms,
            speed: default_speed(end_ms),
            playing: false,
        }
    }

    /// True when the position is at the end.
    pub fn at_end(&self) -> bool {
        self.position_ms >= self.end_ms
    }

    /// Starts playing; from the start when at the end (pressing play on a finished replay
    /// replays it).
    pub fn play(&mut self) {
        if self.at_end() {
            self.position_ms = 0.0;
        }
        self.playing = true;
    }

    /// Stops playing where it is.
    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Advances by `real_dt_ms` × speed while playing, and stops at the end. A negative or NaN
    /// `real_dt_ms` (a clock that jumped back) advances nothing; an invalid speed counts as 1.
    pub fn tick(&mut self, real_dt_ms: f64) {
        if !self.playing {
            return;
        }
        let dt = if real_dt_ms > 0.0 { real_dt_ms } else { 0.0 };
        let speed = if self.speed.is_finite() && self.speed > 0.0 {
            self.speed
        } else {
            1.0
        };
        self.position_ms = (self.position_ms + dt * speed).min(self.end_ms);
        if self.at_end() {
            self.playing = false;
        }
    }

    /// Moves to `t_ms`, clamped to `[0, end_ms]` (NaN goes to 0). Playing or paused stays as it
    /// was, like dragging a video's scrub bar.
    pub fn seek(&mut self, t_ms: f64) {
        self.position_ms = if t_ms.is_nan() {
            0.0
        } else {
            t_ms.clamp(0.0, self.end_ms)
        };
    }

    /// Pauses and moves to the next of `times` (from [`event_times`]); stays put at the end.
    pub fn step_forward(&mut self, times: &[f64]) {
        self.pause();
        if let Some(t) = next_event(times, self.position_ms) {
            self.seek(t);
        }
    }

    /// Pauses and moves to the previous of `times` (from [`event_times`]); stays put at the
    /// start.
    pub fn step_back(&mut self, times: &[f64]) {
        self.pause();
        if let Some(t) = prev_event(times, self.position_ms) {
            self.seek(t);
        }
    }
}

/// What happened at the step that ends at `pos` (the span after the previous event time in
/// `times`, or from the very start), in words, for every lane of `lanes` (name and trace):
/// [`happenings`] of each, each sentence after its lane's name when there are several.
pub fn said_at(lanes: &[(&str, &Trace)], times: &[f64], pos: f64) -> Vec<String> {
    let from = match prev_event(times, pos) {
        Some(p) if p > 0.0 => p,
        _ => -1.0,
    };
    let multi = lanes.len() > 1;
    lanes
        .iter()
        .flat_map(|(name, trace)| {
            happenings(trace, from, pos).into_iter().map(move |h| {
                if multi {
                    format!("{name}: {h}")
                } else {
                    h
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three calls awaited together: #1 500 ms, #2 fails then its retry completes, #3 ends
    /// first. Every field that trace_at clips is set.
    fn sample() -> Trace {
        let mut t = Trace::new(3);
        t.start(0, 0, 0, 0.0);
        t.start(1, 1, 0, 0.0);
        t.start(2, 2, 0, 0.0);
        t.end(2, 200.0, Outcome::Completed);
        t.end(1, 300.0, Outcome::Failed);
        t.start(1, 1, 1, 400.0);
        t.end(0, 500.0, Outcome::Completed);
        t.end(1, 600.0, Outcome::Completed);
        t.resume(600.0, GroupOutcome::AllCompleted);
        t.consumed = vec![(2, 200.0), (0, 500.0), (1, 600.0)];
        t.lag = vec![(100.0, 5.0), (400.0, 50.0)];
        t.counter = Some(3);
        t.unobserved = vec![1];
        t.finish(600.0, false);
        t
    }

    #[test]
    fn at_or_after_the_last_event_the_replay_is_the_recorded_trace() {
        let t = sample();
        assert_eq!(trace_at(&t, f64::INFINITY), t, "at infinity");
        assert_eq!(trace_at(&t, t.last_event_ms()), t, "at the last event");
        assert_eq!(
            clip(&t, f64::INFINITY),
            t,
            "rebuilding gives the same trace, not only the shortcut"
        );
    }

    #[test]
    fn clipping_before_the_first_start_leaves_no_spans() {
        let t = sample();
        for at in [-1.0, -0.001, f64::NEG_INFINITY, f64::NAN] {
            let c = trace_at(&t, at);
            assert!(c.spans.is_empty(), "no spans at {at}");
            assert_eq!(c.task_count, 3, "task count is kept at {at}");
            assert!(c.completion_order.is_empty() && c.consumed.is_empty() && c.lag.is_empty());
            assert_eq!(
                (c.elapsed_ms, c.resumed.clone(), c.counter),
                (None, None, None)
            );
        }
    }

    #[test]
    fn in_the_middle_later_ends_are_pending_and_later_starts_are_gone() {
        let t = sample();
        let c = trace_at(&t, 350.0);
        assert_eq!(c.spans.len(), 3, "the retry at 400 ms has not started");
        assert_eq!(c.spans[0].end_ms, None, "#1 ends at 500 ms: pending at 350");
        assert_eq!(c.spans[0].outcome, None);
        assert_eq!(
            c.spans[1].outcome,
            Some(Outcome::Failed),
            "#2 failed at 300"
        );
        assert_eq!(c.completion_order, vec![2], "only #3 had completed");
        assert_eq!(c.consumed, vec![(2, 200.0)]);
        assert_eq!(c.lag, vec![(100.0, 5.0)], "the 400 ms tick fired at 450");
        assert_eq!(c.elapsed_ms, None, "not finished yet");
        assert!(c.resumed.is_none(), "the await continues at 600");
        assert!(
            c.unobserved.is_empty() && c.counter.is_none(),
            "end-of-run facts wait"
        );
        assert_eq!(c.stats().completed, 1);
        assert_eq!(c.stats().peak_in_flight, 3, "three calls still in flight");
    }

    #[test]
    fn a_clipped_trace_is_still_a_valid_trace_that_can_record_on() {
        let t = sample();
        let mut c = trace_at(&t, 450.0);
        assert_eq!(c.spans[3].end_ms, None, "the retry is pending at 450");
        c.end(1, 600.0, Outcome::Completed);
        assert_eq!(
            c.spans[3].end_ms,
            Some(600.0),
            "ending the pending retry finds its span: the pending index was rebuilt"
        );
        assert_eq!(
            c.spans[1].end_ms,
            Some(300.0),
            "the failed attempt is untouched"
        );
    }

    #[test]
    fn completion_order_keeps_the_order_tasks_finished_in() {
        let mut t = Trace::new(2);
        t.start(0, 0, 0, 0.0);
        t.start(1, 1, 0, 0.0);
        t.end(1, 100.0, Outcome::Completed);
        t.end(0, 100.0, Outcome::Completed);
        t.end(0, 100.0, Outcome::Completed);
        t.lag = vec![(150.0, 10.0)];
        let c = trace_at(&t, 120.0);
        assert!(
            c.spans.len() == 2 && c.lag.is_empty(),
            "clipped, not cloned"
        );
        assert_eq!(
            c.completion_order,
            vec![1, 0],
            "the recorded tie order, not start order"
        );
    }

    #[test]
    fn a_cancelled_run_is_cancelled_only_from_when_it_ended() {
        let mut t = Trace::new(2);
        t.start(0, 0, 0, 0.0);
        t.start(1, 1, 0, 0.0);
        t.end(0, 100.0, Outcome::Completed);
        t.finish(250.0, true);
        let before = trace_at(&t, 200.0);
        assert!(!before.cancelled, "not yet cancelled at 200");
        assert_eq!(before.spans[1].outcome, None, "#2 still pending");
        let after = trace_at(&t, 250.0);
        assert!(after.cancelled);
        assert_eq!(after.spans[1].outcome, Some(Outcome::Cancelled));
        assert_eq!(after.resumed, Some((250.0, GroupOutcome::Cancelled)));
    }

    #[test]
    fn worker_runs_keep_lane_names_and_drop_live_progress_when_clipped() {
        let mut t = Trace::new(1);
        t.lane_names = vec!["worker 1".into()];
        t.startup_ms = Some(30.0);
        t.lane_progress = vec![0.5];
        t.error = Some("crashed".into());
        t.value = Some(7);
        t.start(0, 0, 0, 40.0);
        t.end(0, 90.0, Outcome::Completed);
        t.finish(90.0, false);
        let c = trace_at(&t, 35.0);
        assert_eq!(c.lane_names, t.lane_names);
        assert_eq!(c.startup_ms, Some(30.0), "workers were ready at 30");
        assert!(c.lane_progress.is_empty(), "progress has no timestamps");
        assert_eq!((c.error, c.value), (None, None), "only known at the end");
        assert_eq!(trace_at(&t, 20.0).startup_ms, None, "not ready at 20");
        assert_eq!(trace_at(&t, 90.0), t, "the end is the recorded run");
    }

    #[test]
    fn event_times_are_sorted_distinct_and_start_at_zero() {
        let t = sample();
        let times = event_times(&[&t]);
        assert_eq!(times, vec![0.0, 200.0, 300.0, 400.0, 500.0, 600.0]);
        let mut other = Trace::new(1);
        other.start(0, 0, 0, 0.02);
        other.end(0, 250.0, Outcome::Completed);
        other.start(0, 0, 1, 250.03);
        other.end(0, 300.04, Outcome::Completed);
        let both = event_times(&[&t, &other]);
        assert_eq!(
            both,
            vec![0.0, 200.0, 250.03, 300.04, 400.0, 500.0, 600.0],
            "near-duplicates merge into the latest; the start stays 0"
        );
        assert_eq!(
            event_times(&[]),
            vec![0.0],
            "nothing recorded: only the start"
        );
    }

    #[test]
    fn a_burst_of_close_starts_is_one_step() {
        let mut t = Trace::new(100);
        for i in 0..100 {
            t.start(i, i, 0, 1.0 + i as f64 * 0.01);
        }
        let times = event_times(&[&t]);
        assert_eq!(times.len(), 2, "{times:?}");
        assert!((times[1] - 1.99).abs() < 1e-9, "the burst ends at 1.99 ms");
        assert_eq!(
            trace_at(&t, times[1]).spans.len(),
            100,
            "stepping on it shows it all"
        );
    }

    #[test]
    fn next_and_prev_event_skip_the_current_one() {
        let times = [0.0, 200.0, 300.0];
        assert_eq!(next_event(&times, 0.0), Some(200.0));
        assert_eq!(
            next_event(&times, 199.995),
            Some(300.0),
            "on 200, up to noise"
        );
        assert_eq!(next_event(&times, 150.0), Some(200.0));
        assert_eq!(next_event(&times, 300.0), None, "at the end");
        assert_eq!(prev_event(&times, 300.0), Some(200.0));
        assert_eq!(prev_event(&times, 250.0), Some(200.0));
        assert_eq!(prev_event(&times, 0.0), None, "at the start");
        assert_eq!(prev_event(&times, 0.005), None, "at the start, up to noise");
        assert_eq!((next_event(&[], 1.0), prev_event(&[], 1.0)), (None, None));
        assert_eq!(next_event(&times, f64::NAN), None);
    }

    #[test]
    fn happenings_tell_what_happened_in_time_order() {
        let t = sample();
        assert_eq!(
            happenings(&t, 150.0, 600.0),
            vec![
                "200 ms: task #3 completed (200 ms)",
                "300 ms: task #2 failed (300 ms)",
                "400 ms: retry 1 of task #2 started",
                "500 ms: task #1 completed (500 ms)",
                "600 ms: retry 1 of task #2 completed (200 ms)",
                "600 ms: the await continued (all completed)",
            ]
        );
        assert_eq!(
            happenings(&t, 0.0, 200.0),
            vec!["200 ms: task #3 completed (200 ms)"],
            "the range excludes its start: the starts at 0 are not repeated"
        );
        assert_eq!(happenings(&t, -1.0, 0.0).len(), 3, "three calls start at 0");
        assert!(
            happenings(&t, 600.0, 150.0).is_empty(),
            "backwards: nothing"
        );
    }

    #[test]
    fn at_one_instant_one_call_ends_before_the_next_starts() {
        let mut t = Trace::new(3);
        t.start(0, 0, 0, 0.0);
        t.end(0, 12.3, Outcome::TimedOut);
        t.start(1, 1, 0, 12.3);
        t.end(1, 12.3, Outcome::Cancelled);
        t.resume(12.3, GroupOutcome::FirstFinished { task: 1 });
        assert_eq!(
            happenings(&t, 0.0, 100.0),
            vec![
                "12.3 ms: task #1 timed out (12.3 ms)",
                "12.3 ms: task #2 started",
                "12.3 ms: task #2 was cancelled (0 ms)",
                "12.3 ms: the await continued (first finished: #2)",
            ]
        );
    }

    #[test]
    fn many_happenings_are_cut_at_eight() {
        let mut t = Trace::new(20);
        for i in 0..20 {
            t.start(i, i, 0, 1000.0 + i as f64);
        }
        let h = happenings(&t, 0.0, 5000.0);
        assert_eq!(h.len(), 9, "eight and a summary");
        assert_eq!(h[0], "1,000 ms: task #1 started");
        assert_eq!(h[8], "… and 12 more");
    }

    #[test]
    fn worker_lanes_speak_of_pieces_on_workers() {
        let mut t = Trace::new(4);
        t.lane_names = vec!["worker 1".into(), "worker 2".into()];
        t.record(TraceEvent::Started {
            task: 2,
            lane: 1,
            attempt: 0,
            at_ms: 12.0,
        });
        t.end(2, 80.0, Outcome::Completed);
        t.resume(
            80.0,
            GroupOutcome::Failed {
                first: 3,
                all: vec![3],
            },
        );
        assert_eq!(
            happenings(&t, 0.0, 100.0),
            vec![
                "12 ms: piece #3 started on worker 2",
                "80 ms: piece #3 completed (68 ms)",
                "80 ms: the await continued (threw: #4)",
            ]
        );
    }

    #[test]
    fn every_way_the_await_continues_has_words() {
        let cases = [
            (GroupOutcome::DeadlineExceeded, "(deadline exceeded)"),
            (GroupOutcome::Cancelled, "(cancelled)"),
            (GroupOutcome::NotAwaited, "without awaiting"),
            (GroupOutcome::WouldDeadlock, "watchdog"),
            (GroupOutcome::Capped, "cap"),
        ];
        for (how, words) in cases {
            let mut t = Trace::new(0);
            t.resume(5.0, how.clone());
            let h = happenings(&t, 0.0, 5.0);
            assert!(h.len() == 1 && h[0].contains(words), "{how:?}: {h:?}");
        }
    }

    #[test]
    fn the_default_speed_makes_a_replay_last_a_few_seconds() {
        assert_eq!(default_speed(500.0), 0.1, "500 ms at 0.1× lasts 5 s");
        assert_eq!(default_speed(1000.0), 0.25, "1 s at 0.25× lasts 4 s");
        assert_eq!(default_speed(3000.0), 0.5, "3 s at 0.5× lasts 6 s");
        assert_eq!(default_speed(5000.0), 1.0, "5 s at 1× lasts 5 s");
        assert_eq!(default_speed(60_000.0), 4.0, "the fastest offered");
        assert_eq!(default_speed(5.0), 0.1, "the slowest offered");
        for bad in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(default_speed(bad), 1.0, "{bad}");
        }
        for ms in [700.0, 1500.0, 2000.0, 2500.0, 12_000.0, 24_000.0] {
            let lasts = ms / default_speed(ms);
            assert!(
                (3500.0..=10_000.0).contains(&lasts),
                "{ms} ms lasts {lasts}"
            );
        }
    }

    #[test]
    fn a_new_player_shows_the_end_and_play_restarts_from_zero() {
        let mut p = Player::new(500.0);
        assert_eq!((p.position_ms, p.playing, p.speed), (500.0, false, 0.1));
        p.play();
        assert_eq!(
            (p.position_ms, p.playing),
            (0.0, true),
            "replays from the start"
        );
        p.tick(1000.0);
        assert!(
            (p.position_ms - 100.0).abs() < 1e-9,
            "1 s at 0.1× is 100 ms"
        );
        p.pause();
        p.tick(1000.0);
        assert!((p.position_ms - 100.0).abs() < 1e-9, "paused: no movement");
        p.play();
        assert!((p.position_ms - 100.0).abs() < 1e-9, "play resumes mid-way");
        p.tick(1e9);
        assert_eq!(
            (p.position_ms, p.playing),
            (500.0, false),
            "stops at the end"
        );
    }

    #[test]
    fn bad_ticks_and_seeks_are_clamped() {
        let mut p = Player::new(1000.0);
        p.play();
        p.tick(100.0);
        let at = p.position_ms;
        for dt in [-50.0, f64::NAN, f64::NEG_INFINITY] {
            p.tick(dt);
            assert_eq!(p.position_ms, at, "dt {dt} moves nothing");
        }
        p.speed = f64::NAN;
        p.tick(10.0);
        assert!(
            (p.position_ms - at - 10.0).abs() < 1e-9,
            "an invalid speed is 1×"
        );
        p.seek(-5.0);
        assert_eq!(p.position_ms, 0.0);
        p.seek(5000.0);
        assert_eq!(p.position_ms, 1000.0);
        p.seek(f64::NAN);
        assert_eq!(p.position_ms, 0.0);
        assert_eq!(Player::new(f64::NAN).end_ms, 0.0);
        assert_eq!(Player::new(-1.0).position_ms, 0.0);
    }

    #[test]
    fn steps_pause_and_stay_put_at_the_ends() {
        let times = [0.0, 200.0, 300.0];
        let mut p = Player::new(300.0);
        p.play();
        p.step_forward(&times);
        assert_eq!(
            (p.position_ms, p.playing),
            (200.0, false),
            "paused on the next"
        );
        p.step_forward(&times);
        p.step_forward(&times);
        assert_eq!(p.position_ms, 300.0, "stays at the end");
        p.step_back(&times);
        p.step_back(&times);
        p.step_back(&times);
        assert_eq!(p.position_ms, 0.0, "stays at the start");
    }

    #[test]
    fn stepping_through_a_run_tells_its_whole_story_once() {
        let t = sample();
        let times = event_times(&[&t]);
        let mut p = Player::new(t.last_event_ms());
        p.seek(0.0);
        let mut told = happenings(&t, f64::NEG_INFINITY, 0.0);
        loop {
            let from = p.position_ms;
            p.step_forward(&times);
            if p.position_ms == from {
                break;
            }
            told.extend(happenings(&t, from, p.position_ms));
        }
        assert_eq!(told.len(), 9, "4 starts, 4 ends, 1 continuation: {told:?}");
        let all = happenings(&t, f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(all[..8], told[..8], "in the same order as told at once");
        assert_eq!(all[8], "… and 1 more");
    }

    #[test]
    fn a_step_is_told_from_the_previous_event_and_named_by_lane_when_there_are_several() {
        let mut a = Trace::new(1);
        a.start(0, 0, 0, 0.0);
        a.end(0, 500.0, Outcome::Completed);
        let mut b = Trace::new(1);
        b.start(0, 0, 0, 0.0);
        b.end(0, 300.0, Outcome::Completed);
        let times = event_times(&[&a, &b]);
        // At 300 ms: what happened after the start (0 ms is the first event, told from the start).
        let both = said_at(&[("A", &a), ("B", &b)], &times, 300.0);
        assert!(
            both.iter()
                .any(|s| s.starts_with("B: ") && s.contains("completed")),
            "{both:?}"
        );
        assert!(
            both.iter()
                .all(|s| s.starts_with("A: ") || s.starts_with("B: ")),
            "{both:?}"
        );
        // At 500 ms: only what happened after 300 ms.
        let later = said_at(&[("A", &a), ("B", &b)], &times, 500.0);
        assert!(later.iter().all(|s| s.starts_with("A: ")), "{later:?}");
        // One lane: no name.
        let one = said_at(&[("A", &a)], &event_times(&[&a]), 500.0);
        assert!(
            !one.is_empty() && one.iter().all(|s| !s.starts_with("A: ")),
            "{one:?}"
        );
    }
}
