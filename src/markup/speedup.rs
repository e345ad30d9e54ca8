//! The speedup curve: measured times on 1, 2, … workers against the ideal line and Amdahl's
//! law, and the numbers as a table for screen readers.

use super::timeline::{label_at, line};
use super::{px, Html};
use crate::chart::fit_width;
use crate::chart::speedup::{speedup, speedup_layout, CurvePoint, SpeedupOptions};
use crate::units::{fmt_ms, fmt_ratio};

const LEGEND: &str = concat!(
    r#"<ul class="legend">"#,
    r#"<li><span class="swatch-line measured"></span>measured</li>"#,
    r#"<li><span class="swatch-line ideal"></span>ideal (×workers)</li>"#,
    r#"<li><span class="swatch-line amdahl"></span>Amdahl's law</li>"#,
    r#"<li><span class="swatch-line cores"></span>cores reported</li>"#,
    "</ul>",
);

/// The chart, its legend, a one-line summary and the table. `serial` is Amdahl's serial
/// fraction (0–1); `cores` what the browser reports; `width` the chart's box, px.
pub fn speedup_chart(points: &[CurvePoint], serial: f64, cores: u32, width: f64) -> String {
    let baseline = points.iter().find(|c| c.workers == 1).map(|c| c.ms);
    let l = speedup_layout(
        points,
        baseline.unwrap_or(0.0),
        serial,
        cores,
        &SpeedupOptions {
            width: fit_width(width),
            ..SpeedupOptions::default()
        },
    );
    let (x0, x1) = l.plot_x;
    let (y0, y1) = l.plot_y;
    let mut h = Html::new();
    h.open(
        "svg",
        &[
            ("class", Some("speedup")),
            ("data-testid", Some("speedup-chart")),
            ("viewBox", Some(&format!("0 0 {} {}", l.width, l.height))),
            ("role", Some("img")),
            ("aria-label", Some(&l.summary)),
        ],
    );
    line(&mut h, "axis", (x0, x1), (y1, y1));
    line(&mut h, "axis", (x0, x0), (y0, y1));
    for t in &l.x_ticks {
        label_at(&mut h, "tick-label", t.x, y1 + 16.0, "middle", &t.label);
    }
    for t in &l.y_ticks {
        label_at(&mut h, "tick-label", x0 - 6.0, t.x + 3.0, "end", &t.label);
    }
    label_at(&mut h, "axis-unit", x1, y1 + 32.0, "end", "workers");
    polyline(&mut h, "ideal-line", l.ideal.iter().copied());
    polyline(&mut h, "amdahl-line", l.amdahl.iter().copied());
    if let Some(x) = l.cores_x {
        line(&mut h, "cores", (x, x), (y0, y1));
        let (lx, anchor) = if l.cores_label_left {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "")
        };
        label_at(
            &mut h,
            "marker-label",
            lx,
            y0 + 10.0,
            anchor,
            "cores reported",
        );
    }
    polyline(
        &mut h,
        "measured-line",
        l.measured.iter().map(|m| (m.0, m.1)),
    );
    for (x, y, title) in &l.measured {
        h.open(
            "circle",
            &[
                ("class", Some("measured-point")),
                ("cx", Some(&px(*x))),
                ("cy", Some(&px(*y))),
                ("r", Some("4")),
            ],
        );
        h.el("title", &[], title).close("circle");
    }
    h.close("svg").fixed(LEGEND);
    h.el(
        "p",
        &[
            ("class", Some("outcome")),
            ("data-testid", Some("speedup-summary")),
        ],
        &l.summary,
    );
    h.open(
        "table",
        &[
            ("class", Some("numbers-table")),
            ("data-testid", Some("speedup-table")),
        ],
    );
    h.el("caption", &[], "Measured times")
        .open("thead", &[])
        .open("tr", &[]);
    for head in ["Workers", "Time (ms)", "Speedup"] {
        h.el("th", &[], head);
    }
    h.close("tr").close("thead").open("tbody", &[]);
    for c in points {
        let sp = baseline
            .and_then(|b| speedup(b, c.ms))
            .map(fmt_ratio)
            .unwrap_or_default();
        h.open("tr", &[])
            .el("td", &[], &c.workers.to_string())
            .el("td", &[], &fmt_ms(c.ms))
            .el("td", &[], &sp)
            .close("tr");
    }
    h.close("tbody").close("table");
    h.finish()
}

fn polyline(h: &mut Html, class: &str, points: impl Iterator<Item = (f64, f64)>) {
    let points: Vec<String> = points
        .map(|(x, y)| format!("{},{}", px(x), px(y)))
        .collect();
    h.shape(
        "polyline",
        &[("class", Some(class)), ("points", Some(&points.join(" ")))],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_has_a_point_and_a_table_row_per_measurement() {
        let points = [
            CurvePoint {
                workers: 1,
                ms: 1000.0,
            },
            CurvePoint {
                workers: 2,
                ms: 520.0,
            },
        ];
        let html = speedup_chart(&points, 0.05, 2, 720.0);
        assert_eq!(html.matches("<circle ").count(), 2, "{html}");
        assert_eq!(html.matches("<tr><td>").count(), 2, "{html}");
        assert!(html.contains("<td>1.9×</td>"), "{html}");
        assert!(html.contains("data-testid=\"speedup-summary\""), "{html}");
    }

    #[test]
    fn the_cores_label_is_drawn_left_of_a_marker_at_the_right_edge() {
        let points: Vec<CurvePoint> = (1..=4)
            .map(|workers| CurvePoint { workers, ms: 100.0 })
            .collect();
        let edge = speedup_chart(&points, 0.05, 4, 318.0);
        assert!(
            edge.contains("text-anchor=\"end\">cores reported</text>"),
            "{edge}"
        );
        let inside = speedup_chart(&points, 0.05, 2, 318.0);
        assert!(
            inside.contains("\">cores reported</text>") && !inside.contains("end\">cores"),
            "{inside}"
        );
        assert!(
            inside.contains("viewBox=\"0 0 318 300\""),
            "laid out at its width"
        );
    }

    #[test]
    fn an_empty_curve_draws_axes_and_an_empty_table() {
        let html = speedup_chart(&[], 0.05, 2, 720.0);
        assert!(html.contains("<tbody></tbody>"), "{html}");
        assert!(!html.contains("<circle"), "{html}");
    }
}
