//! Draws a computed timeline layout as SVG.

use leptos::prelude::*;

use crate::chart::TimelineLayout;

pub(crate) fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// Draws a computed [`TimelineLayout`]; no decisions here.
#[component]
pub(crate) fn Timeline(layout: TimelineLayout, label: String) -> impl IntoView {
    let (x0, x1) = layout.plot_x;
    let axis_y = layout.axis_y;
    let top_y = layout.top_y;
    let lane_label = |y: f64, text: String| {
        view! {
            <text class="lane-label" x=px(x0 - 6.0) y=px(y) text-anchor="end">
                {text}
            </text>
        }
    };
    let rect = |b: crate::chart::Bar| {
        view! {
            <rect
                class=format!("bar bar-{}", b.state.class())
                x=px(b.x)
                y=px(b.y)
                width=px(b.width)
                height=px(b.height)
                rx="2"
            >
                <title>{b.title}</title>
            </rect>
        }
    };
    let lanes = layout
        .lanes
        .into_iter()
        .map(|l| lane_label(l.y, l.text))
        .collect_view();
    let bars = layout.bars.into_iter().map(rect).collect_view();
    let lag = layout.lag_row.map(|(label, bars)| {
        view! {
            {lane_label(label.y, label.text)}
            {bars.into_iter().map(rect).collect_view()}
        }
    });
    let consumed = layout
        .consumed
        .into_iter()
        .map(|(x, y)| view! { <circle class="consumed" cx=px(x) cy=px(y) r="2.5" /> })
        .collect_view();
    let ticks = layout
        .ticks
        .into_iter()
        .map(|t| {
            view! {
                <line class="tick" x1=px(t.x) x2=px(t.x) y1=px(axis_y) y2=px(axis_y + 4.0) />
                <text class="tick-label" x=px(t.x) y=px(axis_y + 16.0) text-anchor="middle">
                    {t.label}
                </text>
            }
        })
        .collect_view();
    let label_left = layout.ideal_label_left;
    let ideal = layout.ideal_x.map(|x| {
        let (lx, anchor) = if label_left {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        view! {
            <line class="ideal" x1=px(x) x2=px(x) y1=px(top_y - 2.0) y2=px(axis_y) />
            <text class="marker-label ideal-label" x=px(lx) y=px(top_y - 4.0) text-anchor=anchor>
                "ideal"
            </text>
        }
    });
    let end = layout.resumed_x.map(|x| {
        view! { <line class="end" x1=px(x) x2=px(x) y1=px(top_y) y2=px(axis_y) /> }
    });
    view! {
        <svg
            class="timeline"
            viewBox=format!("0 0 {} {}", layout.width, px(layout.height))
            role="img"
            aria-label=label
        >
            {lanes}
            {bars}
            {lag}
            {consumed}
            <line class="axis" x1=px(x0) x2=px(x1) y1=px(axis_y) y2=px(axis_y) />
            {ticks}
            <text class="axis-unit" x=px(x0 - 6.0) y=px(axis_y + 16.0) text-anchor="end">
                "ms"
            </text>
            {ideal}
            {end}
        </svg>
    }
}
