//! Chart math with no DOM, in the spirit of d3-scale: a linear scale, "nice" ticks, and the
//! layout of a timeline (lanes, bars, axis). The Leptos components only turn a computed layout
//! into SVG elements.

pub mod comparison;
pub mod speedup;

use crate::trace::{Outcome, Trace};
use crate::units::fmt_ms;

/// Maps a continuous domain onto a continuous range, linearly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearScale {
    /// Input interval (e.g. milliseconds).
    pub domain: (f64, f64),
    /// Output interval (e.g. pixels).
    pub range: (f64, f64),
}

impl LinearScale {
    /// A scale from `domain` onto `range`.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        LinearScale { domain, range }
    }

    /// Maps `v`; a degenerate (empty) domain maps everything to the start of the range.
    pub fn apply(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return r0;
        }
        r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// The tick step for about `count` ticks over `span`: 1, 2 or 5 times a power of ten.
pub fn tick_step(span: f64, count: usize) -> f64 {
    if span <= 0.0 || !span.is_finite() || count == 0 {
        return 1.0;
    }
    let raw = span / count as f64;
    // `powi`, not `powf`: a whole power needs no `pow` (libm's, linked for this alone). Not
    // below 1e-300, where powers of ten stop being representable (the step would be 0).
    let power = 10f64.powi(raw.log10().floor().max(-300.0) as i32);
    let err = raw / power;
    let factor = if err >= 7.5 {
        10.0
    } else if err >= 3.5 {
        5.0
    } else if err >= 1.5 {
        2.0
    } else {
        1.0
    };
    factor * power
}

/// Round tick values covering `[start, stop]`, about `count` of them, each a multiple of
/// [`tick_step`].
pub fn nice_ticks(start: f64, stop: f64, count: usize) -> Vec<f64> {
    // Also catches NaN: an empty or unordered domain gets a single tick.
    if stop.partial_cmp(&start) != Some(std::cmp::Ordering::Greater) {
        return vec![start];
    }
    let step = tick_step(stop - start, count);
    let first = (start / step).ceil() as i64;
    let last = (stop / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The width a chart is laid out at for a box `width` px wide: the box itself, so that its text
/// keeps its size rather than being scaled with the whole drawing, within 280 px (a phone's
/// card; a narrower box scales it down) and 1,200 px. Not a number: the 720 px default.
pub fn fit_width(width: f64) -> f64 {
    if width.is_finite() {
        width.clamp(280.0, 1200.0)
    } else {
        720.0
    }
}

/// Options of [`timeline`]. Defaults fit a 720 px wide card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimelineOptions {
    /// Total width in px. Default 720.
    pub width: f64,
    /// Height of one lane in px. Default 14.
    pub lane_height: f64,
    /// Gap between lanes in px. Default 3.
    pub lane_gap: f64,
    /// Most lanes drawn; more tasks are grouped into shared rows. Default 40.
    pub max_lanes: u32,
    /// Room for lane labels on the left, px. Default 72.
    pub margin_left: f64,
    /// Room on the right, px. Default 16.
    pub margin_right: f64,
    /// Room for the time axis at the bottom, px. Default 28.
    pub axis_height: f64,
    /// Room above the lanes for marker labels ("ideal"), px. Default 14.
    pub margin_top: f64,
    /// Approximate number of ticks. Default 6.
    pub tick_count: usize,
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            width: 720.0,
            lane_height: 14.0,
            lane_gap: 3.0,
            max_lanes: 40,
            margin_left: 72.0,
            margin_right: 16.0,
            axis_height: 28.0,
            margin_top: 14.0,
            tick_count: 6,
        }
    }
}

/// What a bar shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BarState {
    /// Still waiting (the run is in progress).
    Pending,
    /// Completed.
    Completed,
    /// Stopped by cancellation.
    Cancelled,
    /// Ended in an error.
    Failed,
    /// Abandoned by its timeout.
    TimedOut,
    /// The event loop was late (lag probe row).
    Lag,
}

impl BarState {
    /// CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            BarState::Pending => "pending",
            BarState::Completed => "completed",
            BarState::Cancelled => "cancelled",
            BarState::Failed => "failed",
            BarState::TimedOut => "timed-out",
            BarState::Lag => "lag",
        }
    }
}

/// One rectangle on the timeline, possibly standing for several tasks of one row.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub state: BarState,
    /// Tooltip / accessible description.
    pub title: String,
}

