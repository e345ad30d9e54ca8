//! The results area: one card per strategy (or per way of running CPU work), each with its
//! numbers, timeline and explanation, on one shared time axis.

use super::timeline::{timeline_svg, timeline_table};
use super::Html;
use crate::chart::{timeline, TimelineLayout, TimelineOptions};
use crate::cpu::CpuMode;
use crate::model::predict::{explain, results_order_note};
use crate::model::scenario::Strategy;
use crate::trace::replay::trace_at;
use crate::trace::report;
use crate::trace::results::{cpu_baseline, cpu_ideal_basis, CpuView, StrategyView};
use crate::trace::{GroupOutcome, Trace};
use crate::units::{fmt_ms, fmt_ratio, speedup};

/// Most rows a "timeline as a table" shows; the CSV export has them all.
pub const TABLE_ROWS: usize = 200;

/// What the legend under the comparison explains: every colour and mark of the timelines.
const LEGEND: &str = concat!(
    r#"<ul class="legend" aria-label="Legend">"#,
    r#"<li><span class="swatch bar-completed"></span>completed</li>"#,
    r#"<li><span class="swatch bar-pending"></span>waiting</li>"#,
    r#"<li><span class="swatch bar-failed"></span>failed</li>"#,
    r#"<li><span class="swatch bar-timed-out"></span>timed out</li>"#,
    r#"<li><span class="swatch bar-cancelled"></span>cancelled</li>"#,
    r#"<li><span class="swatch-dot"></span>result consumed</li>"#,
    r#"<li><span class="swatch bar-lag"></span>event loop late</li>"#,
    r#"<li><span class="swatch-line ideal"></span>ideal (predicted)</li>"#,
    r#"<li><span class="swatch-line end"></span>await continued (measured)</li>"#,
    "</ul>",
);

/// The event-loop results: the comparisons with the first strategy once the run is `done`, the
/// legend, then one card per strategy on one time axis. `cursor` is the replay position (`None`
/// shows everything recorded); `open_table(id)` says whether the reader opened that card's
/// table.
pub fn strategy_results(
    views: &[StrategyView],
    done: bool,
    cursor: Option<f64>,
    width: f64,
    open_table: &dyn Fn(&str) -> bool,
) -> String {
    let mut h = Html::new();
    h.open(
        "ul",
        &[
            ("class", Some("comparison")),
            ("data-testid", Some("comparison")),
        ],
    );
    if done {
        for c in comparisons(views) {
            h.el("li", &[], &c);
        }
    }
    h.close("ul");
    if !views.is_empty() {
        h.fixed(LEGEND);
    }
    // Shared axis: long enough for every strategy's ideal and measured time, so bar lengths
    // compare honestly across strategies and do not jump while the run grows.
    let domain = views
        .iter()
        .map(|v| v.ideal.settled_ms.max(v.now_ms))
        .fold(0.0, f64::max);
    for v in views {
        let (trace, now_ms) = at_cursor(&v.trace, v.now_ms, cursor);
        strategy_card(&mut h, v, &trace, now_ms, domain, width, open_table);
    }
    h.finish()
}

/// The CPU results: one card per way, on one time axis, each card's markup apart (the page sets
/// each card alone, so that a redraw while one way computes touches only the cards that
/// changed, most often that way's). Arguments as for [`strategy_results`].
pub fn cpu_cards(
    views: &[CpuView],
    cursor: Option<f64>,
    width: f64,
    open_table: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    // The one-worker run is the baseline: the whole job on one core, away from the page, warm
    // (start-up comes before each way's clock, shown apart, never folded into speedups).
    // Ideals come from the best warm one-thread pace measured (see `cpu_ideal_basis`).
    let baseline = cpu_baseline(views);
    let basis = cpu_ideal_basis(views);
    let domain = views.iter().map(|v| v.now_ms).fold(0.0, f64::max);
    views
        .iter()
        .map(|v| {
            let mut h = Html::new();
            let (trace, now_ms) = at_cursor(&v.trace, v.now_ms, cursor);
            cpu_card(
                &mut h,
                v,
                &trace,
                now_ms,
                (domain, width),
                (baseline, basis),
                open_table,
            );
            h.finish()
        })
        .collect()
}

