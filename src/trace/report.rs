//! Sentences about a finished (or running) trace: what the await did, what was held, and how
//! strategies compare, and what each way of running CPU work did and why. Pure, so the page
//! and the exports say the same thing.

use crate::cpu::partition::static_part_costs;
use crate::cpu::{
    CpuMode, CpuSpec, Kernel, MAIN_THREAD_CAP_MS, PIPELINE_FETCH_MS, PIPELINE_SAVE_MS,
    PIPELINE_WAIT_MS,
};
use crate::model::scenario::Strategy;
use crate::trace::results::Phase;
use crate::trace::{GroupOutcome, Trace};
use crate::units::{fmt_ms, fmt_ratio, speedup};

fn list(tasks: &[u32]) -> String {
    tasks
        .iter()
        .map(|t| format!("#{}", t + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the awaiting code got, in one sentence; `None` before it continued.
pub fn outcome(strategy: Strategy, trace: &Trace) -> Option<String> {
    let (at, how) = trace.resumed.as_ref()?;
    let at = fmt_ms(*at);
    let mut text = match how {
        GroupOutcome::AllCompleted => match strategy {
            Strategy::Streaming { .. } => {
                format!("Every result was consumed as it arrived; the stream ended at {at} ms.")
            }
            _ => format!(
                "The await returned all {} results at {at} ms, in the order given.",
                trace.completed()
            ),
        },
        GroupOutcome::FirstFinished { task } => format!(
            "The await continued at {at} ms with call #{}; {}.",
            task + 1,
            if strategy == (Strategy::FirstWins { cancel_rest: true }) {
                "the other calls were cancelled"
            } else {
                "the other calls kept running"
            }
        ),
        GroupOutcome::Failed { first, all } if all.len() > 1 => format!(
            "The await threw at {at} ms: the error of call #{} (the aggregate holds all {}: {}).",
            first + 1,
            all.len(),
            list(all)
        ),
        GroupOutcome::Failed { first, .. } => format!(
            "The await threw at {at} ms: the error of call #{}.",
            first + 1
        ),
        GroupOutcome::DeadlineExceeded => {
            format!("The group deadline cancelled the pending calls at {at} ms.")
        }
        GroupOutcome::Cancelled => format!("Cancelled at {at} ms; pending timers were cleared."),
        GroupOutcome::NotAwaited => {
            format!("The caller returned at {at} ms and reported success without waiting.")
        }
        GroupOutcome::Capped => format!(
            "Stopped at {at} ms so the tab would not hang: the page was frozen that long, and \
             only part of the work was done."
        ),
        GroupOutcome::WouldDeadlock => format!(
            "Would deadlock: the loop waited for a result only it could deliver. The watchdog \
             stopped it at {at} ms; the page was frozen until then."
        ),
    };
    if !trace.unobserved.is_empty() && trace.is_finished() {
        text.push_str(&format!(
            " Later, {} failed and nobody observed the error ({}).",
            if trace.unobserved.len() == 1 {
                "a call".to_string()
            } else {
                format!("{} calls", trace.unobserved.len())
            },
            list(&trace.unobserved)
        ));
    }
    if let (Some(counter), true) = (trace.counter, trace.is_finished()) {
        let expected = trace.completed();
        let lost = expected.saturating_sub(counter);
        text.push_str(&format!(
            " The counter ended at {counter} after {expected} successful calls: {} lost.",
            if lost == 1 {
                "1 update".to_string()
            } else {
                format!("{lost} updates")
            }
        ));
    }
    Some(text)
}

/// What the strategy held while it waited: threads, timers, workers.
pub fn resources(strategy: Strategy, trace: &Trace) -> String {
    let peak = trace.peak_in_flight();
    if strategy == Strategy::WorkerPerCall {
        return format!(
            "Held while waiting: up to {peak} {} parked doing nothing (each a thread with its own \
             wasm instance), besides the event loop.",
            if peak == 1 { "worker" } else { "workers" }
        );
    }
    format!(
        "Held while waiting: 1 event-loop thread, at most {peak} pending {} on it, 0 workers.",
        if peak == 1 { "timer" } else { "timers" }
    )
}

/// "All at once (wait for all) continued 9.9× sooner than Sequential awaits (ideal: 10×)."
pub fn comparison(
    strategy: Strategy,
    measured_ms: f64,
    ideal_ms: f64,
    baseline: Strategy,
    baseline_measured_ms: f64,
    baseline_ideal_ms: f64,
) -> Option<String> {
    let r = speedup(baseline_measured_ms, measured_ms)?;
    let ideal = speedup(baseline_ideal_ms, ideal_ms)
        .map(|r| format!(" (ideal: {})", short(r)))
        .unwrap_or_default();
    let phrase = if about_one(r) {
        "took about as long as".to_string()
    } else {
        format!("was {} than", short(r))
    };
    Some(format!(
        "{} {phrase} {}{ideal}.",
        strategy.title(),
        baseline.title().to_ascii_lowercase()
    ))
}

/// How `measured_ms` compares with the baseline's time, in two words ("9.9× faster", "the
/// same", "2× slower"); `None` when either time is missing or zero.
pub fn versus(baseline_ms: f64, measured_ms: f64) -> Option<String> {
    speedup(baseline_ms, measured_ms).map(short)
}

/// What a row of a comparison says of itself: "baseline" for the baseline, else how its time
/// compares with the baseline's ([`versus`]); `None` when either time is missing or zero.
pub fn against_baseline(
    is_baseline: bool,
    baseline_ms: Option<f64>,
    measured_ms: Option<f64>,
) -> Option<String> {
    if is_baseline {
        Some("baseline".to_string())
    } else {
        baseline_ms.zip(measured_ms).and_then(|(b, m)| versus(b, m))
    }
}

fn about_one(r: f64) -> bool {
    (0.95..=1.05).contains(&r)
}

fn short(r: f64) -> String {
    if about_one(r) {
        "the same".to_string()
    } else if r > 1.0 {
        format!("{} faster", fmt_ratio(r))
    } else {
        format!("{} slower", fmt_ratio(1.0 / r))
    }
}

/// What the page says about its clock, given the smallest step between two different readings
/// of `performance.now()` seen in this browser (`None`: not measured yet).
///
/// Browsers round the clock when a page is not cross-origin isolated (this page never asks to
/// be: it must work on any static host and inside any iframe): Chromium to 0.1 ms, Firefox to
/// 1 ms, and a browser resisting fingerprinting to much more. Every time the page shows is a
/// difference of two readings, so it is only as fine as that step.
pub fn clock_sentence(step_ms: Option<f64>) -> String {
    let Some(step) = step_ms.filter(|s| s.is_finite() && *s > 0.0) else {
        return "Clock: performance.now().".to_string();
    };
    let shown = if step < 0.1 {
        format!("{} µs", fmt_ms(step * 1000.0))
    } else {
        format!("{} ms", fmt_ms(step))
    };
    if step < 0.5 {
        format!("Clock: performance.now(), in steps of {shown}.")
    } else {
        format!(
            "Clock: performance.now(), in steps of {shown} in this browser, so every time shown \
             is rounded to {shown} (browsers round the clock of pages that are not cross-origin \
             isolated)."
        )
    }
}

// The CPU ways' sentences.

/// What happened, in one sentence; `None` before the work ended. With `answer`, the combined
/// output is named as the answer (see [`crate::cpu::Kernel::has_answer`]).
pub fn cpu_outcome(trace: &Trace, answer: bool) -> Option<String> {
    let (at, how) = trace.resumed.as_ref()?;
    let answer = trace
        .value
        .filter(|_| answer)
        .map(|v| format!("; the answer is {}", fmt_ms(v as f64)))
        .unwrap_or_default();
    Some(match how {
        GroupOutcome::AllCompleted => format!(
            "All {} {} done after {} ms{answer}.",
            trace.completed(),
            if trace.completed() == 1 {
                "piece"
            } else {
                "pieces"
            },
            fmt_ms(*at)
        ),
        GroupOutcome::Failed { all, .. } if !all.is_empty() => format!(
            "{} of {} pieces failed; the run went on without them{answer}.",
            all.len(),
            trace.task_count
        ),
        _ => outcome(Strategy::Sequential, trace)?,
    })
}

/// Why this way takes the time it does, with the experiment's numbers.
pub fn cpu_explain(spec: &CpuSpec, mode: CpuMode, cores: u32) -> String {
    let w = spec.workers;
    match mode {
        CpuMode::MainThread => format!(
            "The page's own thread computes: nothing else runs until it is done (no clicks, no \
             timers, no painting; see the loop lag row). Stopped after {} ms at most, so the tab \
             never hangs.",
            fmt_ms(MAIN_THREAD_CAP_MS)
        ),
        CpuMode::OneWorker => "One worker computes while the page stays responsive. It is not \
             faster: the same work on one core, plus a message each way."
            .to_string(),
        CpuMode::Static => {
            let skew = match &spec.kernel {
                Kernel::Primes { limit } if w > 1 => {
                    let costs = static_part_costs(0..*limit, w as usize);
                    let (lo, hi) = (
                        costs.first().copied().unwrap_or(1.0),
                        costs.last().copied().unwrap_or(1.0),
                    );
                    format!(
                        " Equal lengths are not equal work: testing big numbers costs more, so the \
                         last part costs about {:.1}× the first and its worker finishes last while \
                         the others idle.",
                        if lo > 0.0 { hi / lo } else { 1.0 }
                    )
                }
                Kernel::Mandelbrot { .. } if w > 1 => " Equal numbers of rows are not equal work: \
                     rows through the set iterate longest, so some workers finish early and idle."
                    .to_string(),
                _ => String::new(),
            };
            format!("The work is cut into {w} equal parts, one per worker (a static split).{skew}")
        }
        CpuMode::Pipeline => format!(
            "Each cycle awaits the fetch ({PIPELINE_FETCH_MS} ms) and the save \
             ({PIPELINE_SAVE_MS} ms) on the event loop, which is free meanwhile, and computes on \
             {w} workers in between, then pauses {PIPELINE_WAIT_MS} ms: async for the waiting, \
             parallel for the computing, each where it belongs."
        ),
        CpuMode::Dynamic => format!(
            "Workers take small chunks from a shared queue; whoever is free takes the next, so \
             all finish at about the same time. At best min({w} workers, {cores} cores) = {}× \
             faster than one: more workers than cores only take turns.",
            w.min(cores).max(1)
        ),
    }
}

/// The progress line under the Run button: where the run is, from each way's title, trace and
/// whether it has begun, in the order they run.
pub fn progress_sentence(phase: Phase, ways: &[(String, &Trace, bool)]) -> String {
    let total: u32 = ways.iter().map(|w| w.1.task_count).sum();
    let done: u32 = ways.iter().map(|w| w.1.completed()).sum();
    let current = ways.iter().find(|w| w.2 && !w.1.is_finished());
    match (phase, current) {
        (Phase::Idle, _) => "Press Run to measure every way in this browser.".to_string(),
        // A program: its card tells the rest.
        (Phase::Running, _) if ways.is_empty() => "Running…".to_string(),
        (Phase::Done, _) if ways.is_empty() => "Done.".to_string(),
        (Phase::Cancelled, _) if ways.is_empty() => {
            "Cancelled: pending timers were cleared.".to_string()
        }
        (Phase::Running, Some((title, trace, _))) => {
            let lanes: Vec<String> = trace
                .lane_progress
                .iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.0 && **p < 1.0)
                .map(|(i, p)| format!("worker {} at {:.0}%", i + 1, p * 100.0))
                .collect();
            let lanes = if lanes.is_empty() {
                String::new()
            } else {
                format!("; {}", lanes.join(", "))
            };
            format!(
                "Running “{title}”: {} of {} done ({done} of {total} overall{lanes}).",
                trace.completed(),
                trace.task_count
            )
        }
        (Phase::Running, None) => format!("Running: {done} of {total} tasks done."),
        (Phase::Done, _) => format!("Done: {done} of {total} tasks completed."),
        (Phase::Cancelled, _) => format!(
            "Cancelled: {done} of {total} tasks had completed; pending timers were cleared."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_row_says_baseline_and_the_others_how_they_compare() {
        assert_eq!(
            against_baseline(true, Some(5000.0), Some(5000.0)).as_deref(),
            Some("baseline")
        );
        assert_eq!(
            against_baseline(false, Some(5000.0), Some(505.0)).as_deref(),
            Some("9.9× faster")
        );
        assert_eq!(against_baseline(false, None, Some(505.0)), None);
        assert_eq!(against_baseline(false, Some(5000.0), None), None);
    }

    #[test]
    fn versus_says_faster_slower_or_the_same() {
        assert_eq!(versus(5000.0, 505.0).as_deref(), Some("9.9× faster"));
        assert_eq!(versus(500.0, 1000.0).as_deref(), Some("2× slower"));
        assert_eq!(versus(500.0, 510.0).as_deref(), Some("the same"));
        assert_eq!(versus(0.0, 510.0), None, "no baseline, no ratio");
    }
    use crate::trace::TraceEvent;

    fn finished(how: GroupOutcome, at: f64) -> Trace {
        let mut t = Trace::new(3);
        t.resume(at, how);
        t.finish(at, false);
        t
    }

    #[test]
    fn an_aggregate_failure_names_the_first_error_and_every_failed_call() {
        let t = finished(
            GroupOutcome::Failed {
                first: 1,
                all: vec![1, 2],
            },
            1000.0,
        );
        let s = outcome(Strategy::AllAtOnce { fail_fast: false }, &t).unwrap();
        assert_eq!(
            s,
            "The await threw at 1,000 ms: the error of call #2 (the aggregate holds all 2: #2, #3)."
        );
    }

    #[test]
    fn lost_updates_and_unobserved_errors_are_counted() {
        let mut t = finished(GroupOutcome::AllCompleted, 300.0);
        for i in 0..4 {
            t.record(TraceEvent::Started {
                task: i,
                lane: i,
                attempt: 0,
                at_ms: 0.0,
            });
            t.record(TraceEvent::Ended {
                task: i,
                at_ms: 300.0,
                outcome: crate::trace::Outcome::Completed,
            });
        }
        t.counter = Some(1);
        let s = outcome(Strategy::SharedCounter { safe: false }, &t).unwrap();
        assert!(
            s.ends_with("The counter ended at 1 after 4 successful calls: 3 updates lost."),
            "{s}"
        );

        let mut f = finished(GroupOutcome::NotAwaited, 0.0);
        f.unobserved = vec![2];
        let s = outcome(Strategy::FireAndForget, &f).unwrap();
        assert!(
            s.contains("a call failed and nobody observed the error (#3)"),
            "{s}"
        );
    }

    #[test]
    fn nothing_is_said_before_the_await_continued() {
        assert_eq!(outcome(Strategy::Sequential, &Trace::new(3)), None);
    }

    #[test]
    fn comparisons_say_faster_slower_or_about_the_same() {
        let s = comparison(
            Strategy::AllAtOnce { fail_fast: false },
            505.0,
            500.0,
            Strategy::Sequential,
            5005.0,
            5000.0,
        )
        .unwrap();
        assert_eq!(s, "All at once (wait for all) was 9.9× faster than sequential awaits (ideal: 10× faster).");
        let slow = comparison(
            Strategy::Sequential,
            1000.0,
            1000.0,
            Strategy::Sequential,
            500.0,
            500.0,
        )
        .unwrap();
        assert!(slow.contains("was 2× slower"), "{slow}");
        let same = comparison(
            Strategy::Sequential,
            101.0,
            100.0,
            Strategy::Sequential,
            100.0,
            100.0,
        )
        .unwrap();
        assert!(same.contains("took about as long"), "{same}");
        assert_eq!(
            comparison(
                Strategy::Sequential,
                0.0,
                0.0,
                Strategy::Sequential,
                1.0,
                1.0
            ),
            None
        );
    }

    #[test]
    fn the_clock_sentence_names_the_step_this_browser_rounds_to() {
        assert_eq!(clock_sentence(None), "Clock: performance.now().");
        assert_eq!(clock_sentence(Some(0.0)), "Clock: performance.now().");
        assert_eq!(
            clock_sentence(Some(0.005)),
            "Clock: performance.now(), in steps of 5 µs."
        );
        assert_eq!(
            clock_sentence(Some(0.1)),
            "Clock: performance.now(), in steps of 0.1 ms."
        );
        let firefox = clock_sentence(Some(1.0));
        assert!(
            firefox.starts_with("Clock: performance.now(), in steps of 1 ms in this browser, so every time shown is rounded to 1 ms"),
            "{firefox}"
        );
        assert!(clock_sentence(Some(100.0)).contains("steps of 100 ms"));
    }

    fn cpu_spec(kernel: Kernel, workers: u32) -> CpuSpec {
        CpuSpec {
            kernel,
            modes: vec![],
            workers,
        }
    }

    #[test]
    fn the_static_explanation_quantifies_the_imbalance() {
        let s = cpu_spec(Kernel::Primes { limit: 5_000_000 }, 2);
        let e = cpu_explain(&s, CpuMode::Static, 2);
        assert!(e.contains("costs about 1.7× the first"), "{e}");
        assert!(cpu_explain(&s, CpuMode::Dynamic, 2).contains("min(2 workers, 2 cores) = 2×"));
    }

    #[test]
    fn the_progress_line_names_the_way_running_and_its_busy_workers() {
        let idle = Trace::new(4);
        assert_eq!(
            progress_sentence(Phase::Idle, &[("One worker".into(), &idle, false)]),
            "Press Run to measure every way in this browser."
        );
        let mut running = Trace::new(4);
        running.lane_progress = vec![0.5, 1.0];
        let said = progress_sentence(
            Phase::Running,
            &[
                ("Two workers".into(), &running, true),
                ("Later".into(), &idle, false),
            ],
        );
        assert_eq!(
            said,
            "Running “Two workers”: 0 of 4 done (0 of 8 overall; worker 1 at 50%)."
        );
        assert!(
            progress_sentence(Phase::Cancelled, &[("x".into(), &idle, true)])
                .starts_with("Cancelled: 0 of 4")
        );
    }
}
