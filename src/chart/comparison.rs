//! The comparison chart: one horizontal bar per strategy for its measured total, the ideal
//! (predicted) total marked on it, and how it compares with the baseline, on one shared axis.
//! Pure layout (d3-scale style); the page only draws it.

use crate::chart::{nice_ticks, LinearScale, Tick};
use crate::trace::report::against_baseline;
use crate::units::fmt_ms;

/// One strategy's totals, in ms.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonInput {
    /// Strategy name as the page shows it.
    pub name: String,
    /// Measured total; `None` when it did not finish (cancelled, not run yet).
    pub measured_ms: Option<f64>,
    /// Predicted (ideal) total; `None` when unknown.
    pub ideal_ms: Option<f64>,
}

/// Options of [`comparison`]. Defaults fit a 720 px wide card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComparisonOptions {
    /// Total width in px. Default 720.
    pub width: f64,
    /// Height of one bar in px. Default 18.
    pub bar_height: f64,
    /// Gap between bars in px. Default 10.
    pub gap: f64,
    /// Room for names on the left, px; longer names are shortened with "…" (the full name is
    /// in the bar's title). Default 240.
    pub margin_left: f64,
    /// Room on the right for the value label, px. Default 150.
    pub margin_right: f64,
    /// Room above the bars, px. Default 8.
    pub margin_top: f64,
    /// Room for the axis, px. Default 28.
    pub axis_height: f64,
}

impl Default for ComparisonOptions {
    fn default() -> Self {
        ComparisonOptions {
            width: 720.0,
            bar_height: 18.0,
            gap: 10.0,
            margin_left: 240.0,
            margin_right: 150.0,
            margin_top: 8.0,
            axis_height: 28.0,
        }
    }
}

/// One row of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonBar {
    /// Top of the bar.
    pub y: f64,
    /// Width of the measured bar (0 when not measured).
    pub width: f64,
    /// Where the ideal marker goes, if known.
    pub ideal_x: Option<f64>,
    /// The strategy's name, drawn left of the bar (above it when [`ComparisonLayout::names_above`]).
    pub name: String,
    /// Where the name's text is anchored: its end, or its start when the names are above.
    pub name_at: (f64, f64),
    /// "5,004 ms · baseline" / "505 ms · 9.9× faster", drawn right of the bar (after the name
    /// when the names are above).
    pub value: String,
    /// Where the value label starts (x, baseline): right of the bar and of the ideal marker, so
    /// the marker never crosses the text.
    pub value_at: (f64, f64),
    /// Tooltip and accessible text: measured, ideal and comparison in one sentence.
    pub title: String,
}

/// A computed comparison chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonLayout {
    /// Total width and height, px.
    pub width: f64,
    /// Total height, px.
    pub height: f64,
    /// Left and right ends of the plot area, px.
    pub plot_x: (f64, f64),
    /// Where the time axis is drawn.
    pub axis_y: f64,
    /// One per input row, in order.
    pub bars: Vec<ComparisonBar>,
    /// Axis ticks.
    pub ticks: Vec<Tick>,
    /// Whether the names are drawn above their bars (a box under [`NARROW_WIDTH`]) rather than
    /// in a column at the left.
    pub names_above: bool,
}

/// Below this width, px, the names and values go above the bars: beside the 240 px name column
/// and the 150 px one for values, the bars of a phone's chart would have no room left.
pub const NARROW_WIDTH: f64 = 600.0;