/// The trace and the time as they were at the replay cursor, or as recorded.
fn at_cursor(trace: &Trace, now_ms: f64, cursor: Option<f64>) -> (Trace, f64) {
    match cursor {
        Some(t) => (trace_at(trace, t), now_ms.min(t)),
        None => (trace.clone(), now_ms),
    }
}

/// "2.0× faster than sequential …" for every strategy after the first.
fn comparisons(views: &[StrategyView]) -> Vec<String> {
    let Some(base) = views.first() else {
        return Vec::new();
    };
    let Some(base_ms) = base.trace.resumed_ms() else {
        return Vec::new();
    };
    views
        .iter()
        .skip(1)
        .filter_map(|v| {
            report::comparison(
                v.strategy,
                v.trace.resumed_ms()?,
                v.ideal.resumed_ms,
                base.strategy,
                base_ms,
                base.ideal.resumed_ms,
            )
        })
        .collect()
}

/// A card's state for tests and styling: cancelled, done, running or waiting.
pub(super) fn card_state(trace: &Trace, begun: bool) -> &'static str {
    if trace.cancelled {
        "cancelled"
    } else if trace.is_finished() {
        "done"
    } else if begun {
        "running"
    } else {
        "waiting"
    }
}

/// The measured time as the card shows it: final, so far, or not started.
fn measured_text(measured_ms: Option<f64>, begun: bool, now_ms: f64) -> String {
    match (measured_ms, begun) {
        (Some(v), _) => ms(v),
        (None, true) => format!("{} ms so far", fmt_ms(now_ms)),
        (None, false) => "not started".to_string(),
    }
}

pub(super) fn ms(v: f64) -> String {
    format!("{} ms", fmt_ms(v))
}

/// A number as a `data-ms` attribute: three decimals, read back by the tests.
pub(super) fn data_ms(v: f64) -> String {
    format!("{v:.3}")
}

/// The card's `<article>`, heading and "how each language spells it" list.
fn card_head(h: &mut Html, id: &str, state: &str, title: &str, spellings: &[(&str, String)]) {
    h.open(
        "article",
        &[
            ("class", Some("card strategy")),
            ("data-testid", Some(&format!("result-{id}"))),
            ("data-state", Some(state)),
        ],
    );
    h.el("h2", &[], title)
        .open("ul", &[("class", Some("spellings"))]);
    for (lang, code) in spellings {
        h.open("li", &[])
            .el("span", &[("class", Some("lang"))], lang)
            .el("code", &[], code)
            .close("li");
    }
    h.close("ul").open("dl", &[("class", Some("numbers"))]);
}

/// One number of the card: `<div><dt>term</dt><dd data-testid=… data-ms=…>text<small>note</small></dd></div>`.
/// A `testid` of `None` leaves the test id out; a `note` of `None` leaves `<small>` out.
pub(super) fn number(
    h: &mut Html,
    term: &str,
    testid: Option<String>,
    data_ms: Option<String>,
    text: &str,
    note: Option<String>,
) {
    h.open("div", &[]).el("dt", &[], term).open(
        "dd",
        &[
            ("data-testid", testid.as_deref()),
            ("data-ms", data_ms.as_deref()),
        ],
    );
    h.text(text);
    if let Some(note) = note {
        h.el("small", &[], &note);
    }
    h.close("dd").close("div");
}

/// A paragraph with a class and, when given, a test id.
pub(super) fn para(h: &mut Html, class: &str, testid: Option<String>, text: &str) {
    h.el(
        "p",
        &[("class", Some(class)), ("data-testid", testid.as_deref())],
        text,
    );
}

