//! A program run as the page's result line: the one shape the summary, exports, history, replay
//! and repeated runs share. The language module builds it and hands it to the page as
//! [`crate::trace::wire`] numbers and texts.

use super::machine::{Finished, RunErrorKind};
use super::trace::Recording;
use crate::trace::results::ResultLine;
use crate::trace::GroupOutcome;

/// How a program run ended, as far as its result line needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct Ended {
    /// When the main program settled, ms since the start.
    pub main_ms: Option<f64>,
    /// When the last thing happened, ms since the start.
    pub end_ms: f64,
    /// When and how the main program continued ([`Finished::resumed`]).
    pub resumed: Option<(f64, GroupOutcome)>,
    /// The person cancelled it.
    pub cancelled: bool,
    /// When the main program settled on the virtual clock (the prediction).
    pub predicted_ms: Option<f64>,
    /// The workers' start-up before the clock started, ms.
    pub startup_ms: Option<f64>,
}

impl Ended {
    /// How `finished` ended, against the prediction `predicted`, after `startup_ms` of start-up.
    pub fn of(finished: &Finished, predicted: Option<&Finished>, startup_ms: Option<f64>) -> Self {
        Ended {
            main_ms: finished.main_ms,
            end_ms: finished.end_ms,
            resumed: finished.resumed(),
            cancelled: finished
                .error
                .as_ref()
                .is_some_and(|e| e.kind == RunErrorKind::Cancelled),
            predicted_ms: predicted.and_then(|p| p.main_ms),
            startup_ms,
        }
    }
}

/// The line of an ended run (id `program`): measured is when the main program settled, ideal
/// the same on the virtual clock; a cancelled run has no measured time.
pub fn result_line(rec: &Recording, ended: &Ended) -> ResultLine {
    let mut trace = rec.to_trace(Some(ended.end_ms), ended.resumed.clone());
    trace.cancelled = ended.cancelled;
    trace.startup_ms = ended.startup_ms;
    ResultLine {
        id: "program".into(),
        name: "Your program".into(),
        ideal_ms: ended.predicted_ms,
        measured_ms: ended.main_ms.filter(|_| !ended.cancelled),
        resources: match trace.peak_in_flight() {
            1 => "1 promise at a time".to_string(),
            n => format!("{n} promises at once"),
        },
        trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::run_virtual;

    const TWO_AWAITS: &str = r#"
const a = call("users", 300);
const b = call("orders", 500);
await a;
await b;
"#;

    #[test]
    fn a_finished_program_is_one_result_line_measured_against_its_prediction() {
        let run = run_virtual(TWO_AWAITS).unwrap();
        let predicted = run_virtual(TWO_AWAITS).unwrap().finished;
        let line = result_line(
            &run.recording,
            &Ended::of(&run.finished, Some(&predicted), Some(12.0)),
        );
        assert_eq!(line.id, "program");
        assert_eq!(line.measured_ms, Some(500.0));
        assert_eq!(line.ideal_ms, Some(500.0));
        assert_eq!(line.resources, "2 promises at once");
        assert_eq!(line.trace.spans.len(), 2);
        assert_eq!(line.trace.lane_names, ["users", "orders"]);
        assert_eq!(line.trace.startup_ms, Some(12.0));
        assert!(!line.trace.cancelled);
    }

    #[test]
    fn a_cancelled_program_has_no_measured_time() {
        let mut run = run_virtual(TWO_AWAITS).unwrap();
        run.finished.error = Some(crate::lang::RunError {
            kind: RunErrorKind::Cancelled,
            message: "cancelled".into(),
            line: 1,
            col: 1,
            span: 0..1,
        });
        let line = result_line(&run.recording, &Ended::of(&run.finished, None, None));
        assert_eq!(line.measured_ms, None);
        assert!(line.trace.cancelled);
    }

    #[test]
    fn the_page_reads_back_the_very_line_of_every_example_program() {
        use crate::trace::wire::{decode, encode};
        for (id, _, src) in
            crate::lang::examples::ALL
                .iter()
                .copied()
                .chain([("two awaits", "", TWO_AWAITS)])
        {
            let run = run_virtual(src).unwrap();
            for ended in [
                Ended::of(&run.finished, Some(&run.finished), Some(3.5)),
                Ended::of(&run.finished, None, None),
                Ended {
                    cancelled: true,
                    resumed: Some((7.0, GroupOutcome::Cancelled)),
                    ..Ended::of(&run.finished, None, None)
                },
            ] {
                let sent = result_line(&run.recording, &ended);
                let wire = encode(&sent).unwrap_or_else(|| panic!("{id}: not carried"));
                assert_eq!(decode(wire), Some(sent), "{id}");
            }
        }
    }
}
