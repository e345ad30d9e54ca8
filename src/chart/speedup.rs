//! Chart math for the speedup curve, with no DOM: the same CPU job measured on 1, 2, … N Web
//! Workers, drawn against the ideal line (speedup = workers), Amdahl's law for a chosen serial
//! fraction, and a marker at the core count the browser reports. A Leptos component only turns
//! the computed [`SpeedupLayout`] into SVG.

use serde::{Deserialize, Serialize};

use crate::chart::{nice_ticks, tick_step, LinearScale, Tick};
use crate::cpu::partition::amdahl_speedup;
use crate::units::fmt_ms;

/// One measured point: the job on `workers` workers took `ms`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// How many workers shared the job.
    pub workers: u32,
    /// Wall-clock time of the whole job, in milliseconds.
    pub ms: f64,
}

/// Options of [`speedup_layout`]. Defaults fit a 720 px wide card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeedupOptions {
    /// Total width in px. Default 720.
    pub width: f64,
    /// Total height in px. Default 300.
    pub height: f64,
    /// Room for the speedup labels on the left, px. Default 56.
    pub margin_left: f64,
    /// Room on the right, px. Default 16.
    pub margin_right: f64,
    /// Room above the plot, px. Default 16.
    pub margin_top: f64,
    /// Room for the worker-count axis at the bottom, px. Default 40.
    pub margin_bottom: f64,
    /// Approximate number of ticks per axis. Default 6. Treated as at least 1 and at most
    /// [`MAX_TICK_COUNT`], so a stray value cannot build millions of ticks.
    pub tick_count: usize,
}

impl Default for SpeedupOptions {
    fn default() -> Self {
        SpeedupOptions {
            width: 720.0,
            height: 300.0,
            margin_left: 56.0,
            margin_right: 16.0,
            margin_top: 16.0,
            margin_bottom: 40.0,
            tick_count: 6,
        }
    }
}

/// The largest [`SpeedupOptions::tick_count`] honoured.
pub const MAX_TICK_COUNT: usize = 50;

/// Most points on the Amdahl polyline. Up to this many workers it has one point per whole worker
/// count; beyond, whole counts spread evenly over the axis (a curve this smooth needs no more,
/// and the SVG stays small whatever core count a browser reports).
pub const MAX_AMDAHL_POINTS: u32 = 1024;

/// A computed speedup chart, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedupLayout {
    /// Total width in px (the SVG viewBox width).
    pub width: f64,
    /// Total height in px (the SVG viewBox height).
    pub height: f64,
    /// x of the left and right edges of the plot area.
    pub plot_x: (f64, f64),
    /// y of the top and bottom edges of the plot area (speedup 0 sits at the bottom).
    pub plot_y: (f64, f64),
    /// Ticks of the worker axis, whole worker counts only; `Tick::x` is the pixel x.
    pub x_ticks: Vec<Tick>,
    /// Ticks of the speedup axis, labelled like "2×", from 0 up to the top edge of the plot
    /// (the last tick sits at `plot_y.0`). `Tick::x` holds the pixel **y** here: the shared
    /// tick type has a single coordinate.
    pub y_ticks: Vec<Tick>,
    /// Polyline of the ideal speedup (speedup = workers), from 1 worker to the right edge.
    pub ideal: Vec<(f64, f64)>,
    /// Polyline of Amdahl's law at the (clamped) serial fraction, one point per whole worker
    /// count (at most [`MAX_AMDAHL_POINTS`] points).
    pub amdahl: Vec<(f64, f64)>,
    /// One (x, y, tooltip) per usable [`CurvePoint`], in input order; the tooltip reads like
    /// "2 workers: 612 ms, 1.8× faster".
    pub measured: Vec<(f64, f64, String)>,
    /// x of the "cores reported" marker; `None` when the core count is unknown (0) or off the
    /// axis.
    pub cores_x: Option<f64>,
    /// Whether the marker's "cores reported" label goes left of it: right of it, it would
    /// leave the box.
    pub cores_label_left: bool,
    /// One sentence for screen readers, e.g. "With 2 workers the job ran 1.8× faster than on 1
    /// (ideal 2×, Amdahl at 5% serial: 1.9×); this browser reports 2 cores."
    pub summary: String,
}

/// The speedup of a run that took `ms` over the 1-worker time `baseline_ms`: `baseline_ms / ms`.
///
/// `None` when either time is not positive and finite, or the ratio overflows or underflows, so
/// nothing downstream can draw an infinity or a NaN.
pub fn speedup(baseline_ms: f64, ms: f64) -> Option<f64> {
    let usable = |t: f64| t > 0.0 && t.is_finite();
    if !usable(baseline_ms) || !usable(ms) {
        return None;
    }
    let s = baseline_ms / ms;
    (s > 0.0 && s.is_finite()).then_some(s)
}

