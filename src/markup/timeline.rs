//! A timeline layout drawn as SVG, and the same trace as a table for readers who cannot see it.

use super::{px, Html};
use crate::chart::{Bar, LaneLabel, TimelineLayout};
use crate::trace::export::TableRow;

/// Draws a computed [`TimelineLayout`]; no decisions here. `label` names the chart for screen
/// readers ("Timeline of Sequential awaits").
pub fn timeline_svg(h: &mut Html, layout: &TimelineLayout, label: &str) {
    let (x0, x1) = layout.plot_x;
    let (top_y, axis_y) = (layout.top_y, layout.axis_y);
    h.open(
        "svg",
        &[
            ("class", Some("timeline")),
            ("data-export-chart", Some("")),
            (
                "viewBox",
                Some(&format!("0 0 {} {}", layout.width, px(layout.height))),
            ),
            ("role", Some("img")),
            ("aria-label", Some(label)),
        ],
    );
    h.el("title", &[], label);
    for lane in &layout.lanes {
        lane_label(h, x0, lane);
    }
    for bar in &layout.bars {
        rect(h, bar);
    }
    if let Some((label, bars)) = &layout.lag_row {
        lane_label(h, x0, label);
        for bar in bars {
            rect(h, bar);
        }
    }
    for &(x, y) in &layout.consumed {
        h.shape(
            "circle",
            &[
                ("class", Some("consumed")),
                ("cx", Some(&px(x))),
                ("cy", Some(&px(y))),
                ("r", Some("2.5")),
            ],
        );
    }
    line(h, "axis", (x0, x1), (axis_y, axis_y));
    for t in &layout.ticks {
        line(h, "tick", (t.x, t.x), (axis_y, axis_y + 4.0));
        label_at(h, "tick-label", t.x, axis_y + 16.0, "middle", &t.label);
    }
    label_at(h, "axis-unit", x0 - 6.0, axis_y + 16.0, "end", "ms");
    if let Some(x) = layout.ideal_x {
        let (lx, anchor) = if layout.ideal_label_left {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        line(h, "ideal", (x, x), (top_y - 2.0, axis_y));
        label_at(
            h,
            "marker-label ideal-label",
            lx,
            top_y - 4.0,
            anchor,
            "ideal",
        );
    }
    if let Some(x) = layout.resumed_x {
        line(h, "end", (x, x), (top_y, axis_y));
    }
    h.close("svg");
}

/// `<line class=…>` from (x1, x2) and (y1, y2).
pub(super) fn line(h: &mut Html, class: &str, (x1, x2): (f64, f64), (y1, y2): (f64, f64)) {
    h.shape(
        "line",
        &[
            ("class", Some(class)),
            ("x1", Some(&px(x1))),
            ("x2", Some(&px(x2))),
            ("y1", Some(&px(y1))),
            ("y2", Some(&px(y2))),
        ],
    );
}

/// `<text class=… x y text-anchor>`; an anchor of `""` leaves the default (start).
pub(super) fn label_at(h: &mut Html, class: &str, x: f64, y: f64, anchor: &str, text: &str) {
    h.el(
        "text",
        &[
            ("class", Some(class)),
            ("x", Some(&px(x))),
            ("y", Some(&px(y))),
            ("text-anchor", (!anchor.is_empty()).then_some(anchor)),
        ],
        text,
    );
}

fn lane_label(h: &mut Html, x0: f64, lane: &LaneLabel) {
    label_at(h, "lane-label", x0 - 6.0, lane.y, "end", &lane.text);
}

fn rect(h: &mut Html, b: &Bar) {
    h.open(
        "rect",
        &[
            ("class", Some(&format!("bar bar-{}", b.state.class()))),
            ("x", Some(&px(b.x))),
            ("y", Some(&px(b.y))),
            ("width", Some(&px(b.width))),
            ("height", Some(&px(b.height))),
            ("rx", Some("2")),
        ],
    );
    h.el("title", &[], &b.title).close("rect");
}

/// The timeline as a table, in a `<details>` box: the rows only when `open` (a live run would
/// otherwise redraw hundreds of rows every frame). `rows` and `left_out` come from
/// [`crate::trace::export::timeline_table`], run only when the box is open.
pub fn timeline_table(h: &mut Html, id: &str, open: Option<(Vec<TableRow>, usize)>) {
    h.open(
        "details",
        &[
            ("class", Some("timeline-table")),
            ("data-testid", Some(&format!("table-{id}"))),
            ("data-table", Some(id)),
            ("open", open.is_some().then_some("")),
        ],
    );
    h.el("summary", &[], "Timeline as a table");
    if let Some((rows, left_out)) = open {
        h.open("table", &[("class", Some("numbers-table"))])
            .open("thead", &[])
            .open("tr", &[]);
        for head in ["Task", "Lane", "Start", "End", "Took", "Outcome"] {
            h.el("th", &[("scope", Some("col"))], head);
        }
        h.close("tr").close("thead").open("tbody", &[]);
        for r in rows {
            h.open("tr", &[])
                .el("th", &[("scope", Some("row"))], &r.task);
            for cell in [&r.lane, &r.start, &r.end, &r.duration, &r.outcome] {
                h.el("td", &[], cell);
            }
            h.close("tr");
        }
        h.close("tbody").close("table");
        if left_out > 0 {
            h.el(
                "p",
                &[("class", Some("resources"))],
                &format!("{left_out} more rows are left out here; the CSV download has every row."),
            );
        }
    }
    h.close("details");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{timeline, TimelineOptions};
    use crate::trace::{Outcome, Trace};

    fn two_tasks() -> Trace {
        let mut t = Trace::new(2);
        t.start(0, 0, 0, 0.0);
        t.end(0, 100.0, Outcome::Completed);
        t.start(1, 0, 0, 100.0);
        t.end(1, 300.0, Outcome::Completed);
        t
    }

    #[test]
    fn a_timeline_draws_one_bar_per_span_with_its_lanes_ticks_and_ideal() {
        let trace = two_tasks();
        let layout = timeline(
            &trace,
            300.0,
            Some(300.0),
            300.0,
            &TimelineOptions::default(),
        );
        let mut h = Html::new();
        timeline_svg(&mut h, &layout, "Timeline of <Sequential>");
        let svg = h.finish();
        assert!(svg.starts_with("<svg class=\"timeline\" data-export-chart=\"\" viewBox=\"0 0 "));
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert_eq!(svg.matches("<rect ").count(), layout.bars.len(), "{svg}");
        assert_eq!(svg.matches("class=\"tick\"").count(), layout.ticks.len());
        assert!(
            svg.contains("aria-label=\"Timeline of &lt;Sequential&gt;\""),
            "{svg}"
        );
        assert!(
            svg.contains(">ideal</text>"),
            "the ideal line is labelled: {svg}"
        );
    }

    #[test]
    fn a_closed_table_has_no_rows_and_an_open_one_has_every_row_given() {
        let mut h = Html::new();
        timeline_table(&mut h, "sequential", None);
        let closed = h.finish();
        assert!(!closed.contains("<table"), "{closed}");
        assert!(!closed.contains(" open"), "{closed}");

        let rows = crate::trace::export::timeline_table(&two_tasks(), 1);
        let mut h = Html::new();
        timeline_table(&mut h, "sequential", Some(rows));
        let open = h.finish();
        assert!(open.contains("data-testid=\"table-sequential\""), "{open}");
        assert!(open.contains(" open=\"\""), "{open}");
        assert_eq!(open.matches("<th scope=\"row\">").count(), 1, "{open}");
        assert!(open.contains("1 more rows are left out here"), "{open}");
    }
}