/// Lays out `rows` on one axis from 0 to the longest measured or ideal time. The first row is
/// the baseline the others are compared with. Under [`NARROW_WIDTH`] the names and values go
/// above the bars, which then span nearly the whole width.
pub fn comparison(rows: &[ComparisonInput], opts: &ComparisonOptions) -> ComparisonLayout {
    let max = rows
        .iter()
        .flat_map(|r| [r.measured_ms, r.ideal_ms])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let domain = if max > 0.0 { max } else { 1.0 };
    let names_above = opts.width < NARROW_WIDTH;
    // Narrow: the bars span the box less room for the axis's unit on the left and for half a
    // tick label on the right, and a name has the whole width.
    let (left, right, room) = if names_above {
        (24.0, 24.0, opts.width - 24.0)
    } else {
        (opts.margin_left, opts.margin_right, opts.margin_left - 12.0)
    };
    let plot_x = (left, opts.width - right);
    let x = LinearScale::new((0.0, domain), plot_x);
    let base = rows.first().and_then(|r| r.measured_ms);
    // The top of the next row.
    let mut y = opts.margin_top;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let measured = r.measured_ms.filter(|v| v.is_finite() && *v >= 0.0);
            let vs = against_baseline(i == 0, base, measured);
            let shown = measured
                .map(|m| format!("{} ms", fmt_ms(m)))
                .unwrap_or_else(|| "not measured".into());
            let value = match &vs {
                Some(v) => format!("{shown} · {v}"),
                None => shown.clone(),
            };
            let ideal = r
                .ideal_ms
                .map(|v| format!(", ideal {} ms", fmt_ms(v)))
                .unwrap_or_default();
            let vs_text = vs.map(|v| format!(" ({v})")).unwrap_or_default();
            let width = measured.map(|m| x.apply(m) - left).unwrap_or(0.0);
            let ideal_x = r.ideal_ms.filter(|v| v.is_finite()).map(|v| x.apply(v));
            let name = fit(&r.name, room);
            let (name_at, value_at) = if names_above {
                // A line above the bar: the name, then the value, which goes on a second
                // line when both do not fit on one.
                let after = left + (name.chars().count() + 2) as f64 * CHAR_PX;
                let name_y = y + 12.0;
                if after + value.chars().count() as f64 * CHAR_PX > opts.width {
                    ((left, name_y), (left, name_y + 16.0))
                } else {
                    ((left, name_y), (after, name_y))
                }
            } else {
                // Right of the bar and of the ideal marker, so the marker never crosses it.
                let value_x = ideal_x.unwrap_or(0.0).max(left + width) + 8.0;
                ((left - 8.0, y + 13.0), (value_x, y + 13.0))
            };
            // Narrow, the bar starts 8 px under the last line's baseline (its ideal marker
            // reaches 3 px above it).
            let top = if names_above { value_at.1 + 8.0 } else { y };
            y = top + opts.bar_height + opts.gap;
            ComparisonBar {
                y: top,
                width,
                ideal_x,
                name,
                name_at,
                value,
                value_at,
                title: format!("{}: {shown}{ideal}{vs_text}", r.name),
            }
        })
        .collect();
    let axis_y = y;
    let ticks = nice_ticks(0.0, domain, 6)
        .into_iter()
        .map(|v| Tick {
            x: x.apply(v),
            label: fmt_ms(v),
        })
        .collect();
    ComparisonLayout {
        width: opts.width,
        height: axis_y + opts.axis_height,
        plot_x,
        axis_y,
        bars,
        ticks,
        names_above,
    }
}

/// Average width of a character of the 12 px label font, px (a measured guess: the SVG is
/// laid out without a DOM to measure text in).
const CHAR_PX: f64 = 6.6;

