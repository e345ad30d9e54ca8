//! A program run's card: measured against predicted, its lanes on a timeline, the log with each
//! line's time, and the error that ended it (with its line and column).

use super::cards::{card_state, data_ms, ms, number, para, timeline_options};
use super::timeline::timeline_svg;
use super::Html;
use crate::chart::timeline;
use crate::lang::trace::Recording;
use crate::lang::{Finished, RunErrorKind};
use crate::units::fmt_ms;

/// What a program card shows: the run so far (or at its end) and the prediction.
pub struct ProgramCard<'a> {
    /// The program's text (to say which line each `await` is on).
    pub src: &'a str,
    /// What the run recorded so far.
    pub recording: &'a Recording,
    /// How it ended; `None` while it runs.
    pub finished: Option<&'a Finished>,
    /// Ms since the run started, at this redraw.
    pub now_ms: f64,
    /// The same program on the virtual clock with no overhead.
    pub predicted: Option<&'a Finished>,
    /// How long the workers its jobs use took to start and warm up, before the clock
    /// started, ms.
    pub startup_ms: Option<f64>,
    /// True while those workers start (the program's clock has not started).
    pub starting: bool,
}

/// Width of a lane label's character at the timeline's 11 px, px (a generous average).
const LABEL_CHAR_PX: f64 = 6.6;

/// Most log lines the card shows (the newest are kept; the count of the others is said).
pub const SHOWN_LOG_LINES: usize = 200;

/// The card of a program run, its timeline laid out `width` px wide.
pub fn program_card(card: &ProgramCard, width: f64) -> String {
    let end = card.finished.map(|f| f.end_ms);
    let mut trace = card
        .recording
        .to_trace(end, card.finished.and_then(Finished::resumed));
    let cancelled = card
        .finished
        .and_then(|f| f.error.as_ref())
        .is_some_and(|e| e.kind == RunErrorKind::Cancelled);
    let mut h = Html::new();
    let state = if cancelled {
        "cancelled"
    } else {
        card_state(&trace, true)
    };
    h.open(
        "article",
        &[
            ("class", Some("card strategy program")),
            ("data-testid", Some("result-program")),
            ("data-state", Some(state)),
        ],
    );
    h.el("h2", &[], "Your program")
        .open("dl", &[("class", Some("numbers"))]);
    let main_ms = card.finished.and_then(|f| f.main_ms);
    let measured = match (card.finished, main_ms) {
        (_, Some(v)) => ms(v),
        (Some(_), None) => "did not end".into(),
        (None, None) if card.starting => "starting workers…".into(),
        (None, None) => format!("{} ms so far", fmt_ms(card.now_ms)),
    };
    number(
        &mut h,
        "Program ended after",
        Some("measured-program".into()),
        Some(main_ms.map(data_ms).unwrap_or_default()),
        &measured,
        None,
    );
    let predicted_ms = card.predicted.and_then(|p| p.main_ms);
    number(
        &mut h,
        "Predicted",
        Some("ideal-program".into()),
        Some(predicted_ms.map(data_ms).unwrap_or_default()),
        &predicted_ms.map(ms).unwrap_or_else(|| "—".into()),
        Some(" (virtual clock, no overhead; jobs at their measured one-worker cost)".into()),
    );
    let overhead = main_ms
        .zip(predicted_ms)
        .filter(|_| !cancelled)
        .map(|(m, p)| format!("{:+.1} ms", m - p));
    number(
        &mut h,
        "Overhead",
        None,
        None,
        overhead.as_deref().unwrap_or("—"),
        None,
    );
    if let Some(f) = card
        .finished
        .filter(|f| f.end_ms > f.main_ms.unwrap_or(0.0) + 1.0)
    {
        number(
            &mut h,
            "Last promise settled",
            Some("settled-program".into()),
            None,
            &ms(f.end_ms),
            None,
        );
    }
    if let Some(s) = card.startup_ms {
        number(
            &mut h,
            "Start-up, before the clock",
            Some("startup-program".into()),
            Some(data_ms(s)),
            &ms(s),
            Some(" (workers started and warmed up for the kernels the program runs)".into()),
        );
    }
    let stats = trace.stats();
    number(
        &mut h,
        "Promises pending at once",
        Some("peak-program".into()),
        None,
        &stats.peak_in_flight.to_string(),
        None,
    );
    h.close("dl");
    let domain = card
        .predicted
        .map(|p| p.end_ms)
        .unwrap_or(0.0)
        .max(end.unwrap_or(card.now_ms))
        .max(1.0);
    if !card.recording.lanes.is_empty() {
        let mut opts = timeline_options(width);
        // More promises than rows: the timeline groups them into shared rows by their order, as
        // it does a preset's calls (one named row each would draw every bar).
        if trace.lane_names.len() > opts.max_lanes as usize {
            trace.lane_names.clear();
        }
        // Room for the labels the program gave its promises, up to a third of the chart;
        // longer ones are shortened so none runs off the left edge.
        let longest = trace.lane_names.iter().map(|n| n.chars().count()).max();
        opts.margin_left = (longest.unwrap_or(0) as f64 * LABEL_CHAR_PX + 10.0)
            .clamp(opts.margin_left, opts.width / 3.0);
        let fits = ((opts.margin_left - 10.0) / LABEL_CHAR_PX).floor() as usize;
        for name in &mut trace.lane_names {
            if name.chars().count() > fits {
                *name = name
                    .chars()
                    .take(fits.saturating_sub(1))
                    .collect::<String>()
                    + "…";
            }
        }
        let layout = timeline(&trace, domain, predicted_ms, card.now_ms, &opts);
        timeline_svg(&mut h, &layout, "Timeline of your program");
    }
    if let Some(e) = card.finished.and_then(|f| f.error.as_ref()) {
        let class = if cancelled {
            "cancel-note"
        } else {
            "program-error"
        };
        para(&mut h, class, Some("run-error".into()), &e.to_string());
    }
    log_list(&mut h, card.recording);
    awaits_list(&mut h, card);
    h.close("article");
    h.finish()
}

