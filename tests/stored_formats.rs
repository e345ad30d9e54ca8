//! What this page stored or exported before stays readable: the run history kept in
//! `localStorage` and the "Trace as JSON" export, as version 1 of each was written by the page
//! before serde_json wrote them (by a hand-made writer, `src/json_lite.rs`, since removed).
//! The fixtures in `tests/fixtures/` were written by that code from the samples below.

use playground::trace::export::{trace_json, TraceLane, TRACE_FORMAT};
use playground::trace::history::{Entry, EntryRow, History};
use playground::trace::{GroupOutcome, Outcome, Trace, TraceEvent};

const HISTORY_V1: &str = include_str!("fixtures/history-v1.json");
const TRACE_EXPORT_V1: &str = include_str!("fixtures/trace-export-v1.json");

/// The history in `history-v1.json`: two runs of one scenario, the second edited and
/// repeated, with times as a browser's clock gives them.
fn history_sample() -> History {
    let row = |id: &str, name: &str, measured_ms, ideal_ms| EntryRow {
        id: id.into(),
        name: name.into(),
        measured_ms,
        ideal_ms,
    };
    History {
        entries: vec![
            Entry {
                at_ms: 1_763_800_000_000.0,
                experiment: "when-all".into(),
                title: "A. Sequential awaits vs all at once (WhenAll)".into(),
                link: "#v=1&preset=when-all".into(),
                runs: 1,
                rows: vec![
                    row(
                        "sequential",
                        "Sequential awaits",
                        Some(5_004.199_999_999_255),
                        Some(5000.0),
                    ),
                    row("all-at-once", "All at once", Some(501.5), Some(500.0)),
                ],
            },
            Entry {
                at_ms: 1_763_800_123_456.0,
                experiment: "when-all".into(),
                title: "Édité: \"quoted\", 数, 😀".into(),
                link: "#v=1&preset=when-all&n=7".into(),
                runs: 5,
                rows: vec![
                    row(
                        "sequential",
                        "Sequential awaits",
                        Some(7_003.25),
                        Some(7000.0),
                    ),
                    row(
                        "all-at-once-fail-fast",
                        "All at once, fail fast",
                        None,
                        None,
                    ),
                ],
            },
        ],
    }
}

fn started(task: u32, lane: u32, attempt: u32, at_ms: f64) -> TraceEvent {
    TraceEvent::Started {
        task,
        lane,
        attempt,
        at_ms,
    }
}

fn ended(task: u32, at_ms: f64, outcome: Outcome) -> TraceEvent {
    TraceEvent::Ended {
        task,
        at_ms,
        outcome,
    }
}

/// The traces in `trace-export-v1.json`: a finished sequential run, and a CPU-like run with a
/// failure, a retry, a pending piece and every optional field set.
fn traces_sample() -> Vec<Trace> {
    let mut sequential = Trace::new(2);
    for i in 0..2 {
        let at = f64::from(i) * 500.25;
        sequential.record(started(i, i, 0, at));
        sequential.record(ended(i, at + 500.25, Outcome::Completed));
        sequential.consumed.push((i, at + 500.25));
    }
    sequential.resume(1000.5, GroupOutcome::AllCompleted);
    sequential.finish(1000.5, false);

    let mut mixed = Trace::new(3);
    mixed.record(started(0, 0, 0, 0.0));
    mixed.record(started(1, 1, 0, 0.1));
    mixed.record(ended(1, 300.0, Outcome::Failed));
    mixed.record(started(1, 1, 1, 400.25));
    mixed.record(ended(0, 2_049.899_999_999_994, Outcome::Completed));
    mixed.record(ended(1, 1400.5, Outcome::TimedOut));
    mixed.record(started(2, 0, 0, 2050.0));
    mixed.consumed = vec![(0, 2_050.125)];
    mixed.resume(
        1400.5,
        GroupOutcome::Failed {
            first: 1,
            all: vec![1],
        },
    );
    mixed.lag = vec![(16.0, 0.0), (32.5, 2.5)];
    mixed.lane_names = vec!["worker 1".into(), "worker \"2\" é".into()];
    mixed.value = Some(25);
    mixed.startup_ms = Some(93.75);
    mixed.warmup_ms = Some(41.5);
    mixed.lane_progress = vec![0.25, 1.0];
    mixed.error = Some("Piece #2: the worker crashed\nat line 1".into());
    vec![sequential, mixed]
}

fn lanes(traces: &[Trace]) -> Vec<TraceLane<'_>> {
    vec![
        TraceLane {
            id: "sequential",
            name: "Sequential awaits",
            ideal_ms: Some(1000.0),
            trace: &traces[0],
        },
        TraceLane {
            id: "two-workers",
            name: "Two workers, \"split\"",
            ideal_ms: None,
            trace: &traces[1],
        },
    ]
}

const EXPERIMENT: &str = "when-all";
const LINK: &str = "https://example.org/playground/#v=1&preset=when-all";

#[test]
fn history_stored_by_the_earlier_page_is_read_whole_without_a_note() {
    assert_eq!(History::decode(Some(HISTORY_V1)), (history_sample(), None));
}

#[test]
fn history_is_stored_in_the_same_text_as_before() {
    assert_eq!(history_sample().encode(), HISTORY_V1.trim_end());
}

#[test]
fn the_trace_export_is_written_in_the_same_text_as_before() {
    let traces = traces_sample();
    assert_eq!(
        trace_json(EXPERIMENT, LINK, &lanes(&traces)),
        TRACE_EXPORT_V1.trim_end()
    );
}

#[test]
fn a_trace_export_of_version_1_reads_back_into_its_traces() {
    let file: serde_json::Value = serde_json::from_str(TRACE_EXPORT_V1).expect("valid JSON");
    assert_eq!(file["format"], TRACE_FORMAT);
    assert_eq!(file["version"], 1);
    let strategies = file["strategies"].as_array().expect("a list of strategies");
    let traces = traces_sample();
    assert_eq!(strategies.len(), traces.len());
    for (s, t) in strategies.iter().zip(&traces) {
        let back: Trace = serde_json::from_value(s["trace"].clone()).expect("a trace");
        assert_eq!(&back, t);
    }
}