/// `name`, shortened with "…" so that it fits in `width_px`.
fn fit(name: &str, width_px: f64) -> String {
    let max = (width_px / CHAR_PX).floor().max(2.0) as usize;
    if name.chars().count() <= max {
        return name.to_string();
    }
    let kept: String = name.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, measured: Option<f64>, ideal: Option<f64>) -> ComparisonInput {
        ComparisonInput {
            name: name.into(),
            measured_ms: measured,
            ideal_ms: ideal,
        }
    }

    #[test]
    fn bars_share_one_axis_so_lengths_compare_honestly() {
        let l = comparison(
            &[
                row("Sequential", Some(5000.0), Some(5000.0)),
                row("All at once", Some(500.0), Some(500.0)),
            ],
            &ComparisonOptions::default(),
        );
        let (a, b) = (&l.bars[0], &l.bars[1]);
        assert!(
            (a.width / b.width - 10.0).abs() < 1e-9,
            "5000 ms is drawn ten times as long as 500 ms: {} vs {}",
            a.width,
            b.width
        );
        assert_eq!(
            a.width,
            l.plot_x.1 - l.plot_x.0,
            "the longest fills the plot"
        );
    }

    #[test]
    fn the_first_row_is_the_baseline_and_the_others_say_how_they_compare() {
        let l = comparison(
            &[
                row("Sequential", Some(5004.0), Some(5000.0)),
                row("All at once", Some(505.0), Some(500.0)),
            ],
            &ComparisonOptions::default(),
        );
        assert_eq!(l.bars[0].value, "5,004 ms · baseline");
        assert_eq!(l.bars[1].value, "505 ms · 9.9× faster");
        assert_eq!(
            l.bars[1].title,
            "All at once: 505 ms, ideal 500 ms (9.9× faster)"
        );
    }

    #[test]
    fn the_ideal_marker_sits_where_the_ideal_time_is() {
        let l = comparison(
            &[
                row("A", Some(1000.0), Some(1000.0)),
                row("B", Some(800.0), Some(500.0)),
            ],
            &ComparisonOptions::default(),
        );
        let mid = (l.plot_x.0 + l.plot_x.1) / 2.0;
        assert!((l.bars[1].ideal_x.unwrap() - mid).abs() < 1e-9);
    }

    #[test]
    fn the_value_label_starts_right_of_the_ideal_marker_when_the_marker_is_further() {
        let l = comparison(
            &[
                row("A", Some(1000.0), Some(1000.0)),
                row("B", Some(500.0), Some(800.0)),
            ],
            &ComparisonOptions::default(),
        );
        let b = &l.bars[1];
        assert!(b.value_at.0 > b.ideal_x.unwrap(), "past the marker");
        assert!(b.value_at.0 > l.plot_x.0 + b.width, "past the bar");
    }

    #[test]
    fn an_unmeasured_row_has_no_bar_and_says_so() {
        let l = comparison(
            &[row("A", None, Some(100.0)), row("B", None, None)],
            &ComparisonOptions::default(),
        );
        assert_eq!(l.bars[0].width, 0.0);
        assert_eq!(l.bars[1].value, "not measured");
        assert!(l.bars[1].ideal_x.is_none());
        assert!(l.height > l.axis_y, "room for the axis");
    }

    #[test]
    fn a_long_name_is_shortened_to_fit_and_kept_whole_in_the_title() {
        let long = "2 workers, shared queue of chunks (partitioner) and then some";
        let opts = ComparisonOptions::default();
        let l = comparison(&[row(long, Some(100.0), None)], &opts);
        let shown = &l.bars[0].name;
        assert!(shown.ends_with('…'), "shortened: {shown}");
        assert!(
            shown.chars().count() as f64 * CHAR_PX <= opts.margin_left - 12.0,
            "fits left of the plot: {shown}"
        );
        assert!(
            l.bars[0].title.starts_with(long),
            "the title keeps the whole name"
        );
        let short = comparison(&[row("Sequential awaits", Some(1.0), None)], &opts);
        assert_eq!(
            short.bars[0].name, "Sequential awaits",
            "a short name is left alone"
        );
    }

    #[test]
    fn no_rows_give_an_empty_chart_without_dividing_by_zero() {
        let l = comparison(&[], &ComparisonOptions::default());
        assert!(l.bars.is_empty());
        assert!(l.ticks.iter().all(|t| t.x.is_finite()));
    }

    /// The chart's box on a 390 px phone: the column less the page's and the card's padding.
    const PHONE: f64 = 390.0 - 32.0 - 2.0 * (1.2 * 16.0 + 1.0);

    fn phone() -> ComparisonOptions {
        ComparisonOptions {
            width: crate::chart::fit_width(PHONE),
            ..ComparisonOptions::default()
        }
    }

    fn phone_rows() -> Vec<ComparisonInput> {
        vec![
            row("Sequential awaits", Some(5004.0), Some(5000.0)),
            row(
                "First wins (the rest are cancelled)",
                Some(12_345.0),
                Some(100.0),
            ),
            row("All at once (wait for all)", Some(505.0), Some(500.0)),
            row("Throttled: at most 2 in flight", None, Some(2500.0)),
        ]
    }

    #[test]
    fn a_comparison_at_390_px_keeps_every_label_inside_the_box() {
        let l = comparison(&phone_rows(), &phone());
        let w = |t: &str| t.chars().count() as f64 * CHAR_PX;
        assert!(
            l.names_above,
            "a phone's chart has no room for a name column"
        );
        for b in &l.bars {
            let (x, y) = b.name_at;
            assert!(x >= 0.0 && x + w(&b.name) <= l.width, "name {:?}", b.name);
            assert!(
                !b.name.ends_with('…'),
                "room for the whole name: {}",
                b.name
            );
            assert!(y - 12.0 >= 0.0, "name {:?} below the top", b.name);
            let (x, _) = b.value_at;
            assert!(
                x >= 0.0 && x + w(&b.value) <= l.width,
                "value {:?}",
                b.value
            );
            assert!(
                l.plot_x.0 + b.width <= l.plot_x.1 + 1e-9,
                "bar inside the plot"
            );
        }
        for t in &l.ticks {
            let half = w(&t.label) / 2.0;
            assert!(
                t.x - half >= 0.0 && t.x + half <= l.width,
                "tick {}",
                t.label
            );
        }
        assert!(
            l.plot_x.0 - 6.0 - w("ms") >= 0.0,
            "the unit left of the axis"
        );
        assert!(l.height >= l.axis_y + 16.0, "the tick labels inside");
        assert!(
            l.plot_x.1 - l.plot_x.0 > l.width * 0.8,
            "the bars keep most of the width: {:?} of {}",
            l.plot_x,
            l.width
        );
    }

    #[test]
    fn on_a_phone_a_value_follows_its_name_or_goes_under_it_when_both_do_not_fit() {
        let l = comparison(&phone_rows(), &phone());
        let short = &l.bars[0];
        assert_eq!(
            short.value_at.1, short.name_at.1,
            "one line: {}",
            short.name
        );
        assert!(
            short.value_at.0 > short.name_at.0 + CHAR_PX * 17.0,
            "after the name"
        );
        let long = &l.bars[1];
        assert_eq!(
            long.value_at,
            (long.name_at.0, long.name_at.1 + 16.0),
            "{}",
            long.name
        );
    }

    #[test]
    fn on_a_phone_each_label_sits_above_its_bar_clear_of_the_row_before() {
        let l = comparison(&phone_rows(), &phone());
        let mut above = 0.0;
        for b in &l.bars {
            // A label's letters reach about 12 px above its baseline and 4 below; the ideal
            // marker 3 px above a bar's top and 21 below.
            assert!(
                b.name_at.1 - 12.0 > above,
                "{:?} clears the row above",
                b.name
            );
            assert!(
                b.value_at.1.max(b.name_at.1) + 4.0 < b.y - 3.0,
                "{:?} above its bar",
                b.name
            );
            above = b.y + 21.0;
        }
        assert!(l.axis_y > above, "the axis below the last bar");
        let (a, c) = (&l.bars[0], &l.bars[2]);
        assert!(
            (a.width / c.width - 5004.0 / 505.0).abs() < 1e-9,
            "the bars still share one axis"
        );
    }

    #[test]
    fn a_wide_comparison_keeps_its_name_column_and_its_room_for_values() {
        for width in [600.0, 720.0, 1200.0] {
            let opts = ComparisonOptions {
                width,
                ..ComparisonOptions::default()
            };
            let l = comparison(&phone_rows(), &opts);
            assert!(!l.names_above, "{width} px: names in a column");
            assert_eq!(l.plot_x, (240.0, width - 150.0), "{width} px");
            let b = &l.bars[1];
            assert_eq!(b.y, 8.0 + 28.0, "{width} px: rows 28 px apart");
            assert_eq!(
                b.name_at,
                (232.0, b.y + 13.0),
                "{width} px: name left of its bar"
            );
            assert_eq!(b.value_at.1, b.y + 13.0, "{width} px: value right of it");
        }
    }
}