/// Most `await`s the card lists.
pub const SHOWN_AWAITS: usize = 50;

/// Every `await` that suspended its function: its line, and from when until when it waited
/// (the dots on the lanes mark where each continued with a result).
fn awaits_list(h: &mut Html, card: &ProgramCard) {
    let awaits = &card.recording.awaits;
    if awaits.is_empty() {
        return;
    }
    h.open("details", &[("class", Some("awaits"))]).el(
        "summary",
        &[],
        &format!("Awaits that waited ({})", awaits.len()),
    );
    h.open(
        "ol",
        &[
            ("class", Some("log")),
            ("data-testid", Some("program-awaits")),
        ],
    );
    for a in awaits.iter().take(SHOWN_AWAITS) {
        let (line, _) = crate::lang::error::line_col(card.src, a.span.start);
        h.open("li", &[])
            .el("time", &[], &format!("line {line}"))
            .text(&format!(
                " waited from {} to {} ms",
                fmt_ms(a.from_ms),
                fmt_ms(a.resumed_ms)
            ))
            .close("li");
    }
    h.close("ol").close("details");
}

/// The `console.log` lines, each with its time.
fn log_list(h: &mut Html, rec: &Recording) {
    h.el("h3", &[], "Log");
    if rec.log.is_empty() {
        para(h, "log-empty", None, "Nothing logged yet.");
        return;
    }
    let skip = rec.log.len().saturating_sub(SHOWN_LOG_LINES);
    if skip + rec.log_dropped > 0 {
        para(
            h,
            "log-note",
            None,
            &format!("{} earlier lines are not shown.", skip + rec.log_dropped),
        );
    }
    h.open(
        "ol",
        &[("class", Some("log")), ("data-testid", Some("program-log"))],
    );
    for line in &rec.log[skip..] {
        h.open("li", &[])
            .el("time", &[], &format!("{} ms", fmt_ms(line.at_ms)))
            .text(" ")
            .el("code", &[], &line.text)
            .close("li");
    }
    h.close("ol");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::run_virtual;

    #[test]
    fn a_finished_run_shows_its_time_its_prediction_and_its_log() {
        let src = "await sleep(300); console.log(\"<b>hi</b>\");";
        let r = run_virtual(src).unwrap();
        let html = program_card(
            &ProgramCard {
                src,
                recording: &r.recording,
                finished: Some(&r.finished),
                now_ms: 300.0,
                predicted: Some(&r.finished),
                startup_ms: None,
                starting: false,
            },
            720.0,
        );
        assert!(
            html.contains(r#"data-testid="measured-program" data-ms="300.000""#),
            "{html}"
        );
        assert!(
            html.contains(r#"data-testid="ideal-program" data-ms="300.000""#),
            "{html}"
        );
        assert!(html.contains(r#"data-state="done""#), "{html}");
        assert!(
            html.contains("&lt;b&gt;hi&lt;/b&gt;"),
            "log text is escaped: {html}"
        );
        assert!(html.contains("<svg"), "one lane, one timeline: {html}");
        assert!(
            html.contains("line 1</time> waited from 0 to 300 ms"),
            "the await is listed: {html}"
        );
    }

    #[test]
    fn long_labels_are_shortened_to_fit_their_room() {
        let r = run_virtual(&format!("await call(\"{}\", 10);", "x".repeat(300))).unwrap();
        let html = program_card(
            &ProgramCard {
                src: "",
                recording: &r.recording,
                finished: Some(&r.finished),
                now_ms: 10.0,
                predicted: None,
                startup_ms: None,
                starting: false,
            },
            390.0,
        );
        assert!(html.contains("…"), "{html}");
        assert!(!html.contains(&"x".repeat(40)), "{html}");
    }

    #[test]
    fn a_run_in_flight_says_how_long_so_far_and_has_no_measured_time_yet() {
        let r = run_virtual("await sleep(300);").unwrap();
        let html = program_card(
            &ProgramCard {
                src: "",
                recording: &r.recording,
                finished: None,
                now_ms: 120.0,
                predicted: Some(&r.finished),
                startup_ms: None,
                starting: false,
            },
            390.0,
        );
        assert!(html.contains("120 ms so far"), "{html}");
        assert!(
            html.contains(r#"data-testid="measured-program" data-ms="""#),
            "{html}"
        );
    }

    #[test]
    fn an_error_names_its_line_and_column() {
        let r = run_virtual("\n  throw new Error(\"boom\");").unwrap();
        let html = program_card(
            &ProgramCard {
                src: "",
                recording: &r.recording,
                finished: Some(&r.finished),
                now_ms: 0.0,
                predicted: None,
                startup_ms: None,
                starting: false,
            },
            720.0,
        );
        assert!(html.contains(r#"data-testid="run-error""#), "{html}");
        assert!(html.contains("line 2, column 3"), "{html}");
    }
}