/// The card's timeline, its table and the end of the numbers list before them.
fn card_timeline(
    h: &mut Html,
    id: &str,
    title: &str,
    trace: &Trace,
    layout: &TimelineLayout,
    lag_ms: f64,
    open_table: &dyn Fn(&str) -> bool,
) {
    number(
        h,
        "Worst loop lag",
        Some(format!("lag-{id}")),
        Some(data_ms(lag_ms)),
        &ms(lag_ms),
        None,
    );
    h.close("dl");
    timeline_svg(h, layout, &format!("Timeline of {title}"));
    let rows = open_table(id).then(|| crate::trace::export::timeline_table(trace, TABLE_ROWS));
    timeline_table(h, id, rows);
}

/// The timeline laid out for a card whose chart box is `width` px wide.
pub(super) fn timeline_options(width: f64) -> TimelineOptions {
    TimelineOptions {
        width: crate::chart::fit_width(width),
        ..TimelineOptions::default()
    }
}

/// One strategy: measured vs ideal, its timeline and why it took that long.
fn strategy_card(
    h: &mut Html,
    view: &StrategyView,
    trace: &Trace,
    now_ms: f64,
    domain: f64,
    width: f64,
    open_table: &dyn Fn(&str) -> bool,
) {
    let id = view.strategy.id();
    let title = view.strategy.title();
    let ideal = &view.ideal;
    let stats = trace.stats();
    card_head(
        h,
        &id,
        card_state(trace, view.begun),
        &title,
        &view.strategy.spellings(),
    );
    number(
        h,
        "Await continued after",
        Some(format!("measured-{id}")),
        Some(stats.resumed_ms.map(data_ms).unwrap_or_default()),
        &measured_text(stats.resumed_ms, view.begun, now_ms),
        None,
    );
    number(
        h,
        "Ideal",
        Some(format!("ideal-{id}")),
        Some(data_ms(ideal.resumed_ms)),
        &ms(ideal.resumed_ms),
        None,
    );
    let overhead = stats
        .resumed_ms
        .filter(|_| !trace.cancelled)
        .map(|v| format!("{:+.1} ms", v - ideal.resumed_ms));
    number(
        h,
        "Overhead",
        None,
        None,
        overhead.as_deref().unwrap_or("—"),
        None,
    );
    // "All calls ended" matters only where calls outlive the await.
    let settles_later = ideal.settled_ms > ideal.resumed_ms
        || stats
            .elapsed_ms
            .zip(stats.resumed_ms)
            .is_some_and(|(e, r)| e > r + 1.0);
    if settles_later {
        number(
            h,
            "All calls ended",
            Some(format!("settled-{id}")),
            None,
            &stats.elapsed_ms.map(ms).unwrap_or_else(|| "—".into()),
            Some(format!(" ideal {}", ms(ideal.settled_ms))),
        );
    }
    if let Some(first) = ideal.first_consumed_ms {
        number(
            h,
            "First result consumed",
            Some(format!("first-consumed-{id}")),
            Some(stats.first_consumed_ms.map(data_ms).unwrap_or_default()),
            &stats
                .first_consumed_ms
                .map(ms)
                .unwrap_or_else(|| "—".into()),
            Some(format!(" ideal {}", ms(first))),
        );
    }
    number(
        h,
        "Timers pending at once",
        Some(format!("peak-{id}")),
        None,
        &stats.peak_in_flight.to_string(),
        None,
    );
    if stats.failed + stats.timed_out + stats.retries > 0 {
        number(
            h,
            "Failed · timed out · retries",
            Some(format!("errors-{id}")),
            None,
            &format!("{} · {} · {}", stats.failed, stats.timed_out, stats.retries),
            None,
        );
    }
    let layout = timeline(
        trace,
        domain,
        Some(ideal.resumed_ms),
        now_ms,
        &timeline_options(width),
    );
    card_timeline(h, &id, &title, trace, &layout, stats.max_lag_ms, open_table);
    if let Some(o) = report::outcome(view.strategy, trace) {
        para(h, "outcome", Some(format!("outcome-{id}")), &o);
    }
    para(h, "why", None, &explain(view.strategy, &view.plan));
    let order_note = results_order_note(&view.plan, &trace.completion_order)
        .filter(|_| view.strategy == Strategy::AllAtOnce { fail_fast: false });
    if let Some(n) = order_note {
        para(h, "order-note", Some("order-note".into()), &n);
    }
    if view.begun {
        let r = report::resources(view.strategy, trace);
        para(h, "resources", Some(format!("resources-{id}")), &r);
    }
    if trace.cancelled {
        para(
            h,
            "cancel-note",
            None,
            &format!(
                "Cancelled: {} completed, {} stopped while pending, {} never started.",
                stats.completed, stats.cancelled, stats.not_started,
            ),
        );
    }
    h.close("article");
}