/// Lays out the speedup chart.
///
/// - x axis: workers from 1 to the largest of the measured worker counts, `cores` and 2 (2 so
///   the axis is never a single point).
/// - y axis: speedup from 0 up to a round value at least the best measured speedup and the
///   largest worker count, so the ideal line always fits.
///
/// Each point's speedup is `baseline_ms / point.ms`. If `baseline_ms` is not a positive finite
/// time, the first usable 1-worker point stands in for it; with neither, no point can be placed.
/// Points with 0 workers or a time that is not positive and finite are skipped, never drawn as
/// NaN. `serial_fraction` is clamped to 0..=1, and NaN counts as 0. An empty `points` still
/// gives axes, the ideal and Amdahl lines and a summary saying nothing was measured yet.
pub fn speedup_layout(
    points: &[CurvePoint],
    baseline_ms: f64,
    serial_fraction: f64,
    cores: u32,
    opts: &SpeedupOptions,
) -> SpeedupLayout {
    // amdahl_speedup passes NaN through on purpose; a chart line must not.
    let s = if serial_fraction.is_nan() {
        0.0
    } else {
        serial_fraction.clamp(0.0, 1.0)
    };
    let count = opts.tick_count.clamp(1, MAX_TICK_COUNT);

    let usable_ms = |ms: f64| ms > 0.0 && ms.is_finite();
    let baseline = if usable_ms(baseline_ms) {
        Some(baseline_ms)
    } else {
        points
            .iter()
            .find(|p| p.workers == 1 && usable_ms(p.ms))
            .map(|p| p.ms)
    };
    // (workers, ms, speedup) of every point that can be drawn.
    let valid: Vec<(u32, f64, f64)> = points
        .iter()
        .filter(|p| p.workers >= 1)
        .filter_map(|p| {
            let sp = speedup(baseline?, p.ms)?;
            Some((p.workers, p.ms, sp))
        })
        .collect();

    let max_workers = valid
        .iter()
        .map(|v| v.0)
        .chain([cores, 2])
        .max()
        .unwrap_or(2);
    let x_max = f64::from(max_workers);
    let top = valid.iter().map(|v| v.2).fold(x_max, f64::max);
    let (y_max, y_step) = nice_top(top, count);

    let plot_x = (opts.margin_left, opts.width - opts.margin_right);
    let plot_y = (opts.margin_top, opts.height - opts.margin_bottom);
    let x = LinearScale::new((1.0, x_max), plot_x);
    let y = LinearScale::new((0.0, y_max), (plot_y.1, plot_y.0));

    // A fractional step would label "1.5 workers"; when the axis is that short, every whole
    // count fits anyway.
    let x_values: Vec<f64> = if tick_step(x_max - 1.0, count) >= 1.0 {
        nice_ticks(1.0, x_max, count)
    } else {
        (1..=max_workers).map(f64::from).collect()
    };
    let x_ticks = x_values
        .into_iter()
        .map(|v| Tick {
            x: x.apply(v),
            label: fmt_ms(v),
        })
        .collect();

    // Built from the step rather than with nice_ticks, so that float rounding in
    // `y_max / step` cannot drop the tick at the top edge.
    let steps = (y_max / y_step).round() as u64;
    let y_ticks = (0..=steps)
        .map(|i| {
            let v = (i as f64 * y_step).min(y_max);
            Tick {
                x: y.apply(v),
                label: format!("{}×", fmt_tick(v, y_step)),
            }
        })
        .collect();

    let ideal = vec![
        (x.apply(1.0), y.apply(1.0)),
        (x.apply(x_max), y.apply(x_max)),
    ];
    let amdahl = amdahl_counts(max_workers)
        .into_iter()
        .map(|n| {
            let n = f64::from(n);
            (x.apply(n), y.apply(amdahl_speedup(n, s)))
        })
        .collect();

    let measured = valid
        .iter()
        .map(|&(w, ms, sp)| {
            let tip = format!(
                "{w} {}: {} ms, {}",
                plural(w, "worker", "workers"),
                fmt_ms(ms),
                compared(sp)
            );
            (x.apply(f64::from(w)), y.apply(sp), tip)
        })
        .collect();

    let cores_x = (cores >= 1 && cores <= max_workers).then(|| x.apply(f64::from(cores)));
    // "cores reported" at 11 px is about 84 px long, and starts 4 px right of the marker.
    let cores_label_left = cores_x.is_some_and(|x| x + 88.0 > opts.width);

    SpeedupLayout {
        width: opts.width,
        height: opts.height,
        plot_x,
        plot_y,
        x_ticks,
        y_ticks,
        ideal,
        amdahl,
        measured,
        cores_x,
        cores_label_left,
        summary: summary(&valid, s, cores, max_workers),
    }
}

