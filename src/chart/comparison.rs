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
    /// The strategy's name, drawn left of the bar.
    pub name: String,
    /// "5,004 ms · baseline" / "505 ms · 9.9× faster", drawn right of the bar.
    pub value: String,
    /// Where the value label starts: right of the bar and of the ideal marker, so the marker
    /// never crosses the text.
    pub value_x: f64,
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
}

/// Lays out `rows` on one axis from 0 to the longest measured or ideal time. The first row is
/// the baseline the others are compared with.
pub fn comparison(rows: &[ComparisonInput], opts: &ComparisonOptions) -> ComparisonLayout {
    let max = rows
        .iter()
        .flat_map(|r| [r.measured_ms, r.ideal_ms])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let domain = if max > 0.0 { max } else { 1.0 };
    let plot_x = (opts.margin_left, opts.width - opts.margin_right);
    let x = LinearScale::new((0.0, domain), plot_x);
    let base = rows.first().and_then(|r| r.measured_ms);
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
            let width = measured.map(|m| x.apply(m) - plot_x.0).unwrap_or(0.0);
            let ideal_x = r.ideal_ms.filter(|v| v.is_finite()).map(|v| x.apply(v));
            ComparisonBar {
                y: opts.margin_top + i as f64 * (opts.bar_height + opts.gap),
                width,
                ideal_x,
                value_x: ideal_x.unwrap_or(0.0).max(plot_x.0 + width) + 8.0,
                name: fit(&r.name, opts.margin_left - 12.0),
                value,
                title: format!("{}: {shown}{ideal}{vs_text}", r.name),
            }
        })
        .collect();
    let n = rows.len() as f64;
    let axis_y = opts.margin_top + n * (opts.bar_height + opts.gap);
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
        assert!(b.value_x > b.ideal_x.unwrap(), "past the marker");
        assert!(b.value_x > l.plot_x.0 + b.width, "past the bar");
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
}