/// A lane label at the left.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneLabel {
    /// Baseline y of the text.
    pub y: f64,
    pub text: String,
}

/// A tick on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// A computed timeline, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineLayout {
    pub width: f64,
    pub height: f64,
    /// x of the left and right edges of the plot area.
    pub plot_x: (f64, f64),
    /// y of the top of the first lane (marker labels sit above it).
    pub top_y: f64,
    /// y of the axis line.
    pub axis_y: f64,
    pub lanes: Vec<LaneLabel>,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    /// x of the ideal (predicted) end time, if given.
    pub ideal_x: Option<f64>,
    /// True when the "ideal" label must sit left of its marker to stay inside the chart.
    pub ideal_label_left: bool,
    /// x of the moment the awaiting code continued (the measured time), once it has.
    pub resumed_x: Option<f64>,
    /// "Result consumed" markers: (x, y) centres, at most one per row and pixel.
    pub consumed: Vec<(f64, f64)>,
    /// The event-loop lag row: label and bars (a late tick is a bar from when it was due to
    /// when it fired, on the same time axis), if the run had a lag probe.
    pub lag_row: Option<(LaneLabel, Vec<Bar>)>,
}

/// Room the "ideal" label needs right of its marker, px.
const IDEAL_LABEL_PX: f64 = 36.0;