/// A round top for an axis from 0 that reaches `top`, and the tick step that divides it,
/// as d3's `scale.nice()`: widening the domain can change the step, so repeat until it settles.
fn nice_top(top: f64, count: usize) -> (f64, f64) {
    let round_up = |step: f64| {
        let hi = (top / step).ceil() * step;
        // Only an absurd speedup near f64::MAX overflows here; keep it drawable.
        if hi.is_finite() {
            hi.max(top)
        } else {
            top
        }
    };
    let mut step = tick_step(top, count);
    let mut hi = round_up(step);
    for _ in 0..10 {
        let next = tick_step(hi, count);
        if next == step {
            break;
        }
        step = next;
        hi = round_up(step);
    }
    (hi, step)
}

/// The worker counts the Amdahl line is sampled at: every whole count up to
/// [`MAX_AMDAHL_POINTS`], evenly spread whole counts beyond, always from 1 to `max_workers`.
fn amdahl_counts(max_workers: u32) -> Vec<u32> {
    if max_workers <= MAX_AMDAHL_POINTS {
        return (1..=max_workers).collect();
    }
    let span = u64::from(max_workers - 1);
    let last = u64::from(MAX_AMDAHL_POINTS);
    let mut counts: Vec<u32> = (0..=last).map(|i| 1 + (i * span / last) as u32).collect();
    counts.dedup();
    counts
}

