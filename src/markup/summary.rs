//! The summary's comparison chart (each way's measured total, the ideal marked) and the same
//! numbers as a table.

use super::timeline::{label_at, line};
use super::{px, Html};
use crate::chart::comparison::ComparisonLayout;
use crate::trace::export::SummaryRow;
use crate::units::fmt_ms;

/// Draws a computed [`ComparisonLayout`]; no decisions here.
pub fn comparison_svg(l: &ComparisonLayout) -> String {
    let (x0, x1) = l.plot_x;
    let mut h = Html::new();
    h.open(
        "svg",
        &[
            ("class", Some("comparison-chart")),
            ("data-testid", Some("comparison-chart")),
            ("data-export-chart", Some("")),
            (
                "viewBox",
                Some(&format!("0 0 {} {}", l.width, px(l.height))),
            ),
            ("role", Some("img")),
            ("aria-labelledby", Some("summary-title")),
        ],
    );
    h.el(
        "title",
        &[],
        "Measured total of each way, with the ideal marked",
    );
    for b in &l.bars {
        let (nx, ny) = b.name_at;
        let anchor = if l.names_above { "" } else { "end" };
        label_at(&mut h, "cmp-label", nx, ny, anchor, &b.name);
        h.open(
            "rect",
            &[
                ("class", Some("bar bar-completed")),
                ("x", Some(&px(x0))),
                ("y", Some(&px(b.y))),
                ("width", Some(&px(b.width.max(1.0)))),
                ("height", Some("18")),
                ("rx", Some("2")),
            ],
        );
        h.el("title", &[], &b.title).close("rect");
        if let Some(x) = b.ideal_x {
            line(&mut h, "ideal", (x, x), (b.y - 3.0, b.y + 21.0));
        }
        let (vx, vy) = b.value_at;
        label_at(&mut h, "cmp-label", vx, vy, "", &b.value);
    }
    line(&mut h, "axis", (x0, x1), (l.axis_y, l.axis_y));
    for t in &l.ticks {
        label_at(
            &mut h,
            "tick-label",
            t.x,
            l.axis_y + 16.0,
            "middle",
            &t.label,
        );
    }
    label_at(&mut h, "axis-unit", x0 - 6.0, l.axis_y + 16.0, "end", "ms");
    h.close("svg");
    h.finish()
}

/// The chart's numbers as table rows (the `<tbody>`'s content): measured, ideal and compared
/// with the baseline, each row with its test id.
pub fn summary_table(rows: &[SummaryRow]) -> String {
    let ms = |v: Option<f64>| {
        v.map(|v| format!("{} ms", fmt_ms(v)))
            .unwrap_or_else(|| "—".into())
    };
    let mut h = Html::new();
    for r in rows {
        h.open("tr", &[("data-testid", Some(&format!("summary-{}", r.id)))])
            .el("th", &[("scope", Some("row"))], &r.name);
        let data_ms = r.measured_ms.map(|v| format!("{v:.3}")).unwrap_or_default();
        h.el("td", &[("data-ms", Some(&data_ms))], &ms(r.measured_ms))
            .el("td", &[], &ms(r.ideal_ms))
            .el("td", &[], r.vs_baseline.as_deref().unwrap_or("—"))
            .close("tr");
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::comparison::{comparison, ComparisonInput, ComparisonOptions};

    #[test]
    fn the_comparison_chart_has_a_bar_and_an_ideal_mark_per_way() {
        let input = [
            ComparisonInput {
                name: "Sequential <awaits>".into(),
                measured_ms: Some(5000.0),
                ideal_ms: Some(5000.0),
            },
            ComparisonInput {
                name: "All at once".into(),
                measured_ms: Some(510.0),
                ideal_ms: Some(500.0),
            },
        ];
        let svg = comparison_svg(&comparison(&input, &ComparisonOptions::default()));
        assert_eq!(svg.matches("<rect ").count(), 2, "{svg}");
        assert_eq!(svg.matches("class=\"ideal\"").count(), 2, "{svg}");
        assert!(svg.contains(">Sequential &lt;awaits&gt;</text>"), "{svg}");
    }

    #[test]
    fn on_a_phone_names_are_drawn_from_the_left_above_their_bars() {
        let input = [ComparisonInput {
            name: "Sequential awaits".into(),
            measured_ms: Some(5000.0),
            ideal_ms: None,
        }];
        let opts = ComparisonOptions {
            width: 318.0,
            ..ComparisonOptions::default()
        };
        let svg = comparison_svg(&comparison(&input, &opts));
        assert!(
            svg.contains(
                "<text class=\"cmp-label\" x=\"24.0\" y=\"20.0\">Sequential awaits</text>"
            ),
            "{svg}"
        );
        assert!(
            svg.contains("<rect class=\"bar bar-completed\" x=\"24.0\" y=\"28.0\""),
            "{svg}"
        );
    }

    #[test]
    fn a_summary_row_without_a_measurement_shows_a_dash() {
        let rows = [SummaryRow {
            id: "sequential".into(),
            name: "Sequential".into(),
            measured_ms: None,
            ideal_ms: Some(5000.0),
            vs_baseline: None,
        }];
        assert_eq!(
            summary_table(&rows),
            "<tr data-testid=\"summary-sequential\"><th scope=\"row\">Sequential</th>\
             <td data-ms=\"\">—</td><td>5,000 ms</td><td>—</td></tr>"
        );
    }
}