/// Lays out `trace` on a time axis from 0 to `domain_max_ms` (shared between strategies so that
/// lengths compare honestly). Pending spans are drawn up to `now_ms`.
///
/// With more tasks than `max_lanes`, consecutive tasks share a row, and overlapping bars of the
/// same state in a row are merged, so the number of drawn elements stays bounded whatever the
/// task count.
pub fn timeline(
    trace: &Trace,
    domain_max_ms: f64,
    ideal_ms: Option<f64>,
    now_ms: f64,
    opts: &TimelineOptions,
) -> TimelineLayout {
    // Lanes are one per task on the event loop, or named (workers) for CPU runs.
    let named = !trace.lane_names.is_empty();
    let tasks = if named {
        trace.lane_names.len() as u32
    } else {
        trace.task_count.max(1)
    };
    let rows = tasks.min(opts.max_lanes.max(1));
    let row_of = |lane: u32| (lane as u64 * rows as u64 / tasks as u64) as u32;
    let plot_x = (opts.margin_left, opts.width - opts.margin_right);
    let domain_max = if domain_max_ms > 0.0 {
        domain_max_ms
    } else {
        1.0
    };
    let x = LinearScale::new((0.0, domain_max), plot_x);
    let pitch = opts.lane_height + opts.lane_gap;
    let top = opts.margin_top;
    let lag_rows = u32::from(!trace.lag.is_empty());
    let axis_y = top + (rows + lag_rows) as f64 * pitch + opts.lane_gap;

    let lanes = (0..rows)
        .map(|r| {
            // Tasks in row r: the first task whose row is r through the last one.
            let first = (r as u64 * tasks as u64).div_ceil(rows as u64) as u32;
            let last = ((r as u64 + 1) * tasks as u64).div_ceil(rows as u64) as u32 - 1;
            let text = if named && first == last {
                trace.lane_names[first as usize].clone()
            } else if first == last {
                format!("#{}", first + 1)
            } else {
                format!("#{}–{}", first + 1, last + 1)
            };
            LaneLabel {
                y: top + r as f64 * pitch + opts.lane_height - 3.0,
                text,
            }
        })
        .collect();

    // (row, state, start_ms, end_ms, first_task, last_task, count)
    let mut pieces: Vec<(u32, BarState, f64, f64, u32, u32, u32)> = trace
        .spans
        .iter()
        .map(|s| {
            let state = match s.outcome {
                None => BarState::Pending,
                Some(Outcome::Completed) => BarState::Completed,
                Some(Outcome::Cancelled) => BarState::Cancelled,
                Some(Outcome::Failed) => BarState::Failed,
                Some(Outcome::TimedOut) => BarState::TimedOut,
            };
            let end = s.end_ms.unwrap_or(now_ms.max(s.start_ms));
            (row_of(s.lane), state, s.start_ms, end, s.task, s.task, 1)
        })
        .collect();
    // By row, state and start; ties (which the merge below would treat alike) by task, so the
    // order is total and an unstable sort (the page's one kind) gives the same result.
    pieces.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.class().cmp(b.1.class()))
            .then(a.2.total_cmp(&b.2))
            .then(a.4.cmp(&b.4))
    });
    // Merge overlapping (or touching within half a pixel) pieces of one row and state.
    let half_px_ms = 0.5 * domain_max / (plot_x.1 - plot_x.0).max(1.0);
    let mut merged: Vec<(u32, BarState, f64, f64, u32, u32, u32)> = Vec::new();
    for p in pieces {
        match merged.last_mut() {
            // Worker lanes keep every piece visible (their count is bounded by the plan).
            Some(m) if !named && m.0 == p.0 && m.1 == p.1 && p.2 <= m.3 + half_px_ms => {
                m.3 = m.3.max(p.3);
                m.4 = m.4.min(p.4);
                m.5 = m.5.max(p.5);
                m.6 += 1;
            }
            _ => merged.push(p),
        }
    }
    let bars = merged
        .into_iter()
        .map(|(row, state, start, end, first, last, count)| {
            let x0 = x.apply(start);
            let title = if count == 1 {
                format!(
                    "{} #{}: {} ms → {} ms ({} ms, {})",
                    if named { "Piece" } else { "Task" },
                    first + 1,
                    fmt_ms(start),
                    fmt_ms(end),
                    fmt_ms(end - start),
                    state.class()
                )
            } else {
                format!(
                    "{count} tasks (#{}–{}): {} ms → {} ms, {}",
                    first + 1,
                    last + 1,
                    fmt_ms(start),
                    fmt_ms(end),
                    state.class()
                )
            };
            Bar {
                x: x0,
                y: top + row as f64 * pitch,
                // At least one pixel, so a 0 ms call is still visible.
                width: (x.apply(end) - x0).max(1.0),
                height: opts.lane_height,
                state,
                title,
            }
        })
        .collect();

    let mut consumed: Vec<(f64, f64)> = trace
        .consumed
        .iter()
        .filter(|_| !named)
        .map(|&(task, at)| {
            let y = top + row_of(task) as f64 * pitch + opts.lane_height / 2.0;
            (x.apply(at).round(), y)
        })
        .collect();
    consumed.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
    consumed.dedup();

    let lag_row = (lag_rows > 0).then(|| {
        let y = top + rows as f64 * pitch;
        let mut bars: Vec<Bar> = Vec::new();
        for &(due, late) in &trace.lag {
            let (x0, x1) = (x.apply(due), x.apply(due + late));
            // Lateness under half a pixel is invisible; merging keeps the element count bounded.
            if x1 - x0 < 0.5 {
                continue;
            }
            match bars.last_mut() {
                Some(b) if x0 <= b.x + b.width + 0.5 => {
                    b.width = b.width.max(x1 - b.x);
                }
                _ => bars.push(Bar {
                    x: x0,
                    y,
                    width: x1 - x0,
                    height: opts.lane_height,
                    state: BarState::Lag,
                    title: String::new(),
                }),
            }
        }
        let worst = trace.lag.iter().map(|l| l.1).fold(0.0, f64::max);
        for b in &mut bars {
            b.title = format!(
                "The event loop was busy: a timer fired up to {} ms late",
                fmt_ms(worst)
            );
        }
        (
            LaneLabel {
                y: y + opts.lane_height - 3.0,
                text: "loop lag".into(),
            },
            bars,
        )
    });

    let ticks = nice_ticks(0.0, domain_max, opts.tick_count)
        .into_iter()
        .map(|v| Tick {
            x: x.apply(v),
            label: fmt_ms(v),
        })
        .collect();

    TimelineLayout {
        width: opts.width,
        height: axis_y + opts.axis_height,
        plot_x,
        top_y: top,
        axis_y,
        lanes,
        bars,
        ticks,
        ideal_x: ideal_ms.map(|v| x.apply(v)),
        ideal_label_left: ideal_ms.is_some_and(|v| x.apply(v) > plot_x.1 - IDEAL_LABEL_PX),
        resumed_x: trace.resumed_ms().map(|v| x.apply(v)),
        consumed,
        lag_row,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::TraceEvent;

    #[test]
    fn a_linear_scale_maps_ends_to_ends() {
        let s = LinearScale::new((0.0, 5000.0), (72.0, 704.0));
        assert_eq!(s.apply(0.0), 72.0);
        assert_eq!(s.apply(5000.0), 704.0);
        assert_eq!(s.apply(2500.0), 388.0);
    }

    #[test]
    fn a_degenerate_domain_does_not_divide_by_zero() {
        let s = LinearScale::new((3.0, 3.0), (0.0, 100.0));
        assert_eq!(s.apply(3.0), 0.0);
        assert_eq!(s.apply(7.0), 0.0);
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(
            nice_ticks(0.0, 5000.0, 6),
            vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]
        );
        assert_eq!(
            nice_ticks(0.0, 520.0, 6),
            vec![0.0, 100.0, 200.0, 300.0, 400.0, 500.0]
        );
        assert_eq!(
            nice_ticks(0.0, 3.0, 6),
            vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
        );
    }

    #[test]
    fn ticks_of_an_empty_domain_do_not_loop_forever() {
        assert_eq!(nice_ticks(0.0, 0.0, 6), vec![0.0]);
        assert_eq!(nice_ticks(5.0, 1.0, 6), vec![5.0]);
        assert_eq!(tick_step(f64::NAN, 6), 1.0);
    }

    fn all_at_once(n: u32, ms: f64) -> Trace {
        let mut t = Trace::new(n);
        for i in 0..n {
            t.record(TraceEvent::Started {
                task: i,
                lane: i,
                attempt: 0,
                at_ms: 0.0,
            });
        }
        for i in 0..n {
            t.record(TraceEvent::Ended {
                task: i,
                at_ms: ms,
                outcome: Outcome::Completed,
            });
        }
        t.resume(ms, crate::trace::GroupOutcome::AllCompleted);
        t.finish(ms, false);
        t
    }

    #[test]
    fn ten_tasks_get_ten_lanes_and_ten_bars() {
        let t = all_at_once(10, 500.0);
        let l = timeline(&t, 5000.0, Some(500.0), 500.0, &TimelineOptions::default());
        assert_eq!(l.lanes.len(), 10);
        assert_eq!(l.bars.len(), 10);
        assert_eq!(l.lanes[0].text, "#1");
        let o = TimelineOptions::default();
        // 500 ms of a 5000 ms axis is a tenth of the plot width.
        let expected = (o.width - o.margin_left - o.margin_right) / 10.0;
        assert!(
            (l.bars[3].width - expected).abs() < 1e-9,
            "{}",
            l.bars[3].width
        );
        assert_eq!(l.ideal_x, l.resumed_x, "measured end equals ideal end here");
        assert!(
            !l.ideal_label_left,
            "room for the label right of a marker at a tenth"
        );
        let at_end = timeline(&t, 500.0, Some(500.0), 500.0, &TimelineOptions::default());
        assert!(
            at_end.ideal_label_left,
            "a marker at the right edge labels to its left"
        );
    }

    #[test]
    fn ten_thousand_tasks_draw_a_bounded_number_of_elements() {
        let t = all_at_once(10_000, 100.0);
        let l = timeline(&t, 100.0, None, 100.0, &TimelineOptions::default());
        assert_eq!(l.lanes.len(), 40, "lanes are grouped");
        assert_eq!(l.bars.len(), 40, "overlapping bars of a row merge into one");
        assert_eq!(l.lanes[0].text, "#1–250");
        assert_eq!(l.lanes[39].text, "#9751–10000");
        assert!(
            l.bars[0].title.starts_with("250 tasks"),
            "{}",
            l.bars[0].title
        );
    }

    #[test]
    fn a_late_timer_draws_a_lag_bar_as_long_as_the_delay() {
        let mut t = all_at_once(1, 300.0);
        t.lag = vec![(50.0, 0.0), (100.0, 0.2), (150.0, 1950.0), (2150.0, 0.0)];
        let l = timeline(&t, 2500.0, None, 2500.0, &TimelineOptions::default());
        let (label, bars) = l.lag_row.expect("a lag row");
        assert_eq!(label.text, "loop lag");
        assert_eq!(bars.len(), 1, "on-time ticks draw nothing");
        let o = TimelineOptions::default();
        let px_per_ms = (o.width - o.margin_left - o.margin_right) / 2500.0;
        assert!((bars[0].width - 1950.0 * px_per_ms).abs() < 1e-6);
        assert!(bars[0].title.contains("1,950 ms late"));
        assert!(l.axis_y > bars[0].y, "the lag row sits above the axis");
    }

    #[test]
    fn consumed_markers_are_deduplicated_per_row_and_pixel() {
        let mut t = all_at_once(10_000, 100.0);
        t.consumed = (0..10_000).map(|i| (i, 100.0)).collect();
        let l = timeline(&t, 100.0, None, 100.0, &TimelineOptions::default());
        assert_eq!(l.consumed.len(), 40);
    }

    #[test]
    fn worker_lanes_are_rows_of_their_own_with_their_names() {
        let mut t = Trace::new(4);
        t.lane_names = vec!["worker 1".into(), "worker 2".into()];
        for (piece, lane) in [(0, 0), (1, 1), (2, 0), (3, 1)] {
            t.record(TraceEvent::Started {
                task: piece,
                lane,
                attempt: 0,
                at_ms: piece as f64 * 10.0,
            });
            t.record(TraceEvent::Ended {
                task: piece,
                at_ms: piece as f64 * 10.0 + 5.0,
                outcome: Outcome::Completed,
            });
        }
        let l = timeline(&t, 100.0, None, 100.0, &TimelineOptions::default());
        let names: Vec<&str> = l.lanes.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(names, vec!["worker 1", "worker 2"]);
        assert_eq!(l.bars.len(), 4, "pieces on a worker lane are never merged");
        let ys: Vec<f64> = l.bars.iter().map(|b| b.y).collect();
        assert_eq!(
            ys.iter().filter(|&&y| y == ys[0]).count(),
            2,
            "two pieces per worker row"
        );
        assert!(
            l.bars[0].title.starts_with("Piece #"),
            "{}",
            l.bars[0].title
        );
    }

    #[test]
    fn grouped_lane_labels_cover_every_task_exactly_once() {
        for (n, max) in [(7u32, 3u32), (41, 40), (10_000, 40), (12, 5)] {
            let t = Trace::new(n);
            let opts = TimelineOptions {
                max_lanes: max,
                ..TimelineOptions::default()
            };
            let l = timeline(&t, 1.0, None, 0.0, &opts);
            let mut next = 1u32;
            for lane in &l.lanes {
                let nums: Vec<u32> = lane
                    .text
                    .trim_start_matches('#')
                    .split('–')
                    .map(|s| s.parse().unwrap())
                    .collect();
                assert_eq!(nums[0], next, "n={n} max={max} lane {}", lane.text);
                next = nums[nums.len() - 1] + 1;
            }
            assert_eq!(next, n + 1, "n={n} max={max}");
        }
    }

    #[test]
    fn a_pending_bar_reaches_now_and_a_zero_length_bar_stays_visible() {
        let mut t = Trace::new(2);
        t.record(TraceEvent::Started {
            task: 0,
            lane: 0,
            attempt: 0,
            at_ms: 0.0,
        });
        t.record(TraceEvent::Ended {
            task: 0,
            at_ms: 0.0,
            outcome: Outcome::Completed,
        });
        t.record(TraceEvent::Started {
            task: 1,
            lane: 1,
            attempt: 0,
            at_ms: 0.0,
        });
        let l = timeline(&t, 1000.0, None, 250.0, &TimelineOptions::default());
        assert_eq!(l.bars.len(), 2);
        let pending = l
            .bars
            .iter()
            .find(|b| b.state == BarState::Pending)
            .unwrap();
        let o = TimelineOptions::default();
        let quarter = (o.width - o.margin_left - o.margin_right) / 4.0;
        assert!((pending.width - quarter).abs() < 1e-9);
        let done = l
            .bars
            .iter()
            .find(|b| b.state == BarState::Completed)
            .unwrap();
        assert_eq!(done.width, 1.0);
        assert_eq!(
            l.resumed_x, None,
            "no end marker before the await continued"
        );
    }

    #[test]
    fn a_chart_is_laid_out_at_its_boxs_width_from_280_to_1200_px() {
        assert_eq!(fit_width(317.6), 317.6, "a phone's card");
        assert_eq!(fit_width(920.0), 920.0, "a desktop's card");
        assert_eq!(fit_width(100.0), 280.0, "narrower is scaled down");
        assert_eq!(fit_width(5000.0), 1200.0, "wider is scaled up");
        assert_eq!(fit_width(f64::NAN), 720.0, "not measured");
    }
}