/// A tick value with as many decimals as its step needs, and no trailing zeros ("0.2", "1",
/// "1,000").
fn fmt_tick(v: f64, step: f64) -> String {
    if step >= 1.0 {
        return fmt_factor(v);
    }
    // The epsilon keeps log10(0.1) = -0.9999… from asking for a second decimal.
    let decimals = (-(step.log10() + 1e-9).floor()).clamp(0.0, 12.0) as usize;
    // "1×" rather than "1.0×": whole speedups read best bare, as in the tooltips.
    let s = format!("{v:.decimals$}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A speedup for people: one decimal under 100, grouped whole numbers above (what `fmt_ms`
/// does for any number), and scientific notation where an `i64` would saturate.
fn fmt_factor(v: f64) -> String {
    if v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        fmt_ms(v)
    }
}

/// "1.8× faster", or "1.3× slower" for a speedup below 1 (rather than "0.8× faster").
fn compared(speedup: f64) -> String {
    let shown = fmt_factor(speedup);
    if speedup >= 1.0 || shown == "1" {
        format!("{shown}× faster")
    } else {
        format!("{}× slower", fmt_factor(1.0 / speedup))
    }
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The screen-reader sentence: the run with the most workers against the ideal and Amdahl,
/// the best run if that is a different one, and the reported core count.
fn summary(valid: &[(u32, f64, f64)], s: f64, cores: u32, max_workers: u32) -> String {
    let cores_clause = match cores {
        0 => "this browser does not report its core count".to_string(),
        n => format!("this browser reports {n} {}", plural(n, "core", "cores")),
    };
    let serial = format!("{}%", fmt_ms(s * 100.0));
    // The sweep runs 1, 2, … N workers, so the most workers is the newest reading; on a tie the
    // later measurement wins.
    let Some(&(w, ms, sp)) =
        valid
            .iter()
            .fold(None, |acc: Option<&(u32, f64, f64)>, v| match acc {
                Some(a) if a.0 > v.0 => Some(a),
                _ => Some(v),
            })
    else {
        return format!(
            "Nothing measured yet; the chart shows the ideal speedup and Amdahl's law at {serial} \
             serial for 1 to {max_workers} workers; {cores_clause}."
        );
    };
    if w == 1 {
        return format!(
            "With 1 worker the job took {} ms; no other worker count is measured yet; \
             {cores_clause}.",
            fmt_ms(ms)
        );
    }
    let n = f64::from(w);
    let mut text = format!(
        "With {w} workers the job ran {} than on 1 (ideal {}×, Amdahl at {serial} serial: {}×)",
        compared(sp),
        fmt_factor(n),
        fmt_factor(amdahl_speedup(n, s))
    );
    // The first of the fastest, so equal speedups credit the fewer workers.
    let best = valid
        .iter()
        .fold(valid[0], |b, &v| if v.2 > b.2 { v } else { b });
    if best.0 != w && fmt_factor(best.2) != fmt_factor(sp) {
        text.push_str(&format!(
            "; the best was {}× with {} {}",
            fmt_factor(best.2),
            best.0,
            plural(best.0, "worker", "workers")
        ));
    }
    format!("{text}; {cores_clause}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(points: &[CurvePoint], baseline: f64, s: f64, cores: u32) -> SpeedupLayout {
        speedup_layout(points, baseline, s, cores, &SpeedupOptions::default())
    }

    fn pt(workers: u32, ms: f64) -> CurvePoint {
        CurvePoint { workers, ms }
    }

    /// The speedup value at pixel `y`, read back through the axis (its top tick is the top edge).
    fn speedup_at(l: &SpeedupLayout, y: f64) -> f64 {
        let top = l.y_ticks.last().expect("a y tick");
        let top_value: f64 = top
            .label
            .trim_end_matches('×')
            .replace(',', "")
            .parse()
            .expect("a numeric label");
        (l.plot_y.1 - y) / (l.plot_y.1 - l.plot_y.0) * top_value
    }

    /// The worker count at pixel `x`, read back through the axis.
    fn workers_at(l: &SpeedupLayout, x: f64) -> f64 {
        let first = &l.x_ticks[0];
        let last = l.x_ticks.last().unwrap();
        let value = |t: &Tick| t.label.replace(',', "").parse::<f64>().unwrap();
        value(first) + (x - first.x) / (last.x - first.x) * (value(last) - value(first))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn speedup_is_the_baseline_divided_by_the_time() {
        assert_eq!(speedup(1000.0, 500.0), Some(2.0));
        assert_eq!(speedup(1000.0, 2000.0), Some(0.5));
        for (b, ms) in [
            (0.0, 1.0),
            (1.0, 0.0),
            (-5.0, 1.0),
            (1.0, -5.0),
            (f64::NAN, 1.0),
            (1.0, f64::NAN),
            (f64::INFINITY, 1.0),
            (1.0, f64::INFINITY),
            (1e308, 1e-308),
            (1e-308, 1e308),
        ] {
            assert_eq!(speedup(b, ms), None, "speedup({b}, {ms}) must be None");
        }
    }

    #[test]
    fn the_default_options_match_their_documentation() {
        let o = SpeedupOptions::default();
        assert_eq!(
            (o.width, o.height, o.tick_count),
            (720.0, 300.0, 6),
            "size and tick count"
        );
        assert_eq!(
            (o.margin_left, o.margin_right, o.margin_top, o.margin_bottom),
            (56.0, 16.0, 16.0, 40.0),
            "margins"
        );
        let l = layout(&[], 0.0, 0.0, 0);
        assert_eq!(l.plot_x, (56.0, 704.0), "plot x edges");
        assert_eq!(l.plot_y, (16.0, 260.0), "plot y edges");
        assert_eq!((l.width, l.height), (720.0, 300.0), "chart size");
    }

    #[test]
    fn the_ideal_line_runs_from_one_to_max_workers_on_the_diagonal() {
        let l = layout(&[pt(1, 1000.0), pt(8, 150.0)], 1000.0, 0.1, 4);
        assert_eq!(l.ideal.len(), 2, "a straight line needs two points");
        let (a, b) = (l.ideal[0], l.ideal[1]);
        assert_eq!(a.0, l.plot_x.0, "starts at the left edge (1 worker)");
        assert_eq!(b.0, l.plot_x.1, "ends at the right edge (max workers)");
        assert!(close(workers_at(&l, a.0), 1.0), "first x is 1 worker");
        assert!(close(workers_at(&l, b.0), 8.0), "last x is 8 workers");
        assert!(close(speedup_at(&l, a.1), 1.0), "speedup 1 at 1 worker");
        assert!(close(speedup_at(&l, b.1), 8.0), "speedup 8 at 8 workers");
    }

    #[test]
    fn amdahl_with_no_serial_part_equals_the_ideal_line() {
        let l = layout(&[pt(1, 1000.0)], 1000.0, 0.0, 12);
        assert_eq!(l.amdahl.len(), 12, "one point per worker count");
        let ((x0, y0), (x1, y1)) = (l.ideal[0], l.ideal[1]);
        for &(x, y) in &l.amdahl {
            let on_line = y0 + (x - x0) / (x1 - x0) * (y1 - y0);
            assert!(
                (y - on_line).abs() < 1e-9,
                "Amdahl at s=0 ({x}, {y}) is off the ideal line (y {on_line})"
            );
        }
    }

    #[test]
    fn amdahl_flattens_toward_one_over_s() {
        let l = layout(&[], 1000.0, 0.25, 64);
        let values: Vec<f64> = l.amdahl.iter().map(|p| speedup_at(&l, p.1)).collect();
        assert!(
            close(values[0], 1.0),
            "1 worker is speedup 1: {}",
            values[0]
        );
        assert!(
            values.windows(2).all(|w| w[1] > w[0]),
            "Amdahl rises with workers"
        );
        let last = *values.last().unwrap();
        assert!(last < 4.0, "never reaches 1/s = 4: {last}");
        assert!(last > 3.7, "but comes close with 64 workers: {last}");
        let gain_first = values[1] - values[0];
        let gain_last = values[63] - values[62];
        assert!(
            gain_last < gain_first / 100.0,
            "the curve flattens: {gain_first} then {gain_last}"
        );
    }

    #[test]
    fn amdahl_is_sampled_at_every_whole_worker_count() {
        let l = layout(&[pt(5, 300.0)], 1000.0, 0.05, 0);
        let counts: Vec<f64> = l.amdahl.iter().map(|p| workers_at(&l, p.0)).collect();
        for (i, c) in counts.iter().enumerate() {
            assert!(
                close(*c, i as f64 + 1.0),
                "sample {i} sits at {c} workers, expected {}",
                i + 1
            );
        }
        assert_eq!(counts.len(), 5, "1 to 5 workers");
    }

    #[test]
    fn a_serial_fraction_outside_zero_to_one_is_clamped() {
        let above = layout(&[], 1000.0, 7.0, 8);
        let one = layout(&[], 1000.0, 1.0, 8);
        assert_eq!(above.amdahl, one.amdahl, "s > 1 acts as s = 1");
        assert!(
            one.amdahl.iter().all(|p| close(speedup_at(&one, p.1), 1.0)),
            "fully serial work never speeds up"
        );
        let below = layout(&[], 1000.0, -3.0, 8);
        let zero = layout(&[], 1000.0, 0.0, 8);
        assert_eq!(below.amdahl, zero.amdahl, "s < 0 acts as s = 0");
        let nan = layout(&[], 1000.0, f64::NAN, 8);
        assert_eq!(nan.amdahl, zero.amdahl, "NaN acts as s = 0");
        assert!(nan.summary.contains("at 0% serial"), "{}", nan.summary);
    }

    #[test]
    fn measured_points_sit_at_their_speedup() {
        let points = [pt(1, 1200.0), pt(2, 600.0), pt(3, 480.0), pt(4, 1600.0)];
        let l = layout(&points, 1200.0, 0.05, 4);
        assert_eq!(l.measured.len(), 4, "one mark per point");
        for ((x, y, _), p) in l.measured.iter().zip(&points) {
            assert!(
                close(workers_at(&l, *x), f64::from(p.workers)),
                "x of {p:?}"
            );
            let want = 1200.0 / p.ms;
            assert!(
                close(speedup_at(&l, *y), want),
                "y of {p:?}: {} instead of {want}",
                speedup_at(&l, *y)
            );
        }
    }

    #[test]
    fn tooltips_say_workers_time_and_speedup() {
        let l = layout(
            &[pt(1, 1100.0), pt(2, 612.0), pt(8, 1430.0), pt(3, 1090.0)],
            1100.0,
            0.05,
            8,
        );
        let tips: Vec<&str> = l.measured.iter().map(|m| m.2.as_str()).collect();
        assert_eq!(
            tips,
            vec![
                "1 worker: 1,100 ms, 1× faster",
                "2 workers: 612 ms, 1.8× faster",
                "8 workers: 1,430 ms, 1.3× slower",
                "3 workers: 1,090 ms, 1× faster",
            ],
            "tooltips"
        );
    }

    #[test]
    fn x_ticks_are_whole_worker_counts() {
        for max in [
            2u32, 3, 4, 5, 7, 8, 12, 16, 24, 33, 64, 100, 256, 1000, 100_000,
        ] {
            let l = layout(&[], 1000.0, 0.05, max);
            assert!(!l.x_ticks.is_empty(), "max {max}: some ticks");
            let mut last = 0.0;
            for t in &l.x_ticks {
                let v: f64 = t.label.replace(',', "").parse().expect("a number");
                assert!(
                    v.fract() == 0.0,
                    "max {max}: tick {} is fractional",
                    t.label
                );
                assert!(
                    (1.0..=f64::from(max)).contains(&v),
                    "max {max}: tick {v} off the axis"
                );
                assert!(v > last, "max {max}: ticks ascend");
                assert!(
                    close(workers_at(&l, t.x), v),
                    "max {max}: tick {v} position"
                );
                last = v;
            }
            assert!(
                l.x_ticks.len() <= 2 * SpeedupOptions::default().tick_count,
                "max {max}: about tick_count ticks, got {}",
                l.x_ticks.len()
            );
        }
        let short = layout(&[], 1000.0, 0.05, 2);
        let labels: Vec<&str> = short.x_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, vec!["1", "2"], "no 1.5 workers");
    }

    #[test]
    fn y_ticks_are_labelled_as_multiples_and_reach_the_top_of_the_axis() {
        let l = layout(&[pt(1, 1000.0), pt(4, 280.0)], 1000.0, 0.05, 4);
        let labels: Vec<&str> = l.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            vec!["0×", "0.5×", "1×", "1.5×", "2×", "2.5×", "3×", "3.5×", "4×"],
            "speedup labels"
        );
        assert_eq!(l.y_ticks[0].x, l.plot_y.1, "0× at the bottom edge");
        assert_eq!(
            l.y_ticks.last().unwrap().x,
            l.plot_y.0,
            "the top tick at the top edge"
        );
        let small = layout(&[], 1000.0, 0.05, 2);
        assert_eq!(small.y_ticks[1].label, "0.2×", "a fractional step");
    }

    #[test]
    fn the_y_axis_fits_the_ideal_line_and_the_best_measurement() {
        // Superlinear speedup (caches) can beat the ideal line.
        let l = layout(&[pt(1, 1000.0), pt(4, 90.0)], 1000.0, 0.05, 4);
        let top = speedup_at(&l, l.plot_y.0);
        assert!(top >= 1000.0 / 90.0, "fits 11.1×: top {top}");
        assert_eq!(top, 12.0, "a round top");
        let slow = layout(&[pt(1, 1000.0), pt(6, 900.0)], 1000.0, 0.05, 4);
        assert!(
            speedup_at(&slow, slow.plot_y.0) >= 6.0,
            "the ideal line at 6 workers fits"
        );
    }

    #[test]
    fn the_x_axis_covers_the_points_and_the_cores() {
        let by_points = layout(&[pt(1, 1000.0), pt(6, 200.0)], 1000.0, 0.05, 4);
        assert!(
            close(workers_at(&by_points, by_points.plot_x.1), 6.0),
            "to 6 points"
        );
        let by_cores = layout(&[pt(1, 1000.0), pt(2, 500.0)], 1000.0, 0.05, 16);
        assert!(
            close(workers_at(&by_cores, by_cores.plot_x.1), 16.0),
            "to 16 cores"
        );
        let at_least_two = layout(&[pt(1, 1000.0)], 1000.0, 0.05, 1);
        assert!(
            close(workers_at(&at_least_two, at_least_two.plot_x.1), 2.0),
            "never a single point"
        );
    }

    #[test]
    fn the_cores_marker_sits_at_the_reported_core_count() {
        let l = layout(&[pt(1, 1000.0), pt(8, 200.0)], 1000.0, 0.05, 4);
        let x = l.cores_x.expect("a marker for 4 cores");
        assert!(close(workers_at(&l, x), 4.0), "marker at 4 workers");
        let one = layout(&[pt(1, 1000.0), pt(2, 600.0)], 1000.0, 0.05, 1);
        assert_eq!(one.cores_x, Some(one.plot_x.0), "1 core is the left edge");
        let unknown = layout(&[pt(1, 1000.0)], 1000.0, 0.05, 0);
        assert_eq!(unknown.cores_x, None, "no marker for an unknown core count");
        assert!(
            unknown.summary.contains("does not report its core count"),
            "{}",
            unknown.summary
        );
    }

    #[test]
    fn bad_points_are_skipped_not_drawn_as_nan() {
        let points = [
            pt(1, 1000.0),
            pt(2, 0.0),
            pt(3, -40.0),
            pt(4, f64::NAN),
            pt(5, f64::INFINITY),
            pt(0, 300.0),
            pt(6, 1e-320),
            pt(2, 550.0),
        ];
        let l = layout(&points, 1000.0, 0.05, 2);
        let kept: Vec<&str> = l.measured.iter().map(|m| m.2.as_str()).collect();
        assert_eq!(
            kept,
            vec![
                "1 worker: 1,000 ms, 1× faster",
                "2 workers: 550 ms, 1.8× faster"
            ],
            "only the usable points"
        );
        assert!(
            close(workers_at(&l, l.plot_x.1), 2.0),
            "skipped points do not widen the axis"
        );
        let all = [&l.ideal, &l.amdahl]
            .into_iter()
            .flatten()
            .copied()
            .chain(l.measured.iter().map(|m| (m.0, m.1)))
            .chain(l.x_ticks.iter().chain(&l.y_ticks).map(|t| (t.x, 0.0)));
        for (x, y) in all {
            assert!(x.is_finite() && y.is_finite(), "({x}, {y}) is not finite");
        }
        let no_baseline = layout(&[pt(2, 500.0)], f64::NAN, 0.05, 2);
        assert!(no_baseline.measured.is_empty(), "nothing to compare with");
    }

    #[test]
    fn a_missing_baseline_falls_back_to_the_one_worker_point() {
        let l = layout(&[pt(2, 500.0), pt(1, 1000.0)], 0.0, 0.05, 2);
        assert_eq!(l.measured.len(), 2, "both points placed");
        assert!(
            close(speedup_at(&l, l.measured[0].1), 2.0),
            "2× over 1,000 ms"
        );
    }

    #[test]
    fn an_empty_curve_still_has_axes_and_a_summary() {
        let l = layout(&[], 0.0, 0.05, 4);
        assert!(l.measured.is_empty(), "no marks");
        assert_eq!(
            l.x_ticks
                .iter()
                .map(|t| t.label.as_str())
                .collect::<Vec<_>>(),
            vec!["1", "2", "3", "4"],
            "worker axis up to the cores"
        );
        assert!(l.y_ticks.len() >= 2, "a speedup axis");
        assert_eq!(l.ideal.len(), 2, "an ideal line");
        assert_eq!(l.amdahl.len(), 4, "an Amdahl line");
        assert_eq!(
            l.summary,
            "Nothing measured yet; the chart shows the ideal speedup and Amdahl's law at 5% \
             serial for 1 to 4 workers; this browser reports 4 cores.",
            "summary"
        );
    }

    #[test]
    fn the_summary_reads_like_one_sentence() {
        let l = layout(&[pt(1, 1100.0), pt(2, 612.0)], 1100.0, 0.05, 2);
        assert_eq!(
            l.summary,
            "With 2 workers the job ran 1.8× faster than on 1 (ideal 2×, Amdahl at 5% serial: \
             1.9×); this browser reports 2 cores.",
            "two workers"
        );
        let only_one = layout(&[pt(1, 1100.0)], 1100.0, 0.05, 1);
        assert_eq!(
            only_one.summary,
            "With 1 worker the job took 1,100 ms; no other worker count is measured yet; this \
             browser reports 1 core.",
            "only the baseline"
        );
        let oversubscribed = layout(
            &[pt(1, 1000.0), pt(2, 520.0), pt(4, 300.0), pt(8, 400.0)],
            1000.0,
            0.1,
            4,
        );
        assert_eq!(
            oversubscribed.summary,
            "With 8 workers the job ran 2.5× faster than on 1 (ideal 8×, Amdahl at 10% serial: \
             4.7×); the best was 3.3× with 4 workers; this browser reports 4 cores.",
            "more workers than cores"
        );
    }

    #[test]
    fn a_huge_core_count_keeps_the_element_count_bounded() {
        let l = layout(&[pt(1, 1000.0)], 1000.0, 0.05, u32::MAX);
        assert!(
            l.amdahl.len() <= MAX_AMDAHL_POINTS as usize + 1,
            "{} Amdahl points",
            l.amdahl.len()
        );
        assert!(close(
            workers_at(&l, l.amdahl.last().unwrap().0),
            f64::from(u32::MAX)
        ));
        assert!(l.x_ticks.len() <= 12 && l.y_ticks.len() <= 12, "few ticks");
        let many = speedup_layout(
            &[],
            1000.0,
            0.05,
            1_000_000,
            &SpeedupOptions {
                tick_count: usize::MAX,
                ..SpeedupOptions::default()
            },
        );
        assert!(
            many.x_ticks.len() <= 2 * MAX_TICK_COUNT && many.y_ticks.len() <= 2 * MAX_TICK_COUNT,
            "tick_count is capped: {} and {}",
            many.x_ticks.len(),
            many.y_ticks.len()
        );
        let none = speedup_layout(
            &[],
            1000.0,
            0.05,
            1_000_000,
            &SpeedupOptions {
                tick_count: 0,
                ..SpeedupOptions::default()
            },
        );
        assert!(
            !none.x_ticks.is_empty() && none.x_ticks.len() <= 4,
            "tick_count 0 acts as 1: {} ticks",
            none.x_ticks.len()
        );
    }

    /// xorshift64: deterministic inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn every_coordinate_is_inside_the_plot() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let odd_ms = [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-9, 1e9, 0.001];
        for case in 0..2000 {
            let n = rng.below(12) as usize;
            let points: Vec<CurvePoint> = (0..n)
                .map(|_| {
                    let workers = rng.below(40) as u32;
                    let ms = if rng.below(5) == 0 {
                        odd_ms[rng.below(odd_ms.len() as u64) as usize]
                    } else {
                        1.0 + rng.unit() * 5000.0
                    };
                    pt(workers, ms)
                })
                .collect();
            let baseline = match rng.below(6) {
                0 => 0.0,
                1 => f64::NAN,
                _ => 1.0 + rng.unit() * 5000.0,
            };
            let s = rng.unit() * 1.4 - 0.2;
            let cores = rng.below(70) as u32;
            let opts = SpeedupOptions {
                width: 200.0 + rng.unit() * 1000.0,
                height: 120.0 + rng.unit() * 500.0,
                tick_count: 1 + rng.below(12) as usize,
                ..SpeedupOptions::default()
            };
            let l = speedup_layout(&points, baseline, s, cores, &opts);
            let inside_x = |x: f64| x >= l.plot_x.0 - 1e-9 && x <= l.plot_x.1 + 1e-9;
            let inside_y = |y: f64| y >= l.plot_y.0 - 1e-9 && y <= l.plot_y.1 + 1e-9;
            let ctx = || format!("case {case}: {points:?} baseline {baseline} s {s} cores {cores}");
            for &(x, y) in l.ideal.iter().chain(&l.amdahl) {
                assert!(
                    inside_x(x) && inside_y(y),
                    "line ({x}, {y}) outside; {}",
                    ctx()
                );
            }
            for (x, y, tip) in &l.measured {
                assert!(
                    inside_x(*x) && inside_y(*y),
                    "{tip} at ({x}, {y}); {}",
                    ctx()
                );
                assert!(!tip.contains("NaN") && !tip.contains("inf"), "{tip}");
            }
            for t in &l.x_ticks {
                assert!(inside_x(t.x), "x tick {} at {}; {}", t.label, t.x, ctx());
            }
            for t in &l.y_ticks {
                assert!(inside_y(t.x), "y tick {} at {}; {}", t.label, t.x, ctx());
            }
            if let Some(x) = l.cores_x {
                assert!(inside_x(x), "cores marker at {x}; {}", ctx());
            }
            assert_eq!(
                l.cores_x.is_some(),
                cores > 0,
                "marker iff cores known; {}",
                ctx()
            );
            assert!(
                !l.summary.contains("NaN") && l.summary.ends_with('.'),
                "summary {:?}; {}",
                l.summary,
                ctx()
            );
        }
    }

    /// About how wide `text` is in the chart's 11 px labels, px (digits are about 0.6 em).
    fn text_px(text: &str) -> f64 {
        text.chars().count() as f64 * 6.6
    }

    #[test]
    fn a_speedup_chart_at_390_px_keeps_every_label_inside_the_box() {
        // The chart's box on a 390 px phone: the column less the page's and the card's padding.
        let phone = crate::chart::fit_width(390.0 - 32.0 - 2.0 * (1.2 * 16.0 + 1.0));
        let opts = SpeedupOptions {
            width: phone,
            ..SpeedupOptions::default()
        };
        let points: Vec<CurvePoint> = (1..=8).map(|w| pt(w, 1000.0 / f64::from(w))).collect();
        let l = speedup_layout(&points, 1000.0, 0.05, 8, &opts);
        assert_eq!(l.width, phone, "laid out for its box, not scaled down");
        for t in &l.x_ticks {
            let half = text_px(&t.label) / 2.0;
            assert!(
                t.x - half >= 0.0 && t.x + half <= l.width,
                "x tick {}",
                t.label
            );
        }
        for t in &l.y_ticks {
            assert!(
                l.plot_x.0 - 6.0 - text_px(&t.label) >= 0.0,
                "y tick {}",
                t.label
            );
        }
        assert!(l.plot_x.1 - text_px("workers") >= 0.0, "the unit");
        // 8 cores on 8 workers: the marker is the right edge, so its label goes left of it.
        let x = l.cores_x.expect("a marker");
        assert!(
            l.cores_label_left,
            "the label would leave the box on the right"
        );
        assert!(
            x - 4.0 - text_px("cores reported") >= l.plot_x.0,
            "left of the marker"
        );
        assert!(
            l.plot_x.1 - l.plot_x.0 > l.width * 0.7,
            "the plot keeps most of the width"
        );
    }

    #[test]
    fn the_cores_label_stays_right_of_its_marker_where_there_is_room() {
        let l = layout(&[pt(1, 1000.0), pt(8, 200.0)], 1000.0, 0.05, 4);
        let x = l.cores_x.expect("a marker");
        assert!(!l.cores_label_left, "room right of the marker");
        assert!(x + 4.0 + text_px("cores reported") <= l.width);
        assert_eq!(l.plot_x, (56.0, 704.0), "the wide layout as it was");
    }
}