/// One way of running the CPU work: measured vs ideal, speedup, the answer, its timeline.
fn cpu_card(
    h: &mut Html,
    view: &CpuView,
    trace: &Trace,
    now_ms: f64,
    // The shared time axis's end and the chart's width, px.
    (domain, width): (f64, f64),
    (baseline, basis): (Option<f64>, Option<f64>),
    open_table: &dyn Fn(&str) -> bool,
) {
    let id = view.plan.mode.id();
    let title = view.title();
    let ideal = view.ideal_ms(basis);
    let measured = trace.resumed_ms();
    let spellings: Vec<(&str, String)> = (view.plan.mode.spellings().into_iter())
        .map(|(lang, code)| (lang, code.to_string()))
        .collect();
    card_head(h, id, card_state(trace, view.begun), &title, &spellings);
    number(
        h,
        "Measured",
        Some(format!("measured-{id}")),
        Some(measured.map(data_ms).unwrap_or_default()),
        &measured_text(measured, view.begun, now_ms),
        None,
    );
    number(
        h,
        "Ideal",
        Some(format!("ideal-{id}")),
        None,
        &ideal
            .map(ms)
            .unwrap_or_else(|| "after the one-worker run".into()),
        None,
    );
    // A pipeline's time is mostly waiting: a speedup over pure computing would mislead.
    let compute_ms = measured;
    let all_completed = trace
        .resumed
        .as_ref()
        .is_some_and(|r| r.1 == GroupOutcome::AllCompleted);
    let speedup = baseline
        .filter(|_| view.plan.mode != CpuMode::Pipeline && all_completed)
        .zip(compute_ms)
        .and_then(|(b, m)| speedup(b, m))
        .map(fmt_ratio);
    number(
        h,
        "Speedup (computing only)",
        Some(format!("speedup-{id}")),
        None,
        speedup.as_deref().unwrap_or("—"),
        None,
    );
    let has_answer = view.spec.kernel.has_answer();
    if has_answer {
        number(
            h,
            "Answer",
            Some(format!("value-{id}")),
            None,
            &trace
                .value
                .map(|v| fmt_ms(v as f64))
                .unwrap_or_else(|| "—".into()),
            None,
        );
    }
    // Start-up came before the clock: shown apart, never in the measured time.
    match (trace.startup_ms, trace.warmup_ms) {
        (Some(s), warm) => number(
            h,
            "Start-up, before the clock",
            Some(format!("startup-{id}")),
            Some(data_ms(s)),
            &match warm.filter(|w| *w > 0.0) {
                Some(w) => format!("{} (warm-up {})", ms(s), ms(w)),
                None => ms(s),
            },
            None,
        ),
        (None, Some(w)) => number(
            h,
            "Warm-up, before the clock",
            Some(format!("startup-{id}")),
            Some(data_ms(w)),
            &ms(w),
            None,
        ),
        (None, None) => {}
    }
    let stats = trace.stats();
    let layout = timeline(trace, domain, ideal, now_ms, &timeline_options(width));
    card_timeline(h, id, &title, trace, &layout, stats.max_lag_ms, open_table);
    if let Some(o) = crate::trace::report::cpu_outcome(trace, has_answer) {
        para(h, "outcome", Some(format!("outcome-{id}")), &o);
    }
    if let Some(e) = &trace.error {
        para(h, "cancel-note", Some(format!("error-{id}")), e);
    }
    para(
        h,
        "why",
        None,
        &crate::trace::report::cpu_explain(&view.spec, view.plan.mode, view.cores),
    );
    h.close("article");
}
